from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.tasks import task


def enqueue_on_commit(task, *args, using=None, **kwargs):
    """Enqueue `task` once the current transaction commits, so a rolled-back change sends
    nothing. robust: a queue that cannot take the task is logged, and never undoes or
    breaks the editorial action that caused it."""

    def enqueue():
        task.enqueue(*args, **kwargs)

    # Django names the callback in its error log (__qualname__, which a partial lacks).
    enqueue.__qualname__ = f"enqueue({task.module_path})"
    transaction.on_commit(enqueue, using=using, robust=True)


@task
def prune_task_results():
    """The daily clean-up of the database queue: finished task results older than
    TASK_RESULTS_KEEP_DAYS, failed ones older than TASK_FAILURES_KEEP_DAYS."""
    from django_tasks_db.backend import DatabaseBackend

    if not isinstance(prune_task_results.get_backend(), DatabaseBackend):
        return "not a database queue: nothing to prune"
    call_command(
        "prune_db_task_results",
        queue_name="*",
        min_age_days=settings.TASK_RESULTS_KEEP_DAYS,
        failed_min_age_days=settings.TASK_FAILURES_KEEP_DAYS,
        verbosity=0,
    )
    return "pruned"
