"""Background tasks for real: enqueued into the database after commit, run by the
django-tasks-db worker (`run_worker --batch` processes the queue, then exits)."""

import logging

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ops.tasks import enqueue_on_commit
from tests.ops.tasks import create_group, fail

pytestmark = pytest.mark.django_db


# The worker closes connections it finds inside a transaction, as a long-running process
# must: these tests commit for real (transaction=True) instead of running inside one.
worker_test = pytest.mark.django_db(transaction=True)


@worker_test
def test_a_task_enqueued_on_commit_is_run_by_the_worker(run_worker):
    with transaction.atomic():
        enqueue_on_commit(create_group, "made by the worker")
        assert not DBTaskResult.objects.exists()  # nothing before the commit

    [queued] = DBTaskResult.objects.all()
    assert queued.status == TaskResultStatus.READY
    assert not Group.objects.filter(name="made by the worker").exists()

    run_worker()

    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL
    group = Group.objects.get(name="made by the worker")
    assert create_group.get_result(str(queued.pk)).return_value == group.pk


def test_a_rolled_back_change_enqueues_nothing(django_capture_on_commit_callbacks):
    class Abandon(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Abandon),
        transaction.atomic(),
    ):
        enqueue_on_commit(create_group, "never")
        raise Abandon
    assert callbacks == []
    assert not DBTaskResult.objects.exists()


@worker_test
def test_a_failing_task_is_recorded_and_the_next_one_still_runs(run_worker):
    with transaction.atomic():
        enqueue_on_commit(fail, "source unreachable")
        enqueue_on_commit(create_group, "after the failure")

    run_worker()

    failed = DBTaskResult.objects.get(task_path="tests.ops.tasks.fail")
    assert failed.status == TaskResultStatus.FAILED
    assert failed.exception_class_path == "builtins.ValueError"
    assert Group.objects.filter(name="after the failure").exists()


def test_a_task_the_queue_refuses_never_undoes_the_change(
    django_capture_on_commit_callbacks, caplog
):
    """The editorial action commits; the refused enqueue is logged, not raised."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        Group.objects.create(name="the editorial change")
        enqueue_on_commit(create_group, object())  # not JSON: the backend refuses it
    assert Group.objects.filter(name="the editorial change").exists()
    assert not DBTaskResult.objects.exists()
    assert any(
        r.levelno == logging.ERROR and "enqueue(tests.ops.tasks.create_group)" in r.getMessage()
        for r in caplog.records
    )


def test_the_daily_prune_keeps_recent_results_and_failures_longer(settings):
    from datetime import timedelta

    from django.utils import timezone

    from ops.tasks import prune_task_results

    settings.TASK_RESULTS_KEEP_DAYS, settings.TASK_FAILURES_KEEP_DAYS = 30, 90
    now = timezone.now()
    for name, status, age in [
        ("old success", TaskResultStatus.SUCCESSFUL, 31),
        ("recent success", TaskResultStatus.SUCCESSFUL, 29),
        ("old failure", TaskResultStatus.FAILED, 60),
        ("ancient failure", TaskResultStatus.FAILED, 91),
        ("waiting", TaskResultStatus.READY, 100),
    ]:
        result = create_group.enqueue(name)
        DBTaskResult.objects.filter(id=result.id).update(
            status=status, finished_at=None if status == "READY" else now - timedelta(days=age)
        )
    assert prune_task_results.call() == "pruned"
    kept = {r.args_kwargs["args"][0] for r in DBTaskResult.objects.all()}
    assert kept == {"recent success", "old failure", "waiting"}
