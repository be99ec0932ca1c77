"""Whatever a client sends to a public address, the answer is a 2xx, 3xx or 4xx with words:
never a 5xx (PostgreSQL refuses NUL characters; dates can overflow). Runs on both databases."""

from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.factories import publish_answer

pytestmark = pytest.mark.django_db

SLUG = "is-the-bad-request-test-answer-live"
# Every public address, {} standing for a path segment the client chooses.
TEMPLATES = [
    "/",
    "/topics/{}/",
    "/questions/{}/",
    "/questions/{}/feedback/",
    "/search/",
    "/feed/",
    "/sitemap.xml",
    "/sitemap-{}.xml",
    "/robots.txt",
    "/api/answers/",
    "/api/answers/{}/",
    "/api/openapi.json",
    "/api/{}",
    "/{}",
]
PARAMETERS = ["q", "page", "topic", "updated_since", "p", "kind", "message", "format"]
text = st.text(st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["\x00", "%00", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "-1", "1e9", SLUG]
)


def assert_answered(response, url):
    assert response.status_code < 500, (url, response.status_code, response.content[:300])


@pytest.fixture
def live_answer(db):
    return publish_answer(question="Is the bad request test answer live?", slug=SLUG)


@pytest.mark.parametrize(
    "url",
    [
        "/search/?q=%00",
        "/search/?q=a%00b&page=%00",
        "/api/answers/?topic=%00",
        "/api/answers/?updated_since=9999-12-31T23:59:59-23:59",
        "/api/answers/?updated_since=%00",
        "/api/answers/%00/",
        "/topics/%00/",
        "/questions/%00/",
        "/sitemap.xml?p=%00",
        "/sitemap-answers.xml?p=%00",
        "/sitemap-answers.xml?p=9999",
        "/sitemap-%00.xml",
    ],
)
def test_samples_from_the_probe_are_answered(client, live_answer, url):
    assert_answered(client.get(url), url)


def test_search_for_a_nul_finds_as_if_it_were_a_space(client, live_answer):
    response = client.get("/search/", {"q": "bad\x00request"})
    assert response.status_code == 200
    assert "Is the bad request test answer live?" in response.content.decode()


def test_feedback_with_a_nul_is_a_form_error(client, live_answer):
    url = f"/questions/{SLUG}/feedback/"
    response = client.post(url, {"kind": "problem", "message": "A test\x00report"})
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()


def _request(template, segment, params):
    path = template.format(quote(segment, safe="")) if "{}" in template else template
    return path + ("?" + urlencode(params) if params else "")


@pytest.mark.fuzz
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    template=st.sampled_from(TEMPLATES),
    segment=text,
    params=st.dictionaries(st.sampled_from(PARAMETERS) | text, text, max_size=4),
    method=st.sampled_from(["GET", "HEAD", "POST"]),
)
def test_no_public_address_answers_5xx(live_answer, template, segment, params, method):
    url = _request(template, segment, params)
    # /healthz answers 503 when no worker has beaten lately, as it must (tests/ops).
    assume(url.split("?")[0].rstrip("/") != "/healthz")
    client = Client()
    if method == "POST":
        response = client.post(url.split("?")[0], params)
    else:
        response = client.generic(method, url)
    assert_answered(response, url)
