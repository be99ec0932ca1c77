"""The daily scheduler (ops/schedule.py, `manage.py run_scheduler`): each job enqueued once
a day at its time of day, once after downtime, never twice however many schedulers run."""

import logging
from datetime import UTC, datetime, time

import pytest
import time_machine
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ops.checks import check_scheduled_jobs
from ops.models import ScheduledRun
from ops.schedule import Job, claim, enqueue_due, jobs
from tests.factories import login, make_editor, make_writer

pytestmark = pytest.mark.django_db

DAILY = {"daily": {"task": "tests.ops.tasks.daily", "at": "03:00"}}


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def daily(settings):
    settings.SCHEDULED_JOBS = DAILY
    settings.TIME_ZONE = "UTC"


@pytest.fixture
def tick(django_capture_on_commit_callbacks):
    """One scheduler tick at a given moment, with its enqueues run as after a commit."""

    def run(moment):
        with (
            time_machine.travel(moment, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return enqueue_due()

    return run


def queued():
    return list(DBTaskResult.objects.values_list("task_path", flat=True))


def test_a_job_runs_once_a_day_at_its_time(daily, tick):
    [first] = tick(at("2026-03-10 03:00:20"))
    assert first.due_at == at("2026-03-10 03:00")
    assert queued() == ["tests.ops.tasks.daily"]
    assert str(DBTaskResult.objects.get().id) == first.task_result_id
    assert tick(at("2026-03-10 03:01")) == []  # the next minute: already run today
    assert tick(at("2026-03-11 02:59")) == []  # not yet time tomorrow
    [second] = tick(at("2026-03-11 03:00"))
    assert second.due_at == at("2026-03-11 03:00")
    assert len(queued()) == 2


def test_after_downtime_a_job_runs_once_not_once_per_missed_day(daily, tick):
    tick(at("2026-03-10 03:00"))
    # The scheduler was down from the 10th to the 14th at noon.
    [caught_up] = tick(at("2026-03-14 12:00"))
    assert caught_up.due_at == at("2026-03-14 03:00")
    assert tick(at("2026-03-14 12:01")) == []
    assert ScheduledRun.objects.count() == 2 and len(queued()) == 2


def test_the_first_start_catches_up_with_the_latest_due_time(daily, tick):
    [run] = tick(at("2026-03-10 01:00"))  # before today's time: yesterday's run is owed
    assert run.due_at == at("2026-03-09 03:00")
    assert tick(at("2026-03-10 02:59")) == []
    assert len(tick(at("2026-03-10 03:00"))) == 1


def test_the_time_of_day_is_local_time(settings, tick):
    settings.SCHEDULED_JOBS = DAILY
    settings.TIME_ZONE = "Europe/London"
    tick(at("2026-07-01 01:00"))  # 02:00 in London (summer time): yesterday's is owed
    [run] = tick(at("2026-07-01 02:00"))  # 03:00 in London
    assert run.due_at == at("2026-07-01 02:00")
    [winter] = tick(at("2026-12-01 03:00"))  # 03:00 in London (GMT)
    assert winter.due_at == at("2026-12-01 03:00")


def test_moving_a_job_later_in_the_day_does_not_run_it_twice_that_day(settings, daily, tick):
    tick(at("2026-03-10 03:00"))
    settings.SCHEDULED_JOBS = {"daily": {**DAILY["daily"], "at": "05:00"}}
    assert tick(at("2026-03-10 04:00")) == []  # yesterday's 05:00 is older than today's run
    assert [r.due_at for r in tick(at("2026-03-11 05:00"))] == [at("2026-03-11 05:00")]


def test_two_schedulers_claiming_the_same_run_enqueue_it_once(daily, tick):
    """Both saw the job due; the database's unique constraint lets one claim it."""
    job = jobs()[0]
    due = at("2026-03-10 03:00")
    with time_machine.travel(due, tick=False):
        first = claim(job, due, job.task())
        second = claim(job, due, job.task())
    assert first is not None and second is None
    assert ScheduledRun.objects.count() == 1


def test_a_queue_that_refuses_the_task_leaves_the_job_due(settings, daily, tick, caplog):
    settings.TASKS = {"default": {"BACKEND": "tests.ops.tasks.RefusingBackend"}}
    assert [run.enqueued_at for run in tick(at("2026-03-10 03:00"))] == [None]
    assert not ScheduledRun.objects.exists()  # the claim is dropped: the next tick tries again
    assert "the queue refused tests.ops.tasks.daily" in caplog.text
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    [run] = tick(at("2026-03-10 03:01"))
    assert run.enqueued_at is not None and len(queued()) == 1


def test_a_job_that_does_not_load_is_skipped_and_reported(settings, tick, caplog):
    settings.SCHEDULED_JOBS = {
        "missing": {"task": "tests.ops.tasks.no_such_task", "at": "03:00"},
        "not_a_task": {"task": "ops.schedule.jobs", "at": "03:00"},
        **DAILY,
    }
    with caplog.at_level(logging.ERROR):
        runs = tick(at("2026-03-10 03:00"))
    assert [run.job for run in runs] == ["daily"]
    assert "cannot load tests.ops.tasks.no_such_task" in caplog.text
    errors = check_scheduled_jobs(None)
    assert [error.id for error in errors] == ["ops.E002", "ops.E002"]
    assert "is not a task" in errors[1].msg


def test_a_bad_time_of_day_is_a_clear_error(settings):
    settings.SCHEDULED_JOBS = {"daily": {"task": "tests.ops.tasks.daily", "at": "3 am"}}
    [error] = check_scheduled_jobs(None)
    assert error.id == "ops.E001"
    assert "must be a time of day as HH:MM (e.g. 03:30), not '3 am'" in error.msg


def test_the_project_schedules_the_retraction_watch_the_link_check_and_the_review_reminders():
    assert {job.task_path: job.at for job in jobs()} == {
        "answers.tasks.check_retractions": time(3, 0),
        "answers.tasks.check_links": time(2, 0),
        "answers.tasks.send_review_reminders": time(7, 0),
        "ops.tasks.prune_task_results": time(4, 30),
        "answers.tasks.prune_search_counts": time(4, 45),
        "answers.tasks.discard_unconfirmed_imports": time(4, 50),
    }
    assert check_scheduled_jobs(None) == []


def test_next_and_latest_due():
    job = Job(name="x", task_path="tests.ops.tasks.daily", at=time(3, 0))
    assert job.latest_due(at("2026-03-10 03:00")) == at("2026-03-10 03:00")
    assert job.next_due(at("2026-03-10 03:00")) == at("2026-03-11 03:00")
    assert job.next_due(at("2026-03-10 02:59")) == at("2026-03-10 03:00")


@pytest.mark.django_db(transaction=True)
def test_the_command_enqueues_what_is_due_and_the_worker_runs_it(settings, run_worker, capsys):
    settings.SCHEDULED_JOBS = {"daily": {"task": "tests.ops.tasks.daily", "at": "00:00"}}
    call_command("run_scheduler", once=True)
    call_command("run_scheduler", once=True)  # a restart: nothing more
    [run] = ScheduledRun.objects.all()
    assert f"daily (due {run.due_at:%Y-%m-%d} 00:00): task {run.task_result_id}" in (
        capsys.readouterr().out
    )
    run_worker()
    result = DBTaskResult.objects.get()
    assert result.status == TaskResultStatus.SUCCESSFUL


def test_editors_see_each_jobs_last_run_and_what_became_of_it(daily, tick):
    editor = login(make_editor())
    with time_machine.travel(at("2026-03-10 02:00"), tick=False):
        page = editor.get("/admin/ops/scheduledrun/")
    assert page.status_code == 200
    assert "Never run" in page.text
    assert "Late: it was due 9 Mar 2026 03:00 and has not run" in page.text
    assert "10 Mar 2026 03:00" in page.text  # the next run

    run = tick(at("2026-03-10 03:00"))[0]
    with time_machine.travel(at("2026-03-10 03:01"), tick=False):
        page = editor.get("/admin/ops/scheduledrun/")
    assert "Waiting for the task worker" in page.text
    assert "Late:" not in page.text
    DBTaskResult.objects.filter(id=run.task_result_id).update(
        status=TaskResultStatus.FAILED,
        finished_at=at("2026-03-10 03:00:05"),
        exception_class_path="httpx.ConnectError",
    )
    page = editor.get("/admin/ops/scheduledrun/")
    assert page.text.count("Failed 10 Mar 2026 03:00: ConnectError") == 2  # jobs and runs
    detail = editor.get(f"/admin/ops/scheduledrun/{run.pk}/change/")
    assert "Failed 10 Mar 2026 03:00: ConnectError" in detail.text

    assert login(make_writer()).get("/admin/ops/scheduledrun/").status_code == 403
