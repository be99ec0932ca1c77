"""`manage.py run_scheduler` as deployed: real processes on one database file. Two started
together and one started again afterwards enqueue each daily job exactly once; TERM stops
them cleanly."""

import os
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django_tasks_db.models import DBTaskResult

from ops.models import ScheduledRun

BASE_DIR = Path(__file__).resolve().parents[2]


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_two_schedulers_and_a_restart_enqueue_each_job_once(tmp_path):
    database = tmp_path / "scheduler.sqlite3"
    env = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{database}",
        "STATIC_MANIFEST": "0",
        "PYTHONUNBUFFERED": "1",
    }
    # The scheduler needs only the task queue's table and its own. Its own is made once
    # both schedulers run: until then each check fails, is logged, and is tried again on the
    # next tick; then both, ticking on the same fifth of a second, find every job due at once.
    manage("migrate", "django_tasks_database", "--no-input", env=env)
    schedulers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "run_scheduler", "--interval", "0.2"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        started = [scheduler.stdout.readline() for scheduler in schedulers]
        assert all(
            line.startswith("Scheduler started: check_retractions at 03:00") for line in started
        ), [scheduler.communicate()[1] for scheduler in schedulers]
        manage("migrate", "ops", "--no-input", env=env)
        time.sleep(2)  # both check ten more times
        for scheduler in schedulers:
            assert scheduler.poll() is None, scheduler.communicate()[1]
            scheduler.send_signal(signal.SIGTERM)
        outputs = [scheduler.communicate(timeout=30) for scheduler in schedulers]
        assert [scheduler.returncode for scheduler in schedulers] == [0, 0], outputs
        assert all("could not check the due jobs: no such table" in err for _, err in outputs)
    finally:
        for scheduler in schedulers:
            if scheduler.poll() is None:
                scheduler.kill()
                scheduler.communicate()

    claims = re.findall(
        r"^(\w+) \(due [^)]+\): task ([0-9a-f-]+)$", "".join(o for o, _ in outputs), re.M
    )
    jobs = sorted(settings.SCHEDULED_JOBS)
    assert sorted(job for job, _ in claims) == jobs  # each job claimed by one of the two

    restarted = manage("run_scheduler", "--once", env=env)
    assert "(due " not in restarted.stdout  # nothing owed any more

    with sqlite3.connect(database) as db:
        runs = db.execute(
            f"SELECT job, task_result_id FROM {ScheduledRun._meta.db_table}"
        ).fetchall()
        queued = db.execute(f"SELECT id, task_path FROM {DBTaskResult._meta.db_table}").fetchall()
    assert sorted(job for job, _ in runs) == jobs
    assert sorted(path for _, path in queued) == sorted(
        job["task"] for job in settings.SCHEDULED_JOBS.values()
    )
    assert {task.replace("-", "") for _, task in runs} == {task_id for task_id, _ in queued}
    assert {(job, task) for job, task in runs} == set(claims)
