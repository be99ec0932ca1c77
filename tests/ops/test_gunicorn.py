"""The web process as deployed: gunicorn with deploy/gunicorn.conf.py, DEBUG off, answering
over a real socket, with the request log in JSON."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_gunicorn_serves_the_app_and_healthz_names_an_unmigrated_task_queue(tmp_path):
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",  # never migrated
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "LOG_FORMAT": "json",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_MANIFEST": "0",
    }
    server = subprocess.Popen(
        [GUNICORN, "-c", "deploy/gunicorn.conf.py", "qa_cms.wsgi"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _ = get(f"http://127.0.0.1:{port}/admin/login/")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "gunicorn did not answer in 30 s"
                time.sleep(0.2)
        assert status == 200

        status, body = get(f"http://127.0.0.1:{port}/healthz")
        assert status == 503
        assert json.loads(body)["failed"] == ["tasks", "worker", "scheduler"]
    finally:
        server.send_signal(signal.SIGTERM)
        _, errors = server.communicate(timeout=30)

    requests = [
        json.loads(line)
        for line in errors.splitlines()
        if line.startswith("{") and '"qa_cms.requests"' in line
    ]
    assert [(r["method"], r["path"], r["status"]) for r in requests] == [
        ("GET", "/admin/login/", 200),
        ("GET", "/healthz", 503),
    ]
    assert server.returncode == 0
