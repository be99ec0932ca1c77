"""Outages degrade, not break (issue 18): the database stopped, Redis stopped, a flood of
made-up query strings, and feedback posted to several workers at once. Each with the real
thing: a PostgreSQL cluster and a Redis server the test starts and stops, gunicorn as
`make serve` runs it (tests/ops/faults.py)."""

import logging
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
import time_machine
from django.core.cache import caches
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_topic, publish_answer

from .faults import Gunicorn, OwnPostgres, OwnRedis, prepare_site, site_env


def page_entries(cache):
    """The page-cache entries in a local-memory cache."""
    return [key for key in cache._cache if ":page:" in key and "last-read" not in key]


# ------------------------------------------------------------------ bounded cache keys


@pytest.mark.django_db
def test_query_parameters_a_page_does_not_read_make_no_new_entry():
    answer = publish_answer(question="Is this page flooded by made-up query strings?")
    url = answer.get_absolute_url()
    cache = caches["default"]
    reader = Client()  # one client: each new one loads the middleware again (WhiteNoise)
    first = reader.get(url)
    assert first["X-Page-Cache"] == "miss"
    for n in range(1500):
        response = reader.get(url, {"utm": n})
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "hit"
    assert not reader.cookies
    for junk in ({"utm_source": "news", "fbclid": "x"}, {"gclid": "1", "page": "2"}):
        assert reader.get(url, junk)["X-Page-Cache"] == "hit"
    assert len(page_entries(cache)) == 1


@pytest.mark.django_db
def test_parameters_a_page_reads_make_their_own_entry_in_one_order():
    topic = make_topic(name="Flooded topic")
    for n in range(3):
        publish_answer(question=f"Is flooded search result {n} found?", topic=topic)
    search = reverse("search")
    found = Client().get(search, {"q": "flooded", "utm_source": "mail"})
    assert found["X-Page-Cache"] == "miss"
    assert "flooded search result" in found.content.decode().lower()
    again = Client().get(f"{search}?utm_campaign=x&q=flooded&fbclid=y")
    assert again["X-Page-Cache"] == "hit"
    assert again.content == found.content
    assert Client().get(search, {"q": "other"})["X-Page-Cache"] == "miss"
    # Order does not matter: q and page in either order are one page.
    assert Client().get(f"{search}?page=1&q=flooded")["X-Page-Cache"] == "miss"
    assert Client().get(f"{search}?q=flooded&page=1&utm=3")["X-Page-Cache"] == "hit"
    topic_url = topic.get_absolute_url()
    assert Client().get(topic_url, {"page": "1", "ref": "a"})["X-Page-Cache"] == "miss"
    assert Client().get(topic_url, {"page": "1", "ref": "b"})["X-Page-Cache"] == "hit"
    assert len(page_entries(caches["default"])) == 4


@pytest.mark.django_db
def test_staff_requests_keep_their_query_string():
    from tests.factories import make_editor

    answer = publish_answer(question="Does staff keep the query string?")
    staff = Client()
    staff.force_login(make_editor())
    response = staff.get(answer.get_absolute_url(), {"utm": "1"})
    assert response.status_code == 200
    assert response.wsgi_request.GET["utm"] == "1"
    reader = Client().get(answer.get_absolute_url(), {"utm": "1"})
    assert "utm" not in reader.wsgi_request.GET


# ------------------------------------------- the database down, inside one process


def refuse_every_query(execute, sql, params, many, context):
    raise OperationalError("connection to server failed: Connection refused (test)")


@pytest.mark.django_db
def test_without_the_database_cached_pages_are_served_for_the_grace_only(settings, monkeypatch):
    """The rules, quickly (the real outage is the PostgreSQL test below): every query fails
    as with the server gone. Cached pages are served for PAGE_CACHE_DATABASE_GRACE after the
    last read, by this process or, through the cache, another; the rest is 503."""
    from ops import pagecache

    settings.PAGE_CACHE_DATABASE_GRACE = 300
    monkeypatch.setattr(pagecache, "_last_stored", None)  # the cache was emptied for the test
    cached = publish_answer(question="Is this page served while the database is down?")
    other = publish_answer(question="Is this page refused while the database is down?")
    cached_url, other_url = cached.get_absolute_url(), other.get_absolute_url()
    reader = Client(raise_request_exception=False)
    assert reader.get(cached_url)["X-Page-Cache"] == "miss"
    with connection.execute_wrapper(refuse_every_query):
        served = reader.get(cached_url, {"utm_source": "x"})
        assert served.status_code == 200 and served["X-Page-Cache"] == "grace"
        refused = reader.get(other_url)
        assert refused.status_code == 503 and refused["Retry-After"] == "60"
        assert refused["Cache-Control"] == "no-store" and not refused.cookies
        # Not a public page: the view fails, and handler500 answers 503, not 500.
        posted = reader.post(
            f"{cached_url}feedback/",
            {"kind": "helpful"},
            headers={"Sec-Fetch-Site": "same-origin"},
        )
        assert posted.status_code == 503
        assert "Please try again in a minute" in posted.content.decode()
        # A worker started during the outage finds the generation in the shared cache.
        monkeypatch.setattr(pagecache, "_last_read", None)
        assert reader.get(cached_url).status_code == 200
        with time_machine.travel(timezone.now() + timedelta(seconds=301)):
            assert reader.get(cached_url).status_code == 503
    assert reader.get(other_url).status_code == 200


def test_a_bug_is_still_a_500(rf):
    from ops.errors import server_error

    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(rf.get("/")).status_code == 500
    try:
        raise OperationalError("the database")
    except OperationalError:
        assert server_error(rf.get("/")).status_code == 503


# ------------------------------------------------------------------------ Redis down


@pytest.fixture
def redis_cache(settings):
    """The site's cache on a Redis server of the test's own."""
    server = OwnRedis()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "ops.cache.FailSoftRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.REDIS_RETRY_SECONDS = 1
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.django_db
def test_pages_are_rendered_when_redis_stops(redis_cache, caplog, settings):
    import redis

    answer = publish_answer(question="Is this page shown with Redis stopped?")
    url = answer.get_absolute_url()
    assert Client().get(url)["X-Page-Cache"] == "miss"
    assert Client().get(url)["X-Page-Cache"] == "hit"
    reader = Client()
    for n in range(1500):
        assert reader.get(url, {"utm": n})["X-Page-Cache"] == "hit"
    keys = [key.decode() for key in redis.Redis.from_url(redis_cache.url).keys("*page:*")]
    assert len([key for key in keys if "last-read" not in key]) == 1, keys

    redis_cache.stop()
    with caplog.at_level(logging.WARNING, logger="ops.cache"):
        for path in (
            url,
            "/",
            reverse("search") + "?q=stopped",
            answer.question.topic.get_absolute_url(),
        ):
            for _ in range(3):
                response = Client().get(path)
                assert response.status_code == 200, path
                assert response["X-Page-Cache"] == "miss"
    assert "Is this page shown with Redis stopped?" in Client().get(url).content.decode()
    warnings = [r for r in caplog.records if r.name == "ops.cache"]
    assert len(warnings) == 1 and "Redis cache unreachable" in warnings[0].getMessage()
    # /healthz still tells the truth.
    assert Client().get("/healthz").json()["checks"]["cache"] == "failed"

    redis_cache.start()  # the same port, empty
    time.sleep(settings.REDIS_RETRY_SECONDS + 0.1)
    assert Client().get(url)["X-Page-Cache"] == "miss"
    assert Client().get(url)["X-Page-Cache"] == "hit"


# ----------------------------------------------------- rate limits across workers


def test_feedback_limit_holds_across_four_gunicorn_workers(tmp_path):
    """`make serve`'s defaults: SQLite, the local-memory cache, four workers. Thirty posts
    at once from one address: exactly FEEDBACK_RATE_LIMIT (5) are taken."""
    database = tmp_path / "site.sqlite3"
    env = site_env(f"sqlite:///{database}")
    site = prepare_site(env)
    url = site["answers"][0]
    with Gunicorn(env, workers=4) as server:

        def post(_):
            return httpx.post(
                f"{server.url}{url}feedback/",
                data={"kind": "helpful"},
                headers={"Origin": server.url, "Sec-Fetch-Site": "same-origin"},
                timeout=30,
            ).status_code

        with ThreadPoolExecutor(max_workers=10) as pool:
            statuses = list(pool.map(post, range(30)))
    assert server.log.count("Booting worker") == 4
    assert sorted(statuses) == [302] * 5 + [429] * 25
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM answers_readerfeedback").fetchone() == (5,)


# ------------------------------------------------------------------ database down


@pytest.fixture
def own_postgres():
    cluster = OwnPostgres()
    try:
        cluster.init()
        yield cluster
    finally:
        cluster.remove()


def test_database_stopped_cached_pages_200_others_503_then_back(own_postgres):
    """`make serve` on a PostgreSQL cluster that is stopped and started again: pages in the
    page cache are still served, others answer 503 with Retry-After, none 500; then every
    page is back. One worker: with the local-memory cache each worker holds its own pages."""
    env = site_env(own_postgres.url)
    site = prepare_site(env)
    cached, uncached, _ = site["answers"]
    with Gunicorn(env, workers=1) as server:
        get = httpx.Client(base_url=server.url, timeout=15).get
        for path in (cached, "/", site["topic"]):
            assert get(path).headers["X-Page-Cache"] == "miss"
            assert get(path).headers["X-Page-Cache"] == "hit"

        own_postgres.stop()
        for path in (cached, "/", site["topic"], f"{cached}?utm_source=mail"):
            response = get(path)
            assert response.status_code == 200, path
            assert response.headers["X-Page-Cache"] == "grace"
            assert "stale-if-error=" in response.headers["Cache-Control"]
        for path in (uncached, "/search/?q=heart", site["topic"] + "?page=2"):
            response = get(path)
            assert response.status_code == 503, path
            assert response.headers["Retry-After"] == "60"
            assert response.headers["Cache-Control"] == "no-store"
            assert "set-cookie" not in response.headers
            assert "Please try again in a minute" in response.text
        # A page outside the page cache, whose view fails on the database: 503 too.
        posted = httpx.post(
            f"{server.url}{cached}feedback/",
            data={"kind": "helpful"},
            headers={"Origin": server.url, "Sec-Fetch-Site": "same-origin"},
            timeout=15,
        )
        assert posted.status_code == 503 and posted.headers["Retry-After"] == "60"

        own_postgres.start()
        response = get(uncached)
        assert response.status_code == 200
        assert response.headers["X-Page-Cache"] == "miss"
        assert get(cached).headers["X-Page-Cache"] == "hit"
    statuses = [status for _, _, status in server.requests_logged()]
    assert 503 in statuses and 500 not in statuses
    assert "Internal Server Error" not in server.log
