"""Background work (Django Tasks): safe to retry, never part of an editorial action."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.tasks import task
from django.utils import timezone

from citations.models import RetractionCheck
from ops.tasks import enqueue_on_commit

from . import link_health, notify
from .importing import run_import_job
from .models import ImportJob, PublishedAnswer, SearchCount
from .models.releases import publish_due_releases  # noqa: F401  (a task, defined by its model)
from .retractions import run_retraction_watch

logger = logging.getLogger(__name__)


@task(takes_context=True)
def check_retractions(context=None, retry_of: int | None = None):
    """The daily retraction watch, or the retry of a run's failed lookups (`retry_of`, a
    run's id); returns the run's counts, when its own failures are tried again, and a
    `summary` in words, which Operations › Scheduled runs shows (a run with `failed`
    references shows as failed).

    Run again after its worker died (attempt 2 or more), it finishes what the lost attempt
    began: that attempt's unfinished run is replaced, and the notices it recorded are shown
    and announced now (both idempotent). `context` is None when called directly."""
    previous = None
    if retry_of is not None:
        previous = RetractionCheck.objects.filter(pk=retry_of).first()
        if previous is None:
            return {"run": None, "skipped": f"run {retry_of} no longer exists"}
    since = None
    if context is not None and context.attempt > 1:
        since = context.task_result.enqueued_at
        abandoned = RetractionCheck.objects.filter(
            retry_of=previous, finished_at__isnull=True, started_at__gte=since
        )
        for lost in abandoned:
            logger.warning(
                "Retraction check %s was interrupted (its worker stopped): run again", lost.pk
            )
        abandoned.delete()  # it saved nothing but its start
    run, _ = run_retraction_watch(retry_of=previous, notices_since=since)
    if run is None:
        return {"run": None, "skipped": f"run {retry_of} was retried already"}
    retry_at = retry_later(run)
    summary = run.summary
    if retry_at is not None:
        summary += f" They are tried again at {timezone.localtime(retry_at):%H:%M}."
    return {
        "run": run.pk,
        "checked": run.checked,
        "notices": run.notices_found,
        "failed": run.failed,
        "retry_at": retry_at.isoformat() if retry_at else None,
        "summary": summary,
    }


def retry_later(run):
    """A run that could not check some references (a source unreachable) tries them again
    later: after RETRACTION_RETRY_SECONDS, then twice as long each time, up to
    RETRACTION_CHECK_ATTEMPTS runs in all. Returns when, or None if it is not retried."""
    if not run.unchecked or run.attempt >= settings.RETRACTION_CHECK_ATTEMPTS:
        return None
    if not check_retractions.get_backend().supports_defer:
        logger.warning("Retraction check %s: the task queue cannot run a retry later.", run.pk)
        return None
    at = timezone.now() + timedelta(
        seconds=settings.RETRACTION_RETRY_SECONDS * 2 ** (run.attempt - 1)
    )
    run.schedule_retry(at)
    enqueue_on_commit(check_retractions.using(run_after=at), retry_of=run.pk)
    return at


@task
def send_review_reminders():
    """The daily review reminders (30 and 7 days before the date, then overdue)."""
    sent = len(notify.send_review_reminders())
    return f"{sent} review reminder{'s' if sent != 1 else ''} sent."


@task
def run_import(job_id: int):
    """An uploaded article or reference file (answers.ImportJob), imported off the request."""
    return run_import_job(job_id)


@task
def check_links(answer_ids: list[int] | None = None):
    """The nightly link check (all live answers), or one answer's after its approval: records
    each link's state and tells the writers of an answer whose link just broke."""
    report = link_health.check_links(answer_ids=answer_ids)
    notify.announce_broken_links(report.newly_broken)
    return {
        "checked": report.checked,
        "broken": len(report.broken),
        "redirected": len(report.redirected),
        "summary": report.summary(),
    }


@task
def prune_search_counts():
    """The daily clean-up of the search report: days older than SEARCH_REPORT_KEEP_DAYS."""
    oldest = timezone.localdate() - timedelta(days=settings.SEARCH_REPORT_KEEP_DAYS)
    deleted, _ = SearchCount.objects.filter(day__lt=oldest).delete()
    return (
        f"{deleted} search count{'s' if deleted != 1 else ''} older than {oldest:%d %b %Y} pruned."
    )


@task
def discard_unconfirmed_imports():
    """The daily clean-up of article previews nobody confirmed within IMPORT_PREVIEW_KEEP_DAYS:
    the uploaded files are dropped (a preview holds the whole upload) and the import's page
    says why, so the writer knows to upload it again."""
    days = settings.IMPORT_PREVIEW_KEEP_DAYS
    now = timezone.now()
    discarded = ImportJob.objects.filter(
        status=ImportJob.Status.PREVIEW, created_at__lt=now - timedelta(days=days)
    ).update(
        status=ImportJob.Status.FAILED,
        data=b"",
        references_data=b"",
        finished_at=now,
        error=f"Nobody confirmed this import within {days} days, so the uploaded file was "
        "discarded and nothing was imported. Upload the file again to import it.",
    )
    return f"{discarded} unconfirmed import{'s' if discarded != 1 else ''} discarded."


@receiver(post_save, sender=PublishedAnswer, dispatch_uid="check_links_after_approval")
def _check_links_after_approval(sender, instance, created, raw=False, update_fields=None, **kw):
    """Each approval (a new or replaced snapshot) checks that answer's links, off the request."""
    if not raw and (update_fields is None or "body_html" in update_fields):
        enqueue_on_commit(check_links, answer_ids=[instance.answer_id])
