"""`manage.py check` (and every start) names a misconfigured scheduled job."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register()
def check_scheduled_jobs(app_configs, **kwargs):
    from .schedule import jobs

    try:
        scheduled = jobs()
    except (ImproperlyConfigured, KeyError, TypeError, AttributeError) as error:
        return [
            checks.Error(
                f"SCHEDULED_JOBS is not valid: {error}",
                hint='Each job is {"task": "app.tasks.name", "at": "HH:MM"}.',
                id="ops.E001",
            )
        ]
    errors = []
    for job in scheduled:
        try:
            job.task()
        except (ImportError, ImproperlyConfigured) as error:
            errors.append(
                checks.Error(
                    f"Scheduled job {job.name!r}: {job.task_path} cannot be loaded: {error}",
                    id="ops.E002",
                )
            )
    return errors


@checks.register()
def check_task_lease(app_configs, **kwargs):
    """A lease shorter than a few heartbeats would take tasks from workers that are alive."""
    from django.conf import settings

    if settings.TASK_LEASE_SECONDS < 3 * settings.WORKER_HEARTBEAT_SECONDS:
        return [
            checks.Error(
                f"TASK_LEASE_SECONDS ({settings.TASK_LEASE_SECONDS:g}) must be at least three "
                f"times WORKER_HEARTBEAT_SECONDS ({settings.WORKER_HEARTBEAT_SECONDS:g}): "
                "otherwise a task is taken from a worker that is still running it.",
                id="ops.E003",
            )
        ]
    if settings.TASK_MAX_ATTEMPTS < 1:
        return [checks.Error("TASK_MAX_ATTEMPTS must be 1 or more.", id="ops.E004")]
    return []
