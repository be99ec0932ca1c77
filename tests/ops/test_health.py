"""/healthz as a load balancer uses it: JSON, no cookie, never cached, 503 naming what failed."""

import pytest
from django.db import connection, transaction

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_with_every_check_ok_and_no_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "tasks": "ok"},
    }
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
    assert response.json() == {
        "status": "fail",
        "checks": {"database": "ok", "cache": "failed", "tasks": "ok"},
        "failed": ["cache"],
    }


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
    assert response.json()["failed"] == ["tasks"]
    assert client.get("/healthz").status_code == 200


def test_healthz_refuses_to_change_anything(client):
    assert client.post("/healthz").status_code == 405
