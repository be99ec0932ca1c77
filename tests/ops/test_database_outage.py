"""The database stopped and started again under the running processes, for real: a
PostgreSQL cluster of the test's own, gunicorn, the task worker and the scheduler. The
worker and scheduler live through it and go on (a new task runs), and /healthz says what is
wrong all along: the database while it is down, a silent (here: frozen) worker by the age
of its heartbeat. About 40 s."""

import json
import os
import signal
import time

import pytest

from tests.ops.processes import (
    POSTGRES_BIN,
    PostgresCluster,
    environment,
    free_port,
    get,
    gunicorn,
    manage,
    shell,
    start,
    stop,
    wait_until,
)

WORKER_MAX_AGE = 3


@pytest.fixture
def cluster():
    if POSTGRES_BIN is None or not (POSTGRES_BIN / "pg_ctl").exists():
        message = (
            "PostgreSQL's initdb and pg_ctl not found under /usr/lib/postgresql/*/bin: "
            "install Debian's postgresql to run the database outage test."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    cluster = PostgresCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


def test_worker_scheduler_and_healthz_through_a_database_restart(cluster, tmp_path):
    port = free_port()
    env = environment(
        cluster.url,
        TASK_LEASE_SECONDS="3",
        WORKER_HEARTBEAT_SECONDS="0.5",
        HEALTHZ_WORKER_MAX_AGE=str(WORKER_MAX_AGE),
        HEALTHZ_SCHEDULER_MAX_AGE="5",
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        CONN_MAX_AGE="60",
    )
    manage("migrate", "django_tasks_database", "--no-input", env=env)
    manage("migrate", "ops", "--no-input", env=env)
    logs = {name: tmp_path / f"{name}.log" for name in ("web", "worker", "scheduler")}
    processes = {
        "web": gunicorn(env=env, log=logs["web"]),
        "worker": start(
            "run_worker", "--no-reload", "--interval", "0.2", env=env, log=logs["worker"]
        ),
        "scheduler": start("run_scheduler", "--interval", "1", env=env, log=logs["scheduler"]),
    }
    healthz = f"http://127.0.0.1:{port}/healthz"
    log_files = list(logs.values())

    def health():
        try:
            status, body = get(healthz)
        except OSError:
            return None
        return status, json.loads(body)

    def notes_finished(notes):
        return notes.exists() and notes.read_text() == "started\nfinished\n"

    try:
        wait_until(
            lambda: (h := health()) and h[0] == 200,
            seconds=40,
            what="/healthz answers 200 with the worker and scheduler beating",
            logs=log_files,
        )
        before = tmp_path / "before.txt"
        shell(
            f"from tests.ops.tasks import note_run; note_run.enqueue({str(before)!r}, 0)", env=env
        )
        wait_until(lambda: notes_finished(before), seconds=20, what="a task runs", logs=log_files)

        # The database goes away for a few seconds.
        cluster.stop()
        down = wait_until(
            lambda: (h := health()) and h[0] == 503 and h,
            seconds=10,
            what="/healthz fails while the database is down",
            logs=log_files,
        )
        assert down[1]["failed"][0] == "database"
        assert down[1]["reasons"]["database"] == "the database check failed (details in the log)"
        assert down[1]["reasons"]["worker"] == "its heartbeat could not be read"
        time.sleep(4)
        assert processes["worker"].poll() is None, logs["worker"].read_text()
        assert processes["scheduler"].poll() is None, logs["scheduler"].read_text()
        cluster.start()

        # Back: every answer until healthy is honest, then all is well again.
        answers = []

        def recovered():
            answers.append(health())
            return answers[-1] and answers[-1][0] == 200

        wait_until(recovered, seconds=30, what="/healthz recovers", logs=log_files)
        for status, body in filter(None, answers[:-1]):
            assert status == 503 and body["reasons"], body
        assert processes["worker"].poll() is None
        after = tmp_path / "after.txt"
        shell(f"from tests.ops.tasks import note_run; note_run.enqueue({str(after)!r}, 0)", env=env)
        wait_until(
            lambda: notes_finished(after),
            seconds=20,
            what="the worker runs a new task after the restart",
            logs=log_files,
        )
        worker_log = logs["worker"].read_text()
        assert "database error, reconnecting in" in worker_log
        assert "the database answers again" in worker_log

        # A worker that hangs (frozen with SIGSTOP) stops beating: /healthz says so.
        processes["worker"].send_signal(signal.SIGSTOP)
        try:
            stale = wait_until(
                lambda: (h := health()) and h[0] == 503 and h,
                seconds=WORKER_MAX_AGE + 10,
                what="/healthz notices the silent worker",
                logs=log_files,
            )
        finally:
            processes["worker"].send_signal(signal.SIGCONT)
        assert stale[1]["failed"] == ["worker"]
        assert stale[1]["reasons"]["worker"].startswith("no task worker heard from for ")
        assert stale[1]["reasons"]["worker"].endswith(f" s (limit {WORKER_MAX_AGE} s)")
        assert stale[1]["worker"]["age_seconds"] > WORKER_MAX_AGE
        wait_until(
            lambda: (h := health()) and h[0] == 200,
            seconds=10,
            what="/healthz is well again once the worker beats",
            logs=log_files,
        )
    finally:
        codes = {name: stop(process) for name, process in processes.items()}
    assert codes == {"worker": 0, "scheduler": 0, "web": 0}, {
        name: log.read_text()[-3000:] for name, log in logs.items()
    }
