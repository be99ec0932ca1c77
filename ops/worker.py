"""The task worker (`manage.py run_worker`): django-tasks-db's worker with what production
needs and it lacks.

- A heartbeat (ops.heartbeat) every WORKER_HEARTBEAT_SECONDS, from a thread, so also during a
  long task: /healthz reads it, and it is the lease on the task the worker runs.
- The lease: a RUNNING task whose worker has not beaten for TASK_LEASE_SECONDS (killed, its
  machine gone) is put back in the queue and run again, TASK_MAX_ATTEMPTS times in all,
  then marked failed with WorkerLost. Tasks are idempotent, so a second run is harmless.
- A result is recorded only by the worker that still holds the task: one that lost it (its
  lease expired while it could not reach the database) drops its result, so a task is
  recorded as finished once.
- A database error does not end the worker: it logs, reconnects with a growing pause (1 s
  up to 10 s) and goes on; a task the error interrupted is put back to run again.
"""

import contextlib
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import Error, connections, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from .heartbeat import HeartThread
from .models import Heartbeat

logger = logging.getLogger(__name__)

RECONNECT_PAUSE_MAX = 10


class WorkerLost(Exception):
    """The worker running the task stopped before it finished, TASK_MAX_ATTEMPTS times."""


def _lease():
    return timedelta(seconds=settings.TASK_LEASE_SECONDS)


def _put_back(task: DBTaskResult, why: str) -> str:
    """Back to READY to run again, or FAILED once it has been tried TASK_MAX_ATTEMPTS times.
    Inside the caller's transaction, on a row it locked."""
    attempts = len(task.worker_ids)
    if attempts >= settings.TASK_MAX_ATTEMPTS:
        task.set_failed(
            WorkerLost(f"{why}; it was tried {attempts} times (TASK_MAX_ATTEMPTS), so no more.")
        )
        logger.error(
            "Task %s (%s): %s; failed after %s attempts", task.pk, task.task_path, why, attempts
        )
        return "failed"
    DBTaskResult.objects.filter(pk=task.pk).update(status=TaskResultStatus.READY)
    logger.warning(
        "Task %s (%s): %s; it runs again (attempt %s of %s)",
        task.pk,
        task.task_path,
        why,
        attempts + 1,
        settings.TASK_MAX_ATTEMPTS,
    )
    return "requeued"


def expire_leases(*, now=None) -> dict[str, str]:
    """Put back every RUNNING task whose worker's last heartbeat (or, for a worker that never
    beat, the task's start) is older than TASK_LEASE_SECONDS. Returns {task id: "requeued"
    or "failed"}."""
    now = now or timezone.now()
    running = DBTaskResult.objects.running()
    outcome = {}
    with exclusive_transaction(running.db):
        tasks = list(running.select_for_update(skip_locked=True))
        if not tasks:
            return outcome
        holders = {task.pk: (task.worker_ids or [""])[-1] for task in tasks}
        beats = dict(
            Heartbeat.objects.filter(name__in=set(holders.values())).values_list("name", "beat_at")
        )
        for task in tasks:
            holder = holders[task.pk]
            seen = beats.get(holder) or task.started_at
            if seen is not None and seen > now - _lease():
                continue
            why = (
                f"its worker {holder} has not been heard from since "
                f"{timezone.localtime(seen):%Y-%m-%d %H:%M:%S} (lease {settings.TASK_LEASE_SECONDS:g} s)"
                if seen
                else f"its worker {holder} was never heard from"
            )
            outcome[str(task.pk)] = _put_back(task, why)
    return outcome


class Worker(db_worker.Worker):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.heart = HeartThread(
            name=self.worker_id,
            interval=settings.WORKER_HEARTBEAT_SECONDS,
            after_beat=self._check_leases,
        )
        self.interrupted = False

    def _check_leases(self, heart):
        """Only a worker whose own heartbeat has worked for a whole lease judges the others:
        after a database outage every worker's beat is old until each beats again."""
        if heart.healthy_since and timezone.now() - heart.healthy_since >= _lease():
            expire_leases()

    def run(self):
        self.heart.start()
        pause = 1
        try:
            while self.running:
                try:
                    if self.interrupted:
                        self._put_back_own_tasks()
                        logger.warning("Task worker %s: the database answers again", self.worker_id)
                        self.interrupted, pause = False, 1
                    super().run()
                    return
                except Error as error:  # every database error, a closed connection too
                    logger.error(
                        "Task worker %s: database error, reconnecting in %s s: %s",
                        self.worker_id,
                        pause,
                        error,
                    )
                    self.interrupted = True
                    self._disconnect()
                    self._sleep(pause)
                    pause = min(pause * 2, RECONNECT_PAUSE_MAX)
        finally:
            self.heart.stop()
            self._disconnect()

    def _put_back_own_tasks(self):
        """A task this worker was running when the database failed: run it again."""
        running = DBTaskResult.objects.running()
        with exclusive_transaction(running.db):
            for task in running.select_for_update():
                if task.worker_ids[-1:] == [self.worker_id]:
                    _put_back(task, "the database failed while it ran")

    def _disconnect(self):
        for connection in connections.all(initialized_only=True):
            with contextlib.suppress(Error):
                connection.close()

    def _sleep(self, seconds):
        deadline = time.monotonic() + seconds
        while self.running and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.5))

    def run_task(self, db_task_result):
        for name in ("set_successful", "set_failed"):
            setattr(db_task_result, name, self._if_still_held(db_task_result, name))
        super().run_task(db_task_result)

    def _if_still_held(self, db_task_result, name):
        """The result is recorded only if this worker still holds the task (its lease did
        not expire meanwhile and give the task to another)."""
        record = getattr(db_task_result, name)

        def guarded(*args):
            with transaction.atomic(using=db_task_result._state.db):
                current = (
                    DBTaskResult.objects.select_for_update()
                    .filter(pk=db_task_result.pk)
                    .values_list("status", "worker_ids")
                    .first()
                )
                if (
                    current is None
                    or current[0] != TaskResultStatus.RUNNING
                    or current[1][-1:] != [self.worker_id]
                ):
                    logger.warning(
                        "Task %s (%s): finished here, but its lease expired and it was given "
                        "back to the queue meanwhile; this run's result is not recorded",
                        db_task_result.pk,
                        db_task_result.task_path,
                    )
                    return
                record(*args)

        return guarded
