"""The read-only JSON API: live published content only, conditional GETs, clear errors."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date

from answers.models import PublishedAnswer
from answers.public.api import PAGE_SIZE, parse_updated_since
from tests.factories import (
    approve,
    large_sections,
    make_answer,
    make_clinician,
    make_editor,
    make_topic,
    make_writer,
    publish_answer,
)

pytestmark = pytest.mark.django_db


def get_json(client, url, status=200, **headers):
    """The body of a JSON answer; an error must be RFC 9457 problem details."""
    response = client.get(url, headers=headers)
    assert response.status_code == status, (url, response.status_code, response.content[:300])
    if status < 400:
        assert response["Content-Type"] == "application/json"
        return response.json()
    return problem(response, status)


def problem(response, status):
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["type"] == "about:blank" and body["title"] and body["detail"]
    return body


@pytest.fixture
def every_state():
    """One answer in each state the public must or must not see."""
    writer = make_writer()
    draft = make_answer(question="Is the draft test answer listed?", writers=[writer])
    in_review = make_answer(question="Is the in-review test answer listed?", writers=[writer])
    in_review.submit(by=writer)
    withdrawn = publish_answer(question="Is the withdrawn test answer listed?")
    withdrawn.withdraw(by=make_editor(), reason="Test withdrawal")
    edited = publish_answer(
        question="Is the edited test answer listed?", lead="Approved test lead [1]."
    )
    edited.lead = "LEAKED DRAFT LEAD [1]."
    edited.save()
    section = edited.ordered_sections()[0]
    section.heading = "LEAKED DRAFT HEADING"
    section.save()
    edited.note_edit(by=edited.writers.first())
    published = publish_answer(question="Is the published test answer listed?")
    return {
        "draft": draft,
        "in_review": in_review,
        "withdrawn": withdrawn,
        "edited": edited,
        "published": published,
    }


def test_list_holds_only_live_published_answers(client, every_state):
    body = get_json(client, "/api/answers/")
    questions = {item["question"] for item in body["results"]}
    assert questions == {
        "Is the edited test answer listed?",
        "Is the published test answer listed?",
    }
    assert body["count"] == 2
    raw = json.dumps(body)
    assert "LEAKED DRAFT" not in raw
    assert "Approved test lead." in raw


def test_detail_of_each_state(client, every_state):
    for state in ("draft", "in_review"):
        body = get_json(client, f"/api/answers/{every_state[state].question.slug}/", status=404)
        assert every_state[state].question.slug in body["detail"]
    body = get_json(client, f"/api/answers/{every_state['withdrawn'].question.slug}/", status=410)
    assert "withdrawn" in body["detail"]
    assert "Test withdrawal" not in json.dumps(body)

    edited = get_json(client, f"/api/answers/{every_state['edited'].question.slug}/")
    assert edited["lead"]["text"] == "Approved test lead."
    assert "LEAKED DRAFT" not in json.dumps(edited)
    get_json(client, "/api/answers/no-such-answer/", status=404)


def test_detail_holds_sections_references_people_and_dates(client):
    answer = publish_answer(
        question="What does the test API return?",
        lead="Everything a partner needs [7].",
        sections=(
            ("What the tests say", "prose", "One test [7] and another [3]."),
            ("What to ask your doctor", "questions", "- Is it complete?"),
        ),
    )
    publication = answer.publication
    body = get_json(client, "/api/answers/what-does-the-test-api-return/")
    assert body["question"] == "What does the test API return?"
    assert body["slug"] == "what-does-the-test-api-return"
    assert body["url"].endswith("/questions/what-does-the-test-api-return/")
    assert body["topic"]["slug"] == answer.question.topic.slug
    assert body["lead"]["text"] == "Everything a partner needs."
    assert 'href="#ref-1"' in body["lead"]["html"]
    assert [s["heading"] for s in body["sections"]] == [
        "What the tests say",
        "What to ask your doctor",
    ]
    assert [s["kind"] for s in body["sections"]] == ["prose", "questions"]
    assert [r["number"] for r in body["references"]] == [1, 2]
    first = body["references"][0]
    assert first["csl"]["title"].startswith("Test reference")
    assert first["csl"]["DOI"] == first["doi"]
    assert "doi.org" in first["html"]
    assert body["writers"][0]["name"]
    assert body["reviewer"]["credentials"] == "MD"
    assert body["last_reviewed"] == publication.approved_at.isoformat()
    assert body["first_published"] == publication.first_published_at.isoformat()
    assert body["next_review_due"] == publication.next_review_due.isoformat()
    assert body["version"] == publication.content_hash


def test_detail_holds_the_certainty_statement_as_the_page_says_it(client):
    graded = publish_answer(
        question="Is the graded test answer sure?",
        certainty="low",
        certainty_reason="Test: two small trials.",
    )
    body = get_json(client, f"/api/answers/{graded.question.slug}/")
    assert body["certainty"] == {
        "level": "low",
        "graded": True,
        "label": "Low",
        "plain": "Our confidence in this answer is limited: further research is likely to "
        "change it.",
        "reason": "Test: two small trials.",
    }
    ungraded = publish_answer(
        question="Is the ungraded test answer sure?",
        certainty="not_graded",
        certainty_reason="Test: nobody graded it.",
    )
    body = get_json(client, f"/api/answers/{ungraded.question.slug}/")
    assert body["certainty"] == {
        "level": "not_graded",
        "graded": False,
        "label": "Not yet graded",
        "plain": "The certainty of the evidence behind this answer has not been graded yet.",
        "reason": "Test: nobody graded it.",
    }


def test_detail_of_a_snapshot_from_before_certainty_says_null(client):
    answer = publish_answer(question="Is the old test snapshot sure?")
    publication = answer.publication
    del publication.data["certainty"]
    PublishedAnswer.objects.filter(pk=publication.pk).update(data=publication.data)
    assert get_json(client, f"/api/answers/{answer.question.slug}/")["certainty"] is None


def test_detail_holds_the_public_change_log_newest_first(client):
    clinician = make_clinician(display_name="Test Reviewer")
    answer = publish_answer(question="Is the change log in the test API?", clinician=clinician)
    writer = answer.writers.first()
    answer.lead += " Test: corrected [1]."
    answer.save()
    answer.note_edit(by=writer)
    answer.submit(by=writer)
    approve(answer, clinician, change_summary="Test: corrected a dose.", is_correction=True)
    signoffs = list(answer.signoffs.order_by("-created_at"))
    body = get_json(client, f"/api/answers/{answer.question.slug}/")
    reviewer = {"name": "Test Reviewer", "credentials": "MD", "role": "", "orcid": ""}
    assert body["changes"] == [
        {
            "date": signoffs[0].created_at.isoformat(),
            "reviewer": reviewer,
            "summary": "Test: corrected a dose.",
            "correction": True,
        },
        {
            "date": signoffs[1].created_at.isoformat(),
            "reviewer": reviewer,
            "summary": "First published",
            "correction": False,
        },
    ]
    assert body["last_reviewed"] == body["changes"][0]["date"]


def test_absolute_urls_use_site_url(client, settings):
    settings.SITE_URL = "https://answers.example.org"
    publish_answer(question="Where does the test API point?")
    body = get_json(client, "/api/answers/")
    item = body["results"][0]
    assert item["url"] == "https://answers.example.org/questions/where-does-the-test-api-point/"
    assert (
        item["api_url"] == "https://answers.example.org/api/answers/where-does-the-test-api-point/"
    )


def test_list_filters_by_topic(client):
    wanted = make_topic(name="Wanted test topic")
    publish_answer(question="Is this in the wanted topic?", topic=wanted)
    publish_answer(question="Is this in another topic?")
    body = get_json(client, "/api/answers/?topic=wanted-test-topic")
    assert [item["question"] for item in body["results"]] == ["Is this in the wanted topic?"]
    assert get_json(client, "/api/answers/?topic=no-such-topic")["results"] == []


def test_list_filters_by_updated_since(client):
    old = publish_answer(question="Was this test answer approved long ago?")
    PublishedAnswer.objects.filter(pk=old.publication.pk).update(
        approved_at=timezone.now() - dt.timedelta(days=30)
    )
    publish_answer(question="Was this test answer approved today?")
    since = (timezone.now() - dt.timedelta(days=1)).date().isoformat()
    for value in (since, f"{since}T00:00:00Z", f"{since}T00:00:00+00:00"):
        response = client.get("/api/answers/", {"updated_since": value})
        assert response.status_code == 200, value
        body = response.json()
        assert [item["question"] for item in body["results"]] == [
            "Was this test answer approved today?"
        ], value
    everything = client.get("/api/answers/", {"updated_since": "2000-01-01"}).json()
    assert everything["count"] == 2


@pytest.mark.parametrize("value", ["yesterday", "2025-13-01", "2025-02-30T10:00", ""])
def test_bad_updated_since_is_a_json_400(client, value):
    response = client.get("/api/answers/", {"updated_since": value})
    assert "updated_since" in problem(response, 400)["detail"]


def test_updated_since_accepts_an_offset_sent_unencoded():
    """A "+" left unencoded in a query string arrives as a space."""
    assert parse_updated_since("2025-01-31T10:00:00 02:00") == dt.datetime(
        2025, 1, 31, 8, 0, tzinfo=dt.UTC
    )
    assert parse_updated_since("2025-01-31") == dt.datetime(2025, 1, 31, tzinfo=dt.UTC)


def test_list_is_paginated(client):
    topic = make_topic(name="Pagination tests")
    for n in range(PAGE_SIZE + 1):
        publish_answer(question=f"Is paginated test answer {n} listed?", topic=topic)
    first = get_json(client, "/api/answers/?topic=pagination-tests")
    assert first["count"] == PAGE_SIZE + 1
    assert first["pages"] == 2 and len(first["results"]) == PAGE_SIZE
    assert first["previous"] is None
    assert first["next"].endswith("/api/answers/?topic=pagination-tests&page=2")
    second = get_json(client, "/api/answers/?topic=pagination-tests&page=2")
    assert len(second["results"]) == 1 and second["next"] is None
    seen = {item["slug"] for item in first["results"] + second["results"]}
    assert len(seen) == PAGE_SIZE + 1
    assert "last page is 2" in get_json(client, "/api/answers/?page=3", status=404)["detail"]
    assert "page='two'" in get_json(client, "/api/answers/?page=two", status=400)["detail"]
    assert "page='0'" in get_json(client, "/api/answers/?page=0", status=400)["detail"]


def test_detail_etag_and_last_modified_give_304(client):
    answer = publish_answer(question="Does the test API answer 304?")
    url = "/api/answers/does-the-test-api-answer-304/"
    response = client.get(url)
    etag, last_modified = response["ETag"], response["Last-Modified"]
    assert etag and last_modified == http_date(answer.publication.approved_at.timestamp())

    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200
    earlier = http_date(answer.publication.approved_at.timestamp() - 3600)
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200


def test_etag_changes_when_the_answer_is_re_reviewed(client):
    writer = make_writer()
    answer = publish_answer(question="Does the test ETag change?", writer=writer)
    url = "/api/answers/does-the-test-etag-change/"
    first = client.get(url)["ETag"]
    answer.lead = "A re-reviewed test lead [1]."
    answer.save()
    answer.note_edit(by=writer)
    assert client.get(url, headers={"If-None-Match": first}).status_code == 304  # not re-approved
    answer.submit(by=writer)
    approve(answer, make_clinician(), change_summary="Test: re-reviewed.")
    response = client.get(url, headers={"If-None-Match": first})
    assert response.status_code == 200
    assert response.json()["lead"]["text"] == "A re-reviewed test lead."


def test_list_etag_gives_304_until_something_is_published(client):
    publish_answer(question="Is the test list cached?")
    etag = client.get("/api/answers/")["ETag"]
    assert client.get("/api/answers/", headers={"If-None-Match": etag}).status_code == 304
    publish_answer(question="Is a new test answer seen?")
    assert client.get("/api/answers/", headers={"If-None-Match": etag}).status_code == 200


def test_openapi_describes_the_endpoints(client):
    body = get_json(client, "/api/openapi.json")
    assert body["openapi"] == "3.1.0"
    assert set(body["paths"]) == {"/api/answers/", "/api/answers/{slug}/"}
    params = {p["name"] for p in body["paths"]["/api/answers/"]["get"]["parameters"]}
    assert params == {"page", "topic", "updated_since", "language"}
    detail = body["paths"]["/api/answers/{slug}/"]["get"]["responses"]
    assert {"200", "304", "404", "410"} <= set(detail)
    # Every $ref points at a schema that exists.
    schemas = body["components"]["schemas"]
    for ref in _refs(body):
        assert ref.removeprefix("#/components/schemas/") in schemas, ref


def test_openapi_answer_schema_matches_a_real_response(client):
    publish_answer(question="Does the test schema match?")
    schema = get_json(client, "/api/openapi.json")["components"]["schemas"]
    detail = get_json(client, "/api/answers/does-the-test-schema-match/")
    assert set(schema["Answer"]["required"]) == set(detail)
    assert set(schema["Section"]["required"]) == set(detail["sections"][0])
    assert set(schema["Reference"]["required"]) == set(detail["references"][0])
    assert set(schema["Certainty"]["required"]) == set(detail["certainty"])
    assert set(schema["Change"]["required"]) == set(detail["changes"][0])
    assert schema["Certainty"]["properties"]["level"]["enum"] == [
        "high",
        "moderate",
        "low",
        "very_low",
        "not_graded",
    ]
    listing = get_json(client, "/api/answers/")
    assert set(schema["AnswerPage"]["required"]) == set(listing)
    assert set(schema["AnswerSummary"]["required"]) == set(listing["results"][0])


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_api_is_read_only(client):
    publish_answer(question="Can the test API be written to?")
    for response in (
        client.post("/api/answers/"),
        client.delete("/api/answers/can-the-test-api-be-written-to/"),
        client.put("/api/openapi.json"),
    ):
        problem(response, 405)
        assert set(response["Allow"].split(", ")) == {"GET", "HEAD"}


@pytest.mark.parametrize(
    "url",
    ["/api/", "/api/nothing/", "/api/answers/a/b/", "/api/answers/%00/", "/api/openapi.json/x"],
)
def test_every_other_api_address_is_a_problem_404(client, url):
    get_json(client, url, status=404)


def test_api_address_without_its_slash_is_redirected(client):
    response = client.get("/api/answers?topic=x")
    assert response.status_code == 301 and response["Location"] == "/api/answers/?topic=x"


@pytest.mark.parametrize("value", ["%00", "a%00b", "not a slug", "é"])
def test_topic_that_cannot_be_a_slug_is_a_400(client, value):
    response = client.get(f"/api/answers/?topic={value}")
    assert "topic=" in problem(response, 400)["detail"]


def test_updated_since_past_the_end_of_the_calendar_is_answered(client):
    """Year 9999 west of UTC is after datetime.max in UTC: it was a 500 (OverflowError).
    It is a fair question ("anything since then?") with a plain answer."""
    publish_answer(question="Was this test answer approved before the end of time?")
    late = client.get("/api/answers/", {"updated_since": "9999-12-31T23:59:59-23:59"})
    assert late.status_code == 200 and late.json()["count"] == 0
    early = client.get("/api/answers/", {"updated_since": "0001-01-01T00:00:00+23:59"})
    assert early.status_code == 200 and early.json()["count"] == 1


def test_a_bug_in_the_api_answers_in_json(client, monkeypatch):
    def broken(slug):
        raise RuntimeError("test bug")

    monkeypatch.setattr(PublishedAnswer.objects, "for_slug", broken)
    body = get_json(client, "/api/answers/anything/", status=500)
    assert "test bug" not in body["detail"]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_api_queries_do_not_grow(client, django_assert_max_num_queries, settings):
    settings.PAGE_CACHE = False  # the view's own queries (a cached page: test_caching.py)
    large = publish_answer(
        question="Is the large test answer cheap to serve?",
        lead="Large [1].",
        sections=large_sections(sections=30, citations=60),
    )
    small = publish_answer(question="Is the small test answer cheap to serve?")
    large_url = f"/api/answers/{large.question.slug}/"
    # One query for the answer, one for the public generation and the next scheduled change.
    with django_assert_max_num_queries(2):
        client.get(large_url)
    assert count_queries(client, large_url) == count_queries(
        client, f"/api/answers/{small.question.slug}/"
    )
    few = count_queries(client, "/api/answers/")
    for n in range(5):
        publish_answer(question=f"Is listed test answer {n} cheap?")
    assert count_queries(client, "/api/answers/") == few
    with django_assert_max_num_queries(3):
        client.get("/api/answers/")
