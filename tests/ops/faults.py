"""Real services for the fault tests, each started by the test on its own port and stopped
by it: a PostgreSQL cluster (never the shared one on 5432), a Redis server, and gunicorn
serving the site as `make serve` does (deploy/gunicorn.conf.py, DEBUG off)."""

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
PG_BIN = Path("/usr/lib/postgresql/15/bin")
REDIS_SERVER = shutil.which("redis-server")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def missing(message):
    """A tool the test needs is not installed: CI fails, a developer's run skips."""
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def site_env(database_url, **extra):
    """The environment of `make serve` (DEBUG off), on `database_url`."""
    return {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "qa_cms.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "SECURE_COOKIES": "0",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_MANIFEST": "0",
        "LOG_FORMAT": "json",
        **extra,
    }


PREPARE = """
import json
import django

django.setup()
from django.core.management import call_command

call_command("migrate", verbosity=0)
from tests.factories import make_topic, publish_answer

topic = make_topic(name="Fault test topic")
answers = [
    publish_answer(question=f"Is fault test answer {n} served?", topic=topic) for n in range(3)
]
print(json.dumps({"answers": [a.get_absolute_url() for a in answers],
                  "topic": topic.get_absolute_url()}))
"""


def prepare_site(env):
    """Migrate the database `env` names and publish three answers in one topic; their
    addresses."""
    done = subprocess.run(
        [sys.executable, "-c", PREPARE],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


class Gunicorn:
    """gunicorn -c deploy/gunicorn.conf.py qa_cms.wsgi, as `make serve` starts it."""

    def __init__(self, env, *, workers):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(workers)}
        self.log = ""

    def __enter__(self):
        self.process = subprocess.Popen(
            [GUNICORN, "-c", "deploy/gunicorn.conf.py", "qa_cms.wsgi"],
            cwd=BASE_DIR,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(self.url + "/robots.txt", timeout=5)
                return self
            except httpx.TransportError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError(f"gunicorn did not start:\n{self.log}") from None
                time.sleep(0.2)

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            _, self.log = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, self.log = self.process.communicate()

    def requests_logged(self):
        """(method, path, status) of each request the app logged."""
        return [
            (entry["method"], entry["path"], entry["status"])
            for entry in map(json.loads, filter(_is_json, self.log.splitlines()))
            if entry.get("logger") == "qa_cms.requests"
        ]


def _is_json(line):
    return line.startswith("{")


def _as_postgres(command):
    """Run a PostgreSQL tool as the `postgres` user when we are root (initdb refuses root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class OwnPostgres:
    """A PostgreSQL 15 cluster of the test's own, in a temporary directory, on a free port:
    the test may stop and start it. The shared cluster on 5432 is never touched."""

    def __init__(self):
        if not (PG_BIN / "initdb").exists():
            missing(f"PostgreSQL 15 not found in {PG_BIN}: install postgresql-15 to run it.")
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="qa-cms-fault-pg-"))
        self.data = self.root / "data"
        self.logfile = self.root / "postgres.log"
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/qa_cms_degrade"

    def _run(self, *command):
        subprocess.run(_as_postgres(command), check=True, capture_output=True, timeout=60)

    def init(self):
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-N"
        )
        self.start()
        self._run(
            str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "qa_cms_degrade"
        )

    def start(self):
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c fsync=off -c full_page_writes=off"
        )
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.logfile),
            "-o", options, "-w", "start",
        )  # fmt: skip

    def stop(self, mode="fast"):
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self):
        with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class OwnRedis:
    """redis-server on a free port, in the foreground, saving nothing to disk."""

    def __init__(self):
        if REDIS_SERVER is None:
            missing("redis-server not found: install Debian's redis-server to run it.")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            assert self.process.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, "redis-server did not start in 10 s"
            time.sleep(0.05)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
