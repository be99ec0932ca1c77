"""Real processes for the fault tests: `manage.py` commands on a database of their own,
started, waited for, killed."""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def environment(database_url, **extra):
    return {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "STATIC_MANIFEST": "0",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def manage(*args, env, timeout=120):
    """Run a command to its end; its output, or AssertionError with it."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def shell(code, *, env):
    """Python in `manage.py shell`; what it printed, stripped."""
    return manage("shell", "--no-imports", "-c", code, env=env).strip()


def start(*args, env, log: Path):
    """A long-running `manage.py` command in the background, its output in `log`."""
    return popen([sys.executable, "manage.py", *args], env=env, log=log)


def gunicorn(*, env, log: Path):
    """The web process as deployed (deploy/gunicorn.conf.py; BIND in `env`)."""
    program = Path(sys.executable).with_name("gunicorn")
    return popen([program, "-c", "deploy/gunicorn.conf.py", "qa_cms.wsgi"], env=env, log=log)


def popen(command, *, env, log: Path):
    with open(log, "a") as out:
        return subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until(condition, *, seconds, what, logs=()):
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        if time.monotonic() > deadline:
            shown = "\n".join(f"--- {log}\n{Path(log).read_text()[-4000:]}" for log in logs)
            raise AssertionError(f"{what}: not within {seconds} s\n{shown}")
        time.sleep(0.1)
    return value


def stop(process, sig=signal.SIGTERM, seconds=20):
    """Stop a process (TERM, then KILL); its exit code."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url, timeout=5):
    """(status, body) of a GET; an HTTP error status is an answer too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (ours)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


POSTGRES_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)


class PostgresCluster:
    """A PostgreSQL cluster of the test's own (initdb, pg_ctl) on a free port, in a
    directory of its own, so the test may stop it; as the `postgres` user when run as root
    (PostgreSQL refuses to run as root). Never the shared cluster."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="qa-cms-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        self.run(
            "initdb",
            "-D",
            self.data,
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        )
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def run(self, program, *args, check=True):
        command = [str(POSTGRES_BIN / program), *map(str, args)]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert not check or done.returncode == 0, f"{program}: {done.stdout}{done.stderr}"
        return done

    def start(self):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(
            "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", "30", "start"
        )

    def stop(self, mode="fast"):
        self.run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "30", "stop")

    def destroy(self):
        self.run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)
