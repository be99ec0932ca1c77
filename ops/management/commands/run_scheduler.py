import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections
from django.utils import timezone
from django.utils.crypto import get_random_string

from ops.heartbeat import beat
from ops.models import ProcessKind
from ops.schedule import enqueue_due, jobs

logger = logging.getLogger("ops.schedule")


class Command(BaseCommand):
    help = (
        "Enqueue the daily jobs of SCHEDULED_JOBS when their time of day comes: wakes every "
        "minute, runs each job once a day (once, not once per missed day, after downtime), "
        "and never twice for the same day however many schedulers run. The task worker "
        "(run_worker) runs what it enqueues."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Enqueue what is due now, then exit."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=60,
            help="Seconds between checks (default 60: on each minute).",
        )

    def handle(self, *args, once=False, interval=60, **options):
        scheduled = jobs()  # a bad setting stops the start with the reason
        for job in scheduled:
            job.task()
        self.stopping = False
        name, started_at, beat_failing = f"scheduler-{get_random_string(22)}", timezone.now(), False
        if not once:
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, self._stop)
            self.stdout.write(
                "Scheduler started: "
                + (", ".join(f"{job.name} at {job.at:%H:%M}" for job in scheduled) or "no jobs")
                + f" ({timezone.get_current_timezone_name()})."
            )
        while not self.stopping:
            close_old_connections()  # a long-running process must not keep a dead connection
            try:
                runs = enqueue_due()
            except DatabaseError as error:
                # The database is away (restart, failover, not yet migrated): next tick.
                logger.warning("Scheduler: could not check the due jobs: %s", error)
                runs = []
            else:
                # The tick /healthz reports (HEALTHZ_SCHEDULER_MAX_AGE).
                try:
                    beat(kind=ProcessKind.SCHEDULER, name=name, started_at=started_at)
                except DatabaseError as error:
                    if not beat_failing:
                        logger.warning("Scheduler: could not record its heartbeat: %s", error)
                    beat_failing = True
                else:
                    beat_failing = False
            for run in runs:
                outcome = (
                    f"task {run.task_result_id}" if run.enqueued_at else "refused by the queue"
                )
                self.stdout.write(
                    f"{run.job} (due {timezone.localtime(run.due_at):%Y-%m-%d %H:%M}): {outcome}"
                )
            if once:
                break
            self._sleep(interval)
        close_old_connections()

    def _stop(self, signum, frame):
        """Finish the current check, then exit: a claim is never left half done."""
        self.stopping = True

    def _sleep(self, interval):
        """Until the next multiple of `interval` (the start of the next minute), waking each
        second to notice a stop."""
        wake = (time.time() // interval + 1) * interval
        while not self.stopping and (left := wake - time.time()) > 0:
            time.sleep(min(left, 1))
