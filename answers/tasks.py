"""Background work (Django Tasks): safe to retry, never part of an editorial action."""

from django.tasks import task

from . import notify
from .retractions import run_retraction_watch


@task
def check_retractions():
    """The daily retraction watch; returns the run's counts."""
    run, _ = run_retraction_watch()
    return {
        "run": run.pk,
        "checked": run.checked,
        "notices": run.notices_found,
        "failed": run.failed,
    }


@task
def send_review_reminders():
    """The daily review reminders (30 and 7 days before the date, then overdue)."""
    return len(notify.send_review_reminders())
