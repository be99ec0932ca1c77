"""One log line per request with method, path, status, duration and query count; one JSON
object per line with LOG_FORMAT=json."""

import json
import logging
import os
import subprocess
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import publish_answer

pytestmark = pytest.mark.django_db


def request_records(caplog):
    return [r for r in caplog.records if r.name == "qa_cms.requests"]


def test_each_request_logs_one_line_with_its_status_time_and_queries(client, caplog):
    answer = publish_answer()
    url = f"/questions/{answer.question.slug}/"
    caplog.set_level(logging.INFO, logger="qa_cms.requests")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"q": "1"})
    assert response.status_code == 200
    [record] = request_records(caplog)
    assert (record.method, record.path, record.status) == ("GET", url, 200)
    assert record.queries == len(queries) >= 1
    assert record.duration_ms > 0
    assert record.getMessage() == f"GET {url} 200 {record.duration_ms:.1f}ms {len(queries)}q"
    assert record.levelno == logging.INFO


def test_a_missing_page_is_logged_with_its_status(client, caplog):
    caplog.set_level(logging.INFO, logger="qa_cms.requests")
    client.get("/questions/no-such-question/")
    [record] = request_records(caplog)
    assert record.status == 404


def test_log_format_json_writes_one_json_object_per_line(tmp_path):
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "Client().get('/admin/login/')\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)},
        "DJANGO_SETTINGS_MODULE": "qa_cms.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DEBUG": "1",
        "ALLOWED_HOSTS": "testserver",
        "LOG_FORMAT": "json",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    entries = [json.loads(line) for line in result.stderr.splitlines()]
    [entry] = [e for e in entries if e["logger"] == "qa_cms.requests"]
    assert entry["method"] == "GET"
    assert entry["path"] == "/admin/login/"
    assert entry["status"] == 200
    assert entry["queries"] == 0
    assert isinstance(entry["duration_ms"], float)
    assert entry["level"] == "INFO"
    assert entry["message"].startswith("GET /admin/login/ 200 ")


def test_an_unknown_log_format_stops_the_start():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "qa_cms.settings", "LOG_FORMAT": "xml"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "LOG_FORMAT must be 'text' or 'json'" in result.stderr
