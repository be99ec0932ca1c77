"""Background work (Django Tasks): safe to retry, never part of an editorial action."""

from django.tasks import task

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
