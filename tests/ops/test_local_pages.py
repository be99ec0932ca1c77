"""Each web process's memory of pages (ops.pagecache.LocalPages), in front of the shared page
cache: used on a hit, and never trusted past the shared cache or the public generation, in
one process and across two."""

import subprocess
import sys

import httpx
import pytest
from django.core.cache import cache
from django.test import Client

from ops.pagecache import LocalPages, _cache_key, bump_generation, current_generation, local_pages
from tests.factories import make_editor, make_topic, publish_answer

from .faults import BASE_DIR, Gunicorn, OwnRedis, prepare_site, site_env


@pytest.fixture(params=["files", "redis"])
def shared_cache(request, settings, tmp_path):
    """The page cache in files, as `make serve` has it, or in Redis (a server of the
    test's own, as REDIS_URL would name)."""
    redis = None
    if request.param == "files":
        backend = {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "pages"),
        }
    else:
        redis = OwnRedis()
        redis.start()
        backend = {"BACKEND": "ops.cache.FailSoftRedisCache", "LOCATION": redis.url}
    settings.CACHES = {"default": backend}
    local_pages.clear()
    try:
        yield
    finally:
        local_pages.clear()
        if redis is not None:
            redis.stop()


def _tamper(request_path, host="testserver"):
    """Replace the shared cache's copy of the page with one saying TAMPERED: only a page
    served from a process's memory still reads as before."""
    from django.test import RequestFactory

    request = RequestFactory().get(request_path, HTTP_HOST=host)
    key = _cache_key(request, current_generation())
    page = cache.get(key)
    assert page is not None
    page.content = b"TAMPERED"
    cache.set(key, page)


@pytest.mark.django_db
def test_a_hit_comes_from_memory_only_while_the_shared_cache_holds_the_page(shared_cache):
    answer = publish_answer(question="Is the memory-cached test answer served?")
    url = answer.get_absolute_url()
    first = Client().get(url)
    assert first["X-Page-Cache"] == "miss"
    again = Client().get(url)
    assert again["X-Page-Cache"] == "hit"
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]

    _tamper(url)
    from_memory = Client().get(url)
    assert from_memory["X-Page-Cache"] == "hit"
    assert from_memory.content == first.content
    # Its headers are its own: changing one on a response changes no later one.
    from_memory["X-Test"] = "changed"
    assert "X-Test" not in Client().get(url)

    cache.clear()
    assert Client().get(url)["X-Page-Cache"] == "miss"
    _tamper(url)
    assert Client().get(url).content == first.content
    bump_generation()
    fresh = Client().get(url)
    assert fresh["X-Page-Cache"] == "miss"
    assert fresh.content == first.content


@pytest.mark.django_db
def test_a_conditional_request_answered_from_memory_is_a_304(shared_cache):
    url = publish_answer(question="Is the memory-cached 304 test answer served?").get_absolute_url()
    page = Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"
    for headers in (
        {"If-None-Match": page["ETag"]},
        {"If-Modified-Since": page["Last-Modified"]},
    ):
        response = Client().get(url, headers=headers)
        assert response.status_code == 304
        assert response["ETag"] == page["ETag"]
        assert response["Cache-Control"] == page["Cache-Control"]
    assert Client().get(url, headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.django_db
def test_withdrawal_and_publication_are_on_the_next_request_from_memory(shared_cache):
    topic = make_topic(name="Memory cache test topic")
    answer = publish_answer(question="Is the memory-withdrawn test answer served?", topic=topic)
    url, topic_url = answer.get_absolute_url(), topic.get_absolute_url()
    for address in (url, topic_url):
        Client().get(address)
        assert Client().get(address)["X-Page-Cache"] == "hit"
    answer.withdraw(by=make_editor(), reason="Memory cache test withdrawal")
    assert Client().get(url).status_code == 410
    assert "Is the memory-withdrawn test answer served?" not in Client().get(topic_url).text
    publish_answer(question="Is the memory-published test answer listed?", topic=topic)
    assert "Is the memory-published test answer listed?" in Client().get(topic_url).text


@pytest.mark.django_db
def test_memory_off_serves_from_the_shared_cache(shared_cache, settings):
    settings.PAGE_CACHE_LOCAL_BYTES = 0
    url = publish_answer(question="Is the test answer without memory served?").get_absolute_url()
    first = Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"
    assert len(local_pages) == 0
    _tamper(url)
    assert Client().get(url).content == b"TAMPERED"
    assert first.content != b"TAMPERED"


class _Shared:
    """A shared cache holding every key but `gone`."""

    def __init__(self):
        self.gone = set()

    def has_key(self, key):
        return key not in self.gone


def _response(size):
    from django.http import HttpResponse

    return HttpResponse(b"x" * size)


def test_memory_keeps_the_last_used_pages_within_its_bytes(settings):
    settings.PAGE_CACHE_LOCAL_BYTES = 80_000
    pages, shared = LocalPages(), _Shared()
    names = [f"page-{n}" for n in range(8)]
    for name in names:
        pages.set(name, _response(9_000), 60)
    assert len(pages) == 8
    assert pages.get("page-0", shared) is not None  # now the last used; page-1 the first out
    pages.set("page-8", _response(9_000), 60)
    assert pages.get("page-1", shared) is None
    assert all(pages.get(name, shared) is not None for name in [*names[2:], "page-0", "page-8"])
    assert pages._bytes <= 80_000
    # A page larger than an eighth of it is served but not kept.
    pages.set("large", _response(10_001), 60)
    assert pages.get("large", shared) is None
    shared.gone.add("page-2")
    assert pages.get("page-2", shared) is None
    assert len(pages) == 7


def test_memory_keeps_a_page_no_longer_than_its_timeout(settings, monkeypatch):
    settings.PAGE_CACHE_LOCAL_BYTES = 40_000
    pages, shared = LocalPages(), _Shared()
    pages.set("a", _response(100), 30)
    now = __import__("time").monotonic()
    monkeypatch.setattr("ops.pagecache.time.monotonic", lambda: now + 29)
    assert pages.get("a", shared) is not None
    monkeypatch.setattr("ops.pagecache.time.monotonic", lambda: now + 31)
    assert pages.get("a", shared) is None
    assert len(pages) == 0


# ------------------------------------------------------------ two processes, one shared cache

CHANGE = """
import django, itertools, json, sys

django.setup()
import tests.factories

action, argument = sys.argv[1], sys.argv[2]
# Names of its own: the site and each earlier change were made by other processes.
tests.factories._n = itertools.count(10_000 * (1 + ["tamper", "withdraw", "publish"].index(action)))
from django.core.cache import cache
from django.test import RequestFactory

from answers.models import Answer
from ops.pagecache import _cache_key, current_generation
from tests.factories import make_editor, publish_answer

if action == "tamper":
    request = RequestFactory().get(argument, HTTP_HOST="127.0.0.1")
    key = _cache_key(request, current_generation())
    page = cache.get(key)
    assert page is not None, key
    page.content = page.content.replace(b"fault test answer", b"TAMPERED---answer")
    cache.set(key, page)
elif action == "withdraw":
    answer = Answer.objects.get(question__slug=argument.strip("/").rsplit("/", 1)[-1])
    answer.withdraw(by=make_editor(), reason="Two-process memory cache test")
elif action == "publish":
    from answers.models import Topic

    topic = Topic.objects.get(slug=argument.strip("/").rsplit("/", 1)[-1])
    publish_answer(question="Is the two-process test answer listed?", topic=topic)
print(json.dumps("done"))
"""


def _change(env, action, argument):
    done = subprocess.run(
        [sys.executable, "-c", CHANGE, action, argument],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def test_a_change_made_in_another_process_is_seen_by_both_workers_at_once(tmp_path):
    """Two web processes (one worker each) on one database and one file cache, as two
    gunicorn workers of `make serve`: both serve the answer and its topic from memory (the
    shared copy, changed behind their back, is not read), then a third process withdraws
    the answer and publishes another: the very next request to each sees it."""
    env = site_env(f"sqlite:///{tmp_path / 'site.sqlite3'}", CACHE_DIR=str(tmp_path / "pages"))
    site = prepare_site(env)
    url, topic_url = site["answers"][0], site["topic"]
    with Gunicorn(env, workers=1) as one, Gunicorn(env, workers=1) as two:
        # One Host for both, as behind one address: they share each page's cache entry.
        clients = [
            httpx.Client(base_url=server.url, headers={"Host": "127.0.0.1"}, timeout=15)
            for server in (one, two)
        ]
        pages = {}
        for address in (url, topic_url):
            for client in clients:
                response = client.get(address)
                assert response.status_code == 200
                pages.setdefault(address, response.text)
                assert response.text == pages[address]
            for client in clients:
                assert client.get(address).headers["X-Page-Cache"] == "hit"
            _change(env, "tamper", address)
            for client in clients:
                response = client.get(address)
                assert response.headers["X-Page-Cache"] == "hit"
                assert "TAMPERED" not in response.text  # from this process's memory

        _change(env, "withdraw", url)
        for client in clients:
            assert client.get(url).status_code == 410
            listed = client.get(topic_url).text
            assert "TAMPERED" not in listed
            assert "fault test answer 0" not in listed
        _change(env, "publish", topic_url)
        for client in clients:
            assert "Is the two-process test answer listed?" in client.get(topic_url).text
            assert client.get(url).status_code == 410
    for server in (one, two):
        assert "Traceback" not in server.log
        assert 500 not in [status for _, _, status in server.requests_logged()]


@pytest.mark.django_db
def test_a_search_served_from_memory_is_counted_too(shared_cache):
    """What the view set on its response for the page's on_serve (`search_found`) is kept
    with the page in memory, as in the shared cache."""
    from answers.models import SearchCount

    publish_answer(question="Is the memory-counted test answer found?")
    for _ in range(3):
        response = Client().get("/search/", {"q": "xqzvvkj"})
    assert response["X-Page-Cache"] == "hit"
    assert SearchCount.objects.get(query="xqzvvkj").searches == 3
