"""The worker's lease, in one process: which RUNNING tasks go back to the queue, which fail
for good, and a worker that lost its task records no result. (The real thing, a worker
killed with SIGKILL: test_worker_faults.py; the database stopped: test_database_outage.py.)"""

from datetime import timedelta

import pytest
import time_machine
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ops.heartbeat import beat
from ops.models import Heartbeat, ProcessKind
from ops.worker import Worker, expire_leases
from tests.ops.tasks import create_group

pytestmark = pytest.mark.django_db


def running(*, worker_ids, started_at):
    result = create_group.enqueue("x")
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=worker_ids, started_at=started_at
    )
    return DBTaskResult.objects.get(pk=result.id)


def test_a_task_whose_worker_beats_keeps_running_and_one_whose_worker_is_silent_goes_back(
    settings,
):
    settings.TASK_LEASE_SECONDS = 60
    now = timezone.now()
    long_ago = now - timedelta(minutes=10)
    with time_machine.travel(now - timedelta(seconds=30), tick=False):
        beat(kind=ProcessKind.WORKER, name="alive", started_at=long_ago)
    with time_machine.travel(now - timedelta(seconds=61), tick=False):
        beat(kind=ProcessKind.WORKER, name="silent", started_at=long_ago)
    kept = running(worker_ids=["alive"], started_at=long_ago)
    lost = running(worker_ids=["silent"], started_at=long_ago)
    never_beat_new = running(worker_ids=["plain-db-worker"], started_at=now)
    never_beat_old = running(worker_ids=["plain-db-worker"], started_at=now - timedelta(hours=1))

    outcome = expire_leases(now=now)

    assert outcome == {str(lost.pk): "requeued", str(never_beat_old.pk): "requeued"}
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses[kept.pk] == statuses[never_beat_new.pk] == TaskResultStatus.RUNNING
    assert statuses[lost.pk] == statuses[never_beat_old.pk] == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=lost.pk).worker_ids == ["silent"]  # its history kept


def test_a_task_lost_with_its_worker_too_often_fails_with_the_reason(settings):
    settings.TASK_LEASE_SECONDS, settings.TASK_MAX_ATTEMPTS = 60, 3
    lost = running(worker_ids=["a", "b", "c"], started_at=timezone.now() - timedelta(hours=1))

    assert expire_leases() == {str(lost.pk): "failed"}

    lost.refresh_from_db()
    assert lost.status == TaskResultStatus.FAILED
    assert lost.exception_class_path == "ops.worker.WorkerLost"
    assert "its worker c was never heard from" not in lost.traceback
    assert "its worker c has not been heard from since" in lost.traceback
    assert "it was tried 3 times (TASK_MAX_ATTEMPTS), so no more" in lost.traceback


def test_a_worker_that_lost_its_task_records_no_result(settings, caplog):
    """Its lease expired while it could not reach the database; another worker has it."""
    task = running(worker_ids=["slow", "other"], started_at=timezone.now())
    worker = Worker(
        queue_names=["default"],
        interval=1,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="slow",
        excluded_queue_names=[],
    )
    worker.run_task(task)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING  # the other worker records it
    assert "this run's result is not recorded" in caplog.text


def test_heartbeats_of_processes_gone_for_a_day_are_forgotten():
    with time_machine.travel(timezone.now() - timedelta(days=2), tick=False):
        beat(kind=ProcessKind.WORKER, name="gone", started_at=timezone.now())
    beat(kind=ProcessKind.WORKER, name="new", started_at=timezone.now())
    assert list(Heartbeat.objects.values_list("name", flat=True)) == ["new"]


def test_a_lease_shorter_than_three_heartbeats_is_refused_at_start(settings):
    from ops.checks import check_task_lease

    settings.WORKER_HEARTBEAT_SECONDS, settings.TASK_LEASE_SECONDS = 10, 60
    assert check_task_lease(None) == []
    settings.TASK_LEASE_SECONDS = 20
    [error] = check_task_lease(None)
    assert error.id == "ops.E003"
    assert "TASK_LEASE_SECONDS (20) must be at least three times" in error.msg
