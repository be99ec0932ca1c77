"""Daily jobs without cron: `manage.py run_scheduler` wakes every minute and enqueues each
job of settings.SCHEDULED_JOBS whose time of day has come, once per day.

A due run is claimed by a row (`ScheduledRun`, unique per job and due moment) before its
task is enqueued after the claim commits, so two schedulers, or one restarted, never enqueue
it twice. After downtime a job runs once for its latest missed moment, not once per missed
day. Jobs are named by dotted task paths: this module imports no content app.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduledRun

logger = logging.getLogger(__name__)

TIME_OF_DAY = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")


@dataclass(frozen=True)
class Job:
    name: str
    task_path: str
    at: time  # time of day, in settings.TIME_ZONE

    def latest_due(self, now: datetime) -> datetime:
        """The latest moment at or before `now` this job was due."""
        today = timezone.localtime(now).date()
        due = timezone.make_aware(datetime.combine(today, self.at))
        if due > now:
            due = timezone.make_aware(datetime.combine(today - timedelta(days=1), self.at))
        return due

    def next_due(self, now: datetime) -> datetime:
        today = timezone.localtime(now).date()
        due = timezone.make_aware(datetime.combine(today, self.at))
        if due <= now:
            due = timezone.make_aware(datetime.combine(today + timedelta(days=1), self.at))
        return due

    def task(self) -> Task:
        task = import_string(self.task_path)
        if not isinstance(task, Task):
            raise ImproperlyConfigured(f"{self.task_path} is not a task (use @task).")
        return task


def parse_time(text: str, *, job: str) -> time:
    match = TIME_OF_DAY.match(str(text).strip())
    if match is None:
        raise ImproperlyConfigured(
            f"SCHEDULED_JOBS[{job!r}]['at'] must be a time of day as HH:MM (e.g. 03:30), "
            f"not {text!r}."
        )
    return time(int(match[1]), int(match[2]))


def jobs() -> list[Job]:
    """The jobs in settings.SCHEDULED_JOBS: {name: {"task": dotted path, "at": "HH:MM"}}."""
    return [
        Job(name=name, task_path=config["task"], at=parse_time(config["at"], job=name))
        for name, config in settings.SCHEDULED_JOBS.items()
    ]


def enqueue_due(*, now=None) -> list[ScheduledRun]:
    """Claim and enqueue every job due now and not yet run for its latest due moment;
    returns the runs claimed. A job that cannot be loaded is logged and skipped."""
    now = now or timezone.now()
    claimed = []
    for job in jobs():
        due = job.latest_due(now)
        # A run at or after this moment (also one due at an earlier time of day, before the
        # setting changed) means the job is not owed.
        if ScheduledRun.objects.filter(job=job.name, due_at__gte=due).exists():
            continue
        try:
            task = job.task()
        except (ImportError, ImproperlyConfigured) as error:
            logger.error("Scheduled job %s: cannot load %s: %s", job.name, job.task_path, error)
            continue
        run = claim(job, due, task)
        if run is not None:
            claimed.append(run)
    return claimed


def claim(job: Job, due: datetime, task: Task) -> ScheduledRun | None:
    """Claim the job's run due at `due` and enqueue its task once the claim commits; None
    when another scheduler claimed it first (the unique constraint decides)."""
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(job=job.name, task_path=job.task_path, due_at=due)
            transaction.on_commit(lambda: _enqueue(run, task))
    except IntegrityError:
        logger.info("Scheduled job %s (due %s): claimed by another scheduler", job.name, due)
        return None
    return run


def _enqueue(run, task):
    """After the claim commits: enqueue the task and note it on the run. If the queue
    refuses it, drop the claim so the next tick tries again."""
    try:
        result = task.enqueue()
    except Exception:
        logger.exception("Scheduled job %s: the queue refused %s", run.job, run.task_path)
        ScheduledRun.objects.filter(pk=run.pk).delete()
        run.pk = None
        return
    run.enqueued_at, run.task_result_id = timezone.now(), str(result.id)
    ScheduledRun.objects.filter(pk=run.pk).update(
        enqueued_at=run.enqueued_at, task_result_id=run.task_result_id
    )
    logger.info(
        "Scheduled job %s (due %s) enqueued as task %s",
        run.job,
        timezone.localtime(run.due_at).isoformat(timespec="minutes"),
        run.task_result_id,
    )
