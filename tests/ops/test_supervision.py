"""How the processes are run together: the Procfile under honcho (`make serve`, and
Procfile.dev for `make run`), and the systemd units for a server, which run the same
commands and restart what fails. A process that dies under honcho stops the others, and the
log says which and how it ended (about 15 s)."""

import os
import re
import shutil
import signal
import subprocess
import sys
from configparser import ConfigParser
from pathlib import Path

import pytest
from honcho.environ import parse_procfile

from tests.ops.processes import BASE_DIR, environment, free_port, manage, wait_until

UNITS = sorted((BASE_DIR / "deploy" / "systemd").glob("*.service"))


def procfile(name):
    """Each process's command, without the `exec` that replaces honcho's shell with it."""
    processes = parse_procfile((BASE_DIR / name).read_text()).processes
    assert all(command.startswith("exec ") for command in processes.values())
    return {kind: command.removeprefix("exec ") for kind, command in processes.items()}


def unit(path):
    parser = ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return parser


def test_the_procfiles_run_the_web_the_worker_and_the_scheduler():
    production, development = procfile("Procfile"), procfile("Procfile.dev")
    assert list(production) == list(development) == ["web", "worker", "scheduler"]
    assert production["web"].startswith("gunicorn -c deploy/gunicorn.conf.py")
    assert development["web"] == "python manage.py runserver 127.0.0.1:$PORT"
    assert production["worker"] == "python manage.py run_worker --no-reload"
    assert development["worker"] == "python manage.py run_worker"  # reloads under DEBUG
    assert production["scheduler"] == development["scheduler"] == "python manage.py run_scheduler"


def test_each_systemd_unit_runs_its_procfile_command_and_restarts_on_failure():
    production = procfile("Procfile")
    assert [path.name for path in UNITS] == [
        "qa-cms-scheduler.service",
        "qa-cms-web.service",
        "qa-cms-worker.service",
    ]
    for path in UNITS:
        service = unit(path)["Service"]
        kind = path.stem.removeprefix("qa-cms-")
        command = service["ExecStart"].removeprefix("/srv/qa-cms/.venv/bin/")
        assert command == production[kind], path.name
        assert service["Restart"] == "on-failure"
        assert service["EnvironmentFile"] == "/etc/qa-cms/env"


def test_the_units_are_valid_for_systemd(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not found: the units' syntax is not checked here.")
    venv_bin = Path(sys.executable).parent
    for path in UNITS:
        text = path.read_text().replace("/srv/qa-cms/.venv/bin", str(venv_bin))
        text = text.replace("/srv/qa-cms", str(BASE_DIR)).replace("/etc/qa-cms/env", "/dev/null")
        text = re.sub(r"^(User|Group)=.*$", r"\1=root", text, flags=re.M)
        (tmp_path / path.name).write_text(text)
    done = subprocess.run(
        [analyze, "verify", *sorted(str(p) for p in tmp_path.glob("*.service"))],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


def test_under_honcho_a_worker_that_dies_stops_the_others_and_the_log_says_so(tmp_path):
    port = free_port()
    env = environment(
        f"sqlite:///{tmp_path / 'db.sqlite3'}",
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        ALLOWED_HOSTS="127.0.0.1",
        PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    )
    manage("migrate", "django_tasks_database", "--no-input", env=env)
    manage("migrate", "ops", "--no-input", env=env)
    log = tmp_path / "honcho.log"
    with open(log, "w") as out:
        honcho = subprocess.Popen(
            [Path(sys.executable).with_name("honcho"), "start", "--no-colour", "-p", str(port)],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        started = wait_until(
            lambda: (
                "Starting worker" in log.read_text()
                and "Scheduler started" in log.read_text()
                and "Listening at" in log.read_text()
                and re.search(r"worker\.1 started \(pid=(\d+)\)", log.read_text())
            ),
            seconds=40,
            what="honcho starts the three processes",
            logs=[log],
        )
        os.killpg(int(started[1]), signal.SIGKILL)
        code = honcho.wait(timeout=30)
    finally:
        if honcho.poll() is None:
            os.killpg(honcho.pid, signal.SIGKILL)
            honcho.wait()
    said = log.read_text()
    assert re.search(r"system +\| worker\.1 stopped \(rc=-9\)", said), said
    assert re.search(r"system +\| sending SIGTERM to web\.1", said), said
    assert re.search(r"system +\| sending SIGTERM to scheduler\.1", said), said
    # Each stopped as TERM asks, cleanly.
    assert re.search(r"system +\| web\.1 stopped \(rc=0\)", said), said
    assert re.search(r"system +\| scheduler\.1 stopped \(rc=0\)", said), said
    assert code == 256 - signal.SIGKILL  # honcho exits as the first process to stop did (-9)
