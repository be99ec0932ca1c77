"""The public pages as a reader gets them: only approved snapshots, 404 for anything
unpublished, 410 for withdrawn answers, safe with hostile content, and a fixed number of
queries however long the answer."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from answers.public import views
from tests.factories import (
    large_sections,
    make_answer,
    make_clinician,
    make_editor,
    make_topic,
    make_writer,
    publish_answer,
)
from tests.helpers import Elements, is_static_script

pytestmark = pytest.mark.django_db


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response


def page_text(response):
    return response.content.decode()


def withdraw(answer, reason="Test withdrawal"):
    answer.withdraw(by=make_editor(), reason=reason)


def edit_after_publication(answer, *, lead):
    """A writer changes a published answer: it becomes a draft, the snapshot stays."""
    answer.lead = lead
    answer.save()
    section = answer.ordered_sections()[0]
    section.body = lead
    section.save()
    answer.note_edit(by=answer.writers.first())


# ---------------------------------------------------------------- pages and statuses


def test_answer_page_shows_the_approved_snapshot(client):
    answer = publish_answer(
        question="Can test answers be read?",
        lead="Yes, this is the short test answer [4].",
        sections=(
            ("What the tests say", "prose", "A test study found it [4] and another [2]."),
            ("What to ask your doctor", "questions", "- Is this a test?\n- Will it pass?"),
        ),
    )
    html = page_text(get(client, "/questions/can-test-answers-be-read/"))
    assert '<h1 id="answer-title">Can test answers be read?</h1>' in html
    assert "Yes, this is the short test answer" in html
    # Labels 4 and 2 are renumbered 1 and 2 in order of first citation.
    assert 'href="#ref-1"' in html and 'href="#ref-2"' in html
    assert 'id="ref-1"' in html and 'id="ref-2"' in html
    assert "What to ask your doctor" in html and "<li>Will it pass?</li>" in html
    assert "Medically reviewed by" in html and ", MD" in html
    assert "Last reviewed <time" in html and "Next review due <time" in html
    assert "This question is drawn from common patient questions about" in html
    assert 'aria-label="Breadcrumb"' in html
    assert f'href="{answer.question.topic.get_absolute_url()}"' in html


def test_byline_names_writer_reviewer_and_dates(client):
    writer = make_writer(display_name="Wendy Writer")
    clinician = make_clinician(display_name="Carl Clinician", credentials="MD, PhD")
    answer = publish_answer(writer=writer, clinician=clinician)
    html = page_text(get(client, answer.get_absolute_url()))
    publication = answer.publication
    # Each name links to the person's contributor page.
    assert 'Written by <a href="/contributors/wendy-writer/">Wendy Writer</a>' in html
    assert (
        'Medically reviewed by <span class="byline__reviewer">'
        '<a href="/contributors/carl-clinician/">Carl Clinician, MD, PhD</a></span>' in html
    )
    assert f'<time datetime="{publication.approved_at:%Y-%m-%d}">' in html
    assert f'<time datetime="{publication.next_review_due:%Y-%m-%d}">' in html


def test_home_lists_topics_and_recent_answers_with_a_search_box(client):
    answer = publish_answer(question="Is the home page a test?", topic=make_topic(name="Testology"))
    make_answer(question="Is this draft on the home page?", topic=make_topic(name="Drafts only"))
    html = page_text(get(client, "/"))
    assert "Is the home page a test?" in html
    assert "Testology" in html
    assert "Is this draft on the home page?" not in html
    assert "Drafts only" not in html  # a topic with nothing published is not offered
    assert 'role="search"' in html and 'name="q"' in html
    assert answer.get_absolute_url() in html


def test_topic_page_lists_its_published_answers_only(client):
    topic = make_topic(name="Test topic page")
    publish_answer(question="Is this answer on the topic page?", topic=topic)
    make_answer(question="Is this draft on the topic page?", topic=topic)
    html = page_text(get(client, topic.get_absolute_url()))
    assert "Is this answer on the topic page?" in html
    assert "Is this draft on the topic page?" not in html
    get(client, "/topics/no-such-topic/", status=404)


def test_topic_without_live_answers_is_not_found(client):
    """Its name alone would announce what editors are still drafting, or took down."""
    drafts_only = make_topic(name="Test topic with drafts only")
    writer = make_writer()
    make_answer(question="Is this test draft hidden?", topic=drafts_only, writers=[writer])
    make_answer(question="Is this test submission hidden?", topic=drafts_only, writers=[writer])
    drafts_only.questions.get(text="Is this test submission hidden?").answer.submit(by=writer)
    response = get(client, drafts_only.get_absolute_url(), status=404)
    assert "Test topic with drafts only" not in page_text(response)

    taken_down = make_topic(name="Test topic withdrawn")
    withdraw(publish_answer(question="Was this test answer taken down?", topic=taken_down))
    get(client, taken_down.get_absolute_url(), status=404)


def test_withdrawn_answer_alone_in_its_topic_links_nowhere_dead(client):
    topic = make_topic(name="Test topic emptied")
    answer = publish_answer(question="Was the only test answer withdrawn?", topic=topic)
    withdraw(answer)
    html = page_text(get(client, answer.get_absolute_url(), status=410))
    assert topic.get_absolute_url() not in html


@pytest.mark.parametrize("state", ["draft", "in_review"])
def test_unpublished_answers_are_not_found(client, state):
    writer = make_writer()
    answer = make_answer(question="Is this unpublished test answer hidden?", writers=[writer])
    if state == "in_review":
        answer.submit(by=writer)
    response = get(client, answer.get_absolute_url(), status=404)
    assert "Page not found" in page_text(response)
    assert "Is this unpublished test answer hidden?" not in page_text(response)


def test_unknown_address_is_not_found(client):
    get(client, "/questions/no-such-answer/", status=404)


def test_withdrawn_answer_is_gone_with_a_helpful_page(client):
    topic = make_topic(name="Withdrawal tests")
    answer = publish_answer(question="Was this test answer withdrawn?", topic=topic)
    publish_answer(question="Is this other test answer still here?", topic=topic)
    withdraw(answer)
    response = get(client, answer.get_absolute_url(), status=410)
    html = page_text(response)
    assert "This answer has been withdrawn" in html
    assert "Is this other test answer still here?" in html  # somewhere to go next
    assert 'name="robots" content="noindex"' in html
    assert "Test withdrawal" not in html  # the editor's reason is internal


def test_edit_after_publication_keeps_the_approved_text(client):
    answer = publish_answer(lead="The approved test wording [1].")
    edit_after_publication(answer, lead="UNAPPROVED DRAFT WORDING [1].")
    html = page_text(get(client, answer.get_absolute_url()))
    assert "The approved test wording" in html
    assert "UNAPPROVED DRAFT WORDING" not in html


def test_messages_are_shown(client):
    answer = publish_answer()
    response = client.post(
        f"{answer.get_absolute_url()}feedback/", {"kind": "helpful"}, follow=True
    )
    assert "Thank you for your feedback" in page_text(response)


# ---------------------------------------------------------------- security


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_hostile_content_never_becomes_executable(client):
    topic = make_topic(name=f"Topic {HOSTILE}")
    answer = publish_answer(
        question=f"Is {HOSTILE} safe?",
        topic=topic,
        lead=(
            f'Lead {HOSTILE} [click](javascript:alert(1)) <a href="javascript:alert(2)">x</a> [1].'
        ),
        sections=(
            (
                f"Heading {HOSTILE}",
                "prose",
                f"Body {HOSTILE} [link](javascript:alert(3)) <svg onload=alert(4)> "
                "<a href='javascript:alert(5)' onclick='alert(6)'>y</a> [1].",
            ),
            ("What to ask your doctor", "questions", f"- Ask {HOSTILE}?"),
        ),
        slug="hostile-test-answer",
    )
    urls = [answer.get_absolute_url(), "/", topic.get_absolute_url(), "/search/?q=alert"]
    for url in urls:
        html = page_text(get(client, url))
        elements = Elements(html)
        for tag, attrs in elements.tags:
            assert tag not in {"img", "svg", "iframe", "object", "embed"}, (url, tag)
            if tag == "script":
                assert attrs == {"type": "application/ld+json"} or is_static_script(attrs), (
                    url,
                    attrs,
                )
            for name, value in attrs.items():
                assert not name.startswith("on"), (url, tag, name)
                if name in {"href", "src", "action", "formaction"}:
                    assert not (value or "").strip().lower().startswith("javascript:"), (url, value)
        for script in elements.scripts:
            assert json.loads(script)  # data, whole: the hostile text did not close the block
    data = json.loads(Elements(page_text(get(client, answer.get_absolute_url()))).scripts[0])
    assert data["name"] == f"Is {HOSTILE} safe?"


def test_public_pages_send_a_strict_content_security_policy(client):
    answer = publish_answer()
    for url in ["/", answer.get_absolute_url(), "/search/?q=test", "/no-such-page/"]:
        response = client.get(url)
        policy = response.headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in policy, url
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
        html = page_text(response)
        assert "style=" not in html, url
        for tag, attrs in Elements(html).tags:
            if tag == "script":
                assert attrs.get("type") == "application/ld+json" or is_static_script(attrs), url


def test_pages_have_a_skip_link_and_landmarks(client):
    answer = publish_answer()
    html = page_text(get(client, answer.get_absolute_url()))
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert '<html lang="en">' in html
    assert 'media="print"' in html


# ---------------------------------------------------------------- query budgets

# The generation, the snapshot and its related questions, the signed-off glossary terms
# (any answer may explain one) and its live translations (the language links; none when
# CONTENT_LANGUAGES is empty), plus the test's own look-up of the address: constant,
# whatever the size of the answer or the number of answers.
BUDGET = 7  # +2 when the related questions and translations are not yet kept for this generation


def queries_for(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries.captured_queries)


def test_answer_page_queries_do_not_grow_with_its_size(
    client, django_assert_max_num_queries, settings
):
    settings.PAGE_CACHE = False  # the view's own queries (a cached page: test_caching.py)
    large = publish_answer(
        question="Is this large test answer fast?",
        lead="A large test answer [1].",
        sections=large_sections(sections=30, citations=60),
    )
    small = publish_answer(question="Is this small test answer fast?")
    publication = large.publication
    assert len(publication.data["sections"]) == 30
    assert len(publication.data["references"]) == 60

    with django_assert_max_num_queries(BUDGET):
        response = client.get(large.get_absolute_url())
    html = page_text(response)
    assert html.count('class="answer-section') == 30
    assert 'id="ref-60"' in html
    queries_for(client, small.get_absolute_url())  # its related questions kept, as the large's
    assert queries_for(client, large.get_absolute_url()) == queries_for(
        client, small.get_absolute_url()
    )


def test_home_topic_and_search_queries_do_not_grow_with_answers(
    client, django_assert_max_num_queries
):
    topic = make_topic(name="Budget tests")
    publish_answer(question="Is budget test answer 1 cheap?", topic=topic)
    counts_one = [
        queries_for(client, url) for url in ["/", topic.get_absolute_url(), "/search/?q=budget"]
    ]
    for n in range(2, 6):
        publish_answer(question=f"Is budget test answer {n} cheap?", topic=topic)
        publish_answer(question=f"Is other test answer {n} cheap?")
    counts_many = [
        queries_for(client, url) for url in ["/", topic.get_absolute_url(), "/search/?q=budget"]
    ]
    assert counts_one == counts_many
    for url in ["/", topic.get_absolute_url(), "/search/?q=budget", "/search/?q="]:
        with django_assert_max_num_queries(BUDGET):
            client.get(url)


def test_server_error_page_renders_without_a_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong" in html
    assert 'href="/static/css/site.css"' in html


def test_head_requests_are_answered(client):
    """Link checkers and crawlers often ask with HEAD."""
    answer = publish_answer()
    for url in ["/", answer.get_absolute_url(), "/api/answers/", "/search/?q=test"]:
        assert client.head(url).status_code == 200, url


def test_robots_txt(client, site_url):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Sitemap: https://answers.example.org/sitemap.xml" in lines
    assert "Disallow: /" not in lines


def test_topic_page_is_paginated_by_question(client, monkeypatch):
    monkeypatch.setattr(views, "TOPIC_PAGE_SIZE", 2)
    topic = make_topic(name="Paged topic tests")
    for letter in "cab":
        publish_answer(question=f"Is paged topic answer {letter} listed?", topic=topic)
    first = page_text(get(client, topic.get_absolute_url()))
    assert "Is paged topic answer a listed?" in first and "Is paged topic answer b listed?" in first
    assert "Is paged topic answer c listed?" not in first
    assert "Page 1 of 2" in first
    last = get(client, topic.get_absolute_url() + "?page=2").content.decode()
    assert "Is paged topic answer c listed?" in last
    assert 'rel="prev" href="?page=1"' in last
    assert "Is paged topic answer a listed?" not in last
    nonsense = page_text(get(client, topic.get_absolute_url() + "?page=x"))
    assert "Is paged topic answer a listed?" in nonsense
