"""A Crossref that accepts the connection and never answers: the lookup pages answer with
a clear message within 15 seconds (SOURCE_LOOKUP_DEADLINE, 10 s by default, for the whole lookup),
with the production timeouts and retries, not after 47 s per identifier."""

import time

import pytest
from django.urls import reverse

from citations.lookup import look_up_all
from citations.models import Citation, Reference
from citations.sources import http
from tests.citations.hanging import HangingServer
from tests.factories import answer_url, draft, login, make_editor

pytestmark = pytest.mark.django_db

# 50 DOIs under Crossref's test prefix 10.5555: identifiers only, no works behind them.
DOIS = [f"10.5555/benchmark.{n}" for n in range(1, 51)]


@pytest.fixture
def hanging_crossref(settings):
    from django.core.cache import cache

    server = HangingServer()
    settings.CROSSREF_API_URL = server.url
    settings.NCBI_EUTILS_URL = server.url + "/eutils"
    # The production defaults: 10 s per try, 4 tries, 1, 2, 4 s apart (47 s per identifier).
    settings.SOURCE_TIMEOUT, settings.SOURCE_RETRIES, settings.SOURCE_BACKOFF = 10, 3, 1
    cache.clear()
    yield server
    server.stop()
    cache.clear()


def test_fifty_dois_at_a_hanging_crossref_get_a_clear_message_within_15_seconds(
    hanging_crossref,
):
    client = login(make_editor())
    started = time.monotonic()
    response = client.post(
        reverse("admin:citations_reference_add_by_identifier"),
        {"identifiers": "\n".join(DOIS), "confirm": "1"},
    )
    took = time.monotonic() - started
    print(f"50 DOIs, Crossref hanging: the page answered in {took:.1f} s")
    assert response.status_code == 200
    assert 9.5 < took < 15
    assert "Crossref did not answer in time; look up again, or add the details by hand." in (
        response.text
    )
    assert "Not looked up: time ran out before it (see 10.5555/benchmark.1)" in response.text
    assert not Reference.objects.exists()
    assert len(hanging_crossref.connections) >= 1


def test_the_answers_page_has_the_same_deadline(hanging_crossref, settings):
    settings.SOURCE_LOOKUP_DEADLINE = 3
    answer, writer = draft()
    cited_before = list(Citation.objects.filter(answer=answer))
    client = login(writer)
    started = time.monotonic()
    response = client.post(
        answer_url("cite_by_identifier", answer),
        {"identifiers": "10.5555/benchmark.1\n10.5555/benchmark.2", "confirm": "1"},
    )
    took = time.monotonic() - started
    assert response.status_code == 200
    assert 2.5 < took < 5
    assert "Crossref did not answer in time; look up again" in response.text
    assert list(Citation.objects.filter(answer=answer)) == cited_before


def test_a_failure_before_the_deadline_says_what_failed(services, httpserver, settings):
    """Crossref answering 503: the retries stop when the next pause would pass the deadline."""
    settings.SOURCE_BACKOFF = 1
    services.crossref_down = True
    started = time.monotonic()
    [lookup] = look_up_all(DOIS[0], seconds=1.5)
    assert time.monotonic() - started < 1.5
    assert lookup.reason == "out_of_time"
    assert lookup.message == (
        "Crossref did not answer in time; look up again, or add the details by hand."
    )


def test_without_a_deadline_the_client_keeps_its_own_timeouts(hanging_crossref, settings):
    """The retraction watch (a task) has no page waiting: each call keeps SOURCE_TIMEOUT."""
    settings.SOURCE_TIMEOUT, settings.SOURCE_RETRIES = 0.5, 0
    from citations.sources import crossref

    with pytest.raises(http.Unreachable, match="did not answer within 0.5 seconds"):
        crossref.fetch_work(DOIS[0])
