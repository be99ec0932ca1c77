"""/healthz as a load balancer uses it: JSON, no cookie, never cached, 503 naming what failed
and why, with the task worker's last heartbeat and the scheduler's last tick."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from ops.heartbeat import beat
from ops.models import ProcessKind

pytestmark = pytest.mark.django_db

EVERY_CHECK_OK = {
    "database": "ok",
    "cache": "ok",
    "tasks": "ok",
    "worker": "ok",
    "scheduler": "ok",
}


@pytest.fixture(autouse=True)
def alive():
    """A worker and a scheduler that beat just now; returns the moment."""
    with time_machine.travel(timezone.now(), tick=False):
        now = beat(kind=ProcessKind.WORKER, name="worker-1", started_at=timezone.now())
        beat(kind=ProcessKind.SCHEDULER, name="scheduler-1", started_at=now)
    return now


def test_healthz_answers_200_with_every_check_ok_and_no_cookie(client, alive):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == EVERY_CHECK_OK
    assert body["worker"]["last_heartbeat"] == alive.isoformat()
    assert 0 <= body["worker"]["age_seconds"] <= 5
    assert body["worker"]["max_age_seconds"] == 60
    assert body["scheduler"]["last_tick"] == alive.isoformat()
    assert body["scheduler"]["max_age_seconds"] == 180
    assert "failed" not in body and "reasons" not in body
    assert response["Content-Type"] == "application/json"
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert "no-store" in response["Cache-Control"]


def test_healthz_is_not_redirected_to_https(client, settings):
    """The load balancer probes the app over plain HTTP, behind the TLS proxy."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


def test_healthz_names_a_cache_that_does_not_keep_values(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"] == {**EVERY_CHECK_OK, "cache": "failed"}
    assert body["failed"] == ["cache"]
    assert body["reasons"] == {"cache": "the cache check failed (details in the log)"}


class _Undo(Exception):
    pass


def test_healthz_names_a_task_queue_it_cannot_read(client):
    from django_tasks_db.models import DBTaskResult

    # Both databases roll DDL back with the savepoint, the failed query's effects included.
    with pytest.raises(_Undo), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {DBTaskResult._meta.db_table} RENAME TO healthz_gone")
        response = client.get("/healthz")
        raise _Undo
    assert response.status_code == 503
    # On PostgreSQL the failed query also aborts this test's transaction, so the heartbeats
    # read after it fail too (in service /healthz runs in autocommit, each check alone).
    assert response.json()["failed"][0] == "tasks"
    assert response.json()["checks"]["database"] == "ok"
    assert client.get("/healthz").status_code == 200


def test_healthz_refuses_to_change_anything(client):
    assert client.post("/healthz").status_code == 405


def test_healthz_fails_when_the_worker_is_silent_longer_than_its_setting(client, alive, settings):
    settings.HEALTHZ_WORKER_MAX_AGE = 60
    with time_machine.travel(alive + timedelta(seconds=61), tick=False):
        beat(kind=ProcessKind.SCHEDULER, name="scheduler-1", started_at=alive)
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"] == {**EVERY_CHECK_OK, "worker": "failed"}
    assert body["failed"] == ["worker"]
    assert body["reasons"] == {"worker": "no task worker heard from for 61 s (limit 60 s)"}
    assert body["worker"] == {
        "last_heartbeat": alive.isoformat(),
        "age_seconds": 61,
        "max_age_seconds": 60,
    }


def test_healthz_fails_when_the_scheduler_has_not_ticked(client, alive, settings):
    settings.HEALTHZ_SCHEDULER_MAX_AGE = 180
    with time_machine.travel(alive + timedelta(seconds=200), tick=False):
        beat(kind=ProcessKind.WORKER, name="worker-1", started_at=alive)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["reasons"] == {
        "scheduler": "no scheduler heard from for 200 s (limit 180 s)"
    }


def test_the_newest_of_several_workers_counts(client, alive, settings):
    with time_machine.travel(alive + timedelta(seconds=100), tick=False):
        beat(kind=ProcessKind.WORKER, name="worker-2", started_at=alive)
        beat(kind=ProcessKind.SCHEDULER, name="scheduler-1", started_at=alive)
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker"]["age_seconds"] == 0


def test_healthz_fails_when_no_worker_ever_beat(client):
    from ops.models import Heartbeat

    Heartbeat.objects.filter(kind=ProcessKind.WORKER).delete()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["reasons"] == {"worker": "no task worker has ever recorded a heartbeat"}
    assert body["worker"] == {"last_heartbeat": None, "age_seconds": None, "max_age_seconds": 60}


def test_a_process_check_set_to_0_is_not_checked(client, settings):
    """Where no worker or scheduler runs beside the web (the benchmark's gunicorn)."""
    from ops.models import Heartbeat

    settings.HEALTHZ_WORKER_MAX_AGE = settings.HEALTHZ_SCHEDULER_MAX_AGE = 0
    Heartbeat.objects.all().delete()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {
        **EVERY_CHECK_OK,
        "worker": "not checked",
        "scheduler": "not checked",
    }


def test_healthz_costs_few_queries(client, django_assert_num_queries):
    """One for the database, one for the queue, one for every heartbeat at once."""
    with django_assert_num_queries(3):
        assert client.get("/healthz").status_code == 200
