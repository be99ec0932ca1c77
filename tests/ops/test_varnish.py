"""A real Varnish with deploy/varnish/default.vcl in front of the app (pytest-django's live
server): repeat requests are hits, a change purges exactly its pages, staff and posts go
through. The purge tasks run in the real worker (the shared `run_worker` fixture)."""

import contextlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from django.test import Client

from answers.models import ReaderFeedback
from tests.factories import make_editor, make_topic, publish_answer

BASE_DIR = Path(__file__).resolve().parents[2]
VCL = BASE_DIR / "deploy" / "varnish" / "default.vcl"
VARNISHD = shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin:/usr/local/sbin")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_varnish(tmp_path, backend_port, *, extra_vcl=""):
    """varnishd in the foreground (-F) on a free port, with its own working directory and
    the shipped VCL pointed at `backend_port` (plus `extra_vcl`); stopped on leaving."""
    if VARNISHD is None:
        message = "varnishd not found: install Debian's varnish and varnish-modules to run it."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    vcl = VCL.read_text()
    assert '.port = "8000";' in vcl
    # Varnish 7 takes -b or -f, not both: the shipped VCL, pointed at the backend.
    (tmp_path / "test.vcl").write_text(vcl.replace('"8000"', f'"{backend_port}"') + extra_vcl)
    port = free_port()
    process = subprocess.Popen(
        [
            VARNISHD,
            "-F",
            "-j",
            "none",
            "-n",
            str(tmp_path / "varnish"),
            "-a",
            f"127.0.0.1:{port}",
            "-f",
            str(tmp_path / "test.vcl"),
            "-s",
            "malloc,32m",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/robots.txt", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    output = process.communicate()[0]
                    raise RuntimeError(f"varnishd did not start:\n{output}") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def varnish(live_server, tmp_path, settings):
    """Varnish in front of the live server, taking the app's purges."""
    backend_port = live_server.url.rsplit(":", 1)[1]
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    from ops.purge import _backend

    with running_varnish(tmp_path, backend_port) as url:
        settings.PURGE_BACKENDS = {
            "varnish": {"BACKEND": "ops.purge.VarnishXkeyBackend", "URL": url + "/"}
        }
        settings.PURGE_REPEAT_SECONDS = 0
        _backend.cache_clear()
        try:
            yield url
        finally:
            _backend.cache_clear()


def cache_state(url, path, **kwargs):
    response = httpx.get(url + path, timeout=5, **kwargs)
    return response.status_code, response.headers["X-Cache"]


@pytest.mark.django_db(transaction=True)
def test_varnish_caches_public_pages_and_purges_exactly_what_changed(groups, varnish, run_worker):
    heart, skin = make_topic(name="Varnish heart"), make_topic(name="Varnish skin")
    stays = publish_answer(question="Does the heart answer stay cached?", topic=heart)
    other = publish_answer(question="Does the skin answer stay cached?", topic=skin)
    run_worker()  # the purges of the setup
    new_url = "/questions/is-the-new-heart-answer-purged/"
    pages = {
        "stays": stays.get_absolute_url(),
        "other": other.get_absolute_url(),
        "heart": heart.get_absolute_url(),
        "skin": skin.get_absolute_url(),
        "home": "/",
        "feed": "/feed/",
        "api": "/api/answers/",
        "new": new_url,
    }
    for path in pages.values():
        first = httpx.get(varnish + path, timeout=5)
        assert first.headers["X-Cache"] == "MISS", path
        assert "xkey" not in first.headers and "set-cookie" not in first.headers
        again = httpx.get(varnish + path, timeout=5)
        assert again.headers["X-Cache"] == "HIT", path
        assert int(again.headers["Age"]) >= 0
    assert cache_state(varnish, new_url) == (404, "HIT")

    def after_change():
        return {name: cache_state(varnish, path)[1] for name, path in pages.items()}

    new = publish_answer(question="Is the new heart answer purged?", topic=heart)
    run_worker()
    assert new.get_absolute_url() == new_url
    assert after_change() == {
        "stays": "HIT",
        "other": "HIT",
        "heart": "MISS",
        "skin": "HIT",
        "home": "MISS",
        "feed": "MISS",
        "api": "MISS",
        "new": "MISS",
    }
    assert cache_state(varnish, new_url) == (200, "HIT")
    assert new.question.text in httpx.get(varnish + "/").text

    stays.withdraw(by=make_editor(), reason="Varnish test withdrawal")
    run_worker()
    assert after_change() == {
        "stays": "MISS",
        "other": "HIT",
        "heart": "MISS",
        "skin": "HIT",
        "home": "MISS",
        "feed": "MISS",
        "api": "MISS",
        "new": "HIT",
    }
    assert cache_state(varnish, pages["stays"]) == (410, "HIT")


@pytest.mark.django_db(transaction=True)
def test_varnish_passes_staff_and_the_feedback_post(groups, varnish, run_worker):
    answer = publish_answer(question="Does Varnish pass staff through?")
    run_worker()
    path = answer.get_absolute_url()
    httpx.get(varnish + path, timeout=5)
    assert cache_state(varnish, path) == (200, "HIT")
    # Tracking tags are dropped before the lookup: the same cached copy.
    assert cache_state(varnish, path + "?utm_source=mail&fbclid=1") == (200, "HIT")
    assert cache_state(varnish, path + "?gclid=2&utm_campaign=x") == (200, "HIT")

    signed_in = Client()
    signed_in.force_login(make_editor())
    session = {"sessionid": signed_in.cookies["sessionid"].value}
    for _ in range(2):
        staff = httpx.get(varnish + path, cookies=session, timeout=5)
        assert staff.headers["X-Cache"] == "MISS"
        assert staff.headers["Cache-Control"] == "private, no-store"
    admin = httpx.get(varnish + "/admin/", cookies=session, timeout=5)
    assert admin.status_code == 200 and admin.headers["X-Cache"] == "MISS"

    posted = httpx.post(
        varnish + path + "feedback/",
        data={"kind": "helpful"},
        headers={"Origin": varnish, "Sec-Fetch-Site": "same-origin"},
        timeout=5,
    )
    assert posted.status_code == 302
    assert ReaderFeedback.objects.filter(answer=answer, kind="helpful").count() == 1
    # The reader comes back with the "thank you" in a cookie: a fresh page, just for them.
    message = posted.cookies["messages"]  # a Secure cookie: sent by hand over plain http
    thanked = httpx.get(varnish + path, headers={"Cookie": f"messages={message}"}, timeout=5)
    assert thanked.headers["X-Cache"] == "MISS"
    assert "Thank you for your feedback" in thanked.text
    assert thanked.headers["Cache-Control"] == "private, no-store"
    assert cache_state(varnish, path) == (200, "HIT")  # readers still share the cached page

    cross_site = httpx.post(
        varnish + path + "feedback/",
        data={"kind": "helpful"},
        headers={"Origin": "https://elsewhere.example", "Sec-Fetch-Site": "cross-site"},
        timeout=5,
    )
    assert cross_site.status_code == 403
    assert ReaderFeedback.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_varnish_takes_purges_only_from_its_acl(groups, varnish):
    answer = publish_answer(question="Can anyone purge Varnish?")
    path = answer.get_absolute_url()
    httpx.get(varnish + path, timeout=5)
    purge = {"method": "PURGE", "url": varnish + "/", "headers": {"xkey-purge": "all"}}
    # 127.0.0.2 is this machine too, but not in the "purgers" ACL.
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2")) as outsider:
        assert outsider.request(**purge, timeout=5).status_code == 403
    assert cache_state(varnish, path) == (200, "HIT")
    assert httpx.request(**purge, timeout=5).status_code == 200
    assert cache_state(varnish, path) == (200, "MISS")


@pytest.mark.django_db(transaction=True)
def test_varnish_serves_stale_pages_while_the_app_is_down(groups, tmp_path, settings):
    """Grace from stale-if-error: past its TTL, a page is fetched anew while the app answers,
    and served stale once the app is gone; a page never fetched gets a plain 503."""
    from pytest_django.live_server_helper import LiveServer

    settings.PAGE_CACHE = False  # the app's own cache is not what is tested here
    settings.PUBLIC_CACHE_S_MAXAGE = 1
    settings.PUBLIC_CACHE_STALE_WHILE_REVALIDATE = 0
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    kept = publish_answer(question="Does Varnish keep this page while the app is down?")
    lost = publish_answer(question="Does Varnish drop this page without stale-if-error?")
    never = publish_answer(question="Was this page never fetched through Varnish?")
    app = LiveServer("127.0.0.1:0")
    # The live server's threads would answer a kept-alive connection after it stops: close
    # each one, so that stopping it stops it.
    close = '\nsub vcl_backend_fetch { set bereq.http.Connection = "close"; }\n'
    try:
        with running_varnish(tmp_path, app.thread.port, extra_vcl=close) as url:
            settings.PUBLIC_CACHE_STALE_IF_ERROR = 3600
            first = httpx.get(url + kept.get_absolute_url(), timeout=5)
            assert first.status_code == 200 and first.headers["X-Cache"] == "MISS"
            assert "stale-if-error=3600" in first.headers["Cache-Control"]
            settings.PUBLIC_CACHE_STALE_IF_ERROR = 0
            assert cache_state(url, lost.get_absolute_url()) == (200, "MISS")
            time.sleep(1.5)
            # Past the TTL with the app up: fetched anew, not served stale.
            assert cache_state(url, lost.get_absolute_url()) == (200, "MISS")
            settings.PUBLIC_CACHE_STALE_IF_ERROR = 3600
            assert cache_state(url, kept.get_absolute_url()) == (200, "MISS")
            assert cache_state(url, kept.get_absolute_url()) == (200, "HIT")

            app.stop()
            app = None
            time.sleep(1.5)  # both copies are past their TTL now
            stale = httpx.get(url + kept.get_absolute_url(), timeout=5)
            assert stale.status_code == 200 and stale.headers["X-Cache"] == "STALE"
            assert stale.text == first.text
            assert cache_state(url, kept.get_absolute_url()) == (200, "STALE")
            # No stale-if-error, no grace: the app is down, so "try again".
            gone = httpx.get(url + lost.get_absolute_url(), timeout=5)
            assert gone.status_code == 503
            never_fetched = httpx.get(url + never.get_absolute_url(), timeout=5)
            assert never_fetched.status_code == 503
            assert never_fetched.headers["Retry-After"] == "60"
            assert never_fetched.headers["Cache-Control"] == "no-store"
            assert "Please try again in a minute" in never_fetched.text
            assert "Guru Meditation" not in never_fetched.text
    finally:
        if app is not None:
            app.stop()
