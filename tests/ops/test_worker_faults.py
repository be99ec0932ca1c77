"""A task worker killed with SIGKILL in the middle of a task, for real: after the lease the
task runs again on another worker and is recorded as finished exactly once, with two live
workers competing for it. On a database file of its own (about 15 s)."""

import json
import signal
import time

from tests.ops.processes import environment, manage, shell, start, stop, wait_until

LEASE = 2


def test_a_task_whose_worker_was_killed_runs_again_and_finishes_once(tmp_path):
    env = environment(
        f"sqlite:///{tmp_path / 'queue.sqlite3'}",
        TASK_LEASE_SECONDS=str(LEASE),
        WORKER_HEARTBEAT_SECONDS="0.3",
    )
    manage("migrate", "django_tasks_database", "--no-input", env=env)
    manage("migrate", "ops", "--no-input", env=env)
    notes = tmp_path / "notes.txt"
    task_id = shell(
        f"from tests.ops.tasks import note_run; print(note_run.enqueue({str(notes)!r}, 2).id)",
        env=env,
    )

    def worker(name):
        return start(
            "run_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.2",
            "--worker-id",
            name,
            env=env,
            log=tmp_path / f"{name}.log",
        )

    logs = [tmp_path / f"{name}.log" for name in ("doomed", "second", "third")]
    doomed = worker("doomed")
    survivors = []
    try:
        wait_until(
            lambda: notes.exists() and "started" in notes.read_text(),
            seconds=30,
            what="the first worker starts the task",
            logs=logs,
        )
        doomed.send_signal(signal.SIGKILL)
        assert doomed.wait(timeout=10) == -signal.SIGKILL
        assert notes.read_text() == "started\n"
        survivors = [worker("second"), worker("third")]

        wait_until(
            lambda: notes.read_text().count("finished") == 1,
            seconds=30,
            what="the task runs again and finishes",
            logs=logs,
        )
        # Another lease and more: nobody runs it a third time, nor records it twice.
        time.sleep(LEASE + 1)
        assert notes.read_text() == "started\nstarted\nfinished\n"
        assert all(survivor.poll() is None for survivor in survivors)
    finally:
        codes = [stop(survivor) for survivor in survivors]
        stop(doomed, signal.SIGKILL)
    assert codes == [0, 0]

    row = json.loads(
        shell(
            "import json; from django_tasks_db.models import DBTaskResult; "
            f"t = DBTaskResult.objects.get(pk={task_id!r}); "
            "print(json.dumps([t.status, t.worker_ids, t.return_value]))",
            env=env,
        )
    )
    status, worker_ids, value = row
    assert status == "SUCCESSFUL"
    assert worker_ids[0] == "doomed" and worker_ids[1] in ("second", "third")
    assert len(worker_ids) == 2
    assert value == "noted"
    # The worker that took it back says why.
    said = "".join(log.read_text() for log in logs[1:])
    assert "its worker doomed has not been heard from since" in said
    assert "it runs again (attempt 2 of 3)" in said
