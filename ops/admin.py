"""The scheduled jobs in the admin: each daily job with its last run and what became of its
task, and every run, read-only (the scheduler writes them).

What a task returns is shown in words: a string as it is; a dict by its "summary"; a dict
whose "failed" is more than zero (references not checked, say) marks the run as failed,
though the task itself finished. ops imports no content app, so this is the convention."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task_backends
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

from .models import ScheduledRun
from .schedule import jobs

# A job this long past its time with no run means no scheduler is running.
LATE_AFTER = timedelta(minutes=5)


def _local(moment):
    return date_format(timezone.localtime(moment), "j M Y H:i") if moment else ""


@dataclass
class Outcome:
    """What became of a run's task, in words."""

    status: str
    finished_at: datetime | None = None
    started_at: datetime | None = None
    error: str = ""
    value: object = None

    @property
    def failed(self) -> bool:
        """The task failed, or finished saying that what it was for failed."""
        if self.status == TaskResultStatus.FAILED:
            return True
        return (
            self.status == TaskResultStatus.SUCCESSFUL
            and isinstance(self.value, dict)
            and bool(self.value.get("failed"))
        )

    def __str__(self):
        if self.status == TaskResultStatus.SUCCESSFUL:
            said = _in_words(self.value)
            shown = f": {said}"[:300] if said else ""
            return f"{'Failed' if self.failed else 'Done'} {_local(self.finished_at)}{shown}"
        if self.status == TaskResultStatus.FAILED:
            return f"Failed {_local(self.finished_at)}: {self.error or 'see the task'}"
        if self.status == TaskResultStatus.RUNNING:
            return f"Running since {_local(self.started_at)}"
        return "Waiting for the task worker"


def _in_words(value) -> str:
    """A task's return value as a person reads it: its summary, never a raw dict."""
    if value is None:
        return ""
    if isinstance(value, dict):
        if value.get("summary"):
            return str(value["summary"])
        if value.get("skipped"):
            return f"Skipped: {value['skipped']}"
        return "finished (it gave no summary)"
    return str(value)


def outcomes(runs) -> dict[str, Outcome]:
    """Each run's task outcome by task id: one query on the database queue."""
    ids = [run.task_result_id for run in runs if run.task_result_id]
    if not ids:
        return {}
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(backend, DatabaseBackend):
        from django_tasks_db.models import DBTaskResult

        return {
            str(row.id): Outcome(
                status=row.status,
                finished_at=row.finished_at,
                started_at=row.started_at,
                error=row.exception_class_path.rpartition(".")[2],
                value=row.return_value,
            )
            for row in DBTaskResult.objects.filter(id__in=ids)
        }
    found = {}
    for task_id in ids:
        try:
            result = backend.get_result(task_id)
        except TaskResultDoesNotExist:
            continue
        found[task_id] = Outcome(
            status=result.status,
            finished_at=result.finished_at,
            started_at=result.started_at,
            error=result.errors[-1].exception_class_path.rpartition(".")[2]
            if result.errors
            else "",
            value=result.return_value if result.status == TaskResultStatus.SUCCESSFUL else None,
        )
    return found


def describe(run, found) -> str:
    if not run.enqueued_at:
        return "Not enqueued: the task queue did not take it"
    outcome = found.get(run.task_result_id)
    return str(outcome) if outcome else "Enqueued (its result is no longer kept)"


def has_failed(run, found) -> bool:
    outcome = found.get(run.task_result_id) if run.enqueued_at else None
    return outcome is not None and outcome.failed


def job_summary(*, now=None) -> list[dict]:
    """Each scheduled job with its last run, what became of it and its next time."""
    now = now or timezone.now()
    scheduled = jobs()
    last = {}
    for run in ScheduledRun.objects.filter(job__in=[job.name for job in scheduled]).order_by(
        "job", "-due_at"
    ):
        last.setdefault(run.job, run)
    found = outcomes(last.values())
    rows = []
    for job in scheduled:
        run = last.get(job.name)
        due = job.latest_due(now)
        rows.append(
            {
                "job": job,
                "run": run,
                "last_due": _local(run.due_at) if run else "",
                "outcome": describe(run, found) if run else "Never run",
                "failed": bool(run) and has_failed(run, found),
                "next_due": _local(job.next_due(now)),
                "late": (run is None or run.due_at < due) and now - due > LATE_AFTER,
                "missed": _local(due),
            }
        )
    return rows


class RunChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        found = outcomes(self.result_list)
        for run in self.result_list:
            run.outcome = describe(run, found)
            run.failed = has_failed(run, found)


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):
    list_display = ["job", "due", "enqueued", "outcome"]
    list_filter = ["job"]
    fields = ["job", "task_path", "due", "claimed", "enqueued", "task_result_id", "outcome"]
    readonly_fields = fields
    change_list_template = "admin/ops/scheduledrun/change_list.html"

    def get_changelist(self, request, **kwargs):
        return RunChangeList

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "jobs": job_summary(),
            "time_zone": timezone.get_current_timezone_name(),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description="due", ordering="due_at")
    def due(self, run):
        return _local(run.due_at)

    @admin.display(description="claimed", ordering="claimed_at")
    def claimed(self, run):
        return _local(run.claimed_at)

    @admin.display(description="enqueued", ordering="enqueued_at")
    def enqueued(self, run):
        return _local(run.enqueued_at) or "–"

    @admin.display(description="what became of it")
    def outcome(self, run):
        if not hasattr(run, "outcome"):  # the change page
            found = outcomes([run])
            run.outcome, run.failed = describe(run, found), has_failed(run, found)
        if run.failed:
            return format_html('<strong class="qa-bad">{}</strong>', run.outcome)
        return run.outcome

    def has_add_permission(self, request):
        return False  # the scheduler claims runs

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what ran is kept
