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
