"""Search: live published answers only, on PostgreSQL full-text (weighted, ranked,
highlighted) and on SQLite a simple every-word match."""

import re

import pytest
from django.db import connection

from answers.public.search import START, STOP, highlighted, plain_snippet
from answers.public.views import SEARCH_PAGE_SIZE
from tests.factories import (
    approve,
    make_answer,
    make_editor,
    make_topic,
    make_writer,
    publish_answer,
)

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search runs on PostgreSQL"
)
sqlite_only = pytest.mark.skipif(
    connection.vendor == "postgresql", reason="the simple fallback runs off PostgreSQL"
)


def search(client, query, **params):
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return response


def result_questions(response):
    page = response.context["page"]
    return [result.question for result in page.object_list] if page else []


def test_finds_published_answers_by_question_and_text(client):
    publish_answer(
        question="Can zebrafish tests be trusted?",
        lead="Mostly, says the quokka study [1].",
        sections=(
            ("What the tests say", "prose", "The platypus trial agreed [1]."),
            ("What to ask your doctor", "questions", "- Is it a test?"),
        ),
    )
    assert result_questions(search(client, "zebrafish")) == ["Can zebrafish tests be trusted?"]
    assert result_questions(search(client, "quokka")) == ["Can zebrafish tests be trusted?"]
    assert result_questions(search(client, "platypus")) == ["Can zebrafish tests be trusted?"]


def test_never_finds_unpublished_text(client):
    writer = make_writer()
    make_answer(question="Is the draft wombat answer searchable?", writers=[writer])
    in_review = make_answer(question="Is the in-review wombat answer searchable?", writers=[writer])
    in_review.submit(by=writer)
    withdrawn = publish_answer(question="Is the withdrawn wombat answer searchable?")
    withdrawn.withdraw(by=make_editor(), reason="Test withdrawal")
    edited = publish_answer(question="Is the edited answer searchable?", lead="Approved text [1].")
    edited.lead = "Unapproved wombat text [1]."
    edited.save()
    edited.note_edit(by=edited.writers.first())

    response = search(client, "wombat")
    assert result_questions(response) == []
    assert "No answers match “wombat”" in response.content.decode()
    assert result_questions(search(client, "approved")) == ["Is the edited answer searchable?"]


def test_empty_query_suggests_topics(client):
    publish_answer(question="Is the empty search test helpful?", topic=make_topic(name="Helpology"))
    for query in ("", "   "):
        response = search(client, query)
        html = response.content.decode()
        assert "Search our answers" in html
        assert "Helpology" in html
        assert response.context["page"] is None


def test_nonsense_query_says_so_and_suggests(client):
    publish_answer(
        question="Is the nonsense search test helpful?", topic=make_topic(name="Sensology")
    )
    html = search(client, "xqzvvkj").content.decode()
    assert "No answers match “xqzvvkj”" in html
    assert "Check the spelling" in html
    assert "Sensology" in html


def test_query_is_escaped_on_the_page(client):
    html = search(client, '<script>alert("q")</script>').content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;q&quot;)&lt;/script&gt;" in html


def test_results_are_paginated(client):
    topic = make_topic(name="Paging tests")
    for n in range(SEARCH_PAGE_SIZE + 2):
        publish_answer(question=f"Is gerbil test answer {n} paged?", topic=topic)
    first = search(client, "gerbil")
    assert len(result_questions(first)) == SEARCH_PAGE_SIZE
    assert "page 1 of 2" in first.content.decode()
    assert 'rel="next" href="?q=gerbil&amp;page=2"' in first.content.decode()
    second = search(client, "gerbil", page=2)
    assert len(result_questions(second)) == 2
    assert set(result_questions(first)).isdisjoint(result_questions(second))
    assert result_questions(search(client, "gerbil", page="nonsense")) == result_questions(first)


def test_snippets_are_escaped_with_only_mark_tags(client):
    publish_answer(
        question="Are hostile snippets safe?",
        lead='Hostile <b onclick="x()">capybara</b> text [1].',
    )
    html = search(client, "capybara").content.decode()
    snippets = re.findall(r'<p class="snippet">(.*?)</p>', html, re.DOTALL)
    assert len(snippets) == 1
    assert "<mark>capybara</mark>" in snippets[0]
    assert set(re.findall(r"<(/?[a-z]+)", snippets[0])) == {"mark", "/mark"}


def test_highlighting_keeps_only_balanced_marks():
    text = f"a <i>{START}word{STOP}</i>, a stray {STOP} and an unclosed {START} sentinel"
    assert highlighted(text) == (
        "a &lt;i&gt;<mark>word</mark>&lt;/i&gt;, a stray  and an unclosed  sentinel"
    )


def test_plain_snippet_marks_words_in_a_window():
    text = "Start. " + "filler " * 60 + "the ocelot result is here. " + "more " * 60
    snippet = plain_snippet(text, ["ocelot"])
    assert "<mark>ocelot</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < 400


@sqlite_only
def test_fallback_needs_every_word(client):
    publish_answer(question="Do hamster tests pass?", lead="Hamster tests pass often [1].")
    publish_answer(question="Do ferret tests pass?", lead="Ferret tests pass too [1].")
    assert result_questions(search(client, "hamster often")) == ["Do hamster tests pass?"]
    assert result_questions(search(client, "HAMSTER")) == ["Do hamster tests pass?"]
    assert result_questions(search(client, "hamster ferret")) == []
    html = search(client, "often").content.decode()
    assert "<mark>often</mark>" in html


@sqlite_only
def test_fallback_lists_question_matches_first(client):
    publish_answer(question="Is the lemur mentioned?", lead="Only in the question [1].")
    publish_answer(question="Is the other animal mentioned?", lead="Yes, the lemur [1].")
    assert result_questions(search(client, "lemur")) == [
        "Is the lemur mentioned?",
        "Is the other animal mentioned?",
    ]


@postgres_only
def test_full_text_ranks_question_above_lead_above_sections(client):
    in_sections = publish_answer(
        question="Is the first test answer ranked?",
        lead="A short test answer [1].",
        sections=(
            ("What the tests say", "prose", "It mentions the armadillo once [1]."),
            ("What to ask your doctor", "questions", "- Is it ranked?"),
        ),
    )
    in_lead = publish_answer(
        question="Is the second test answer ranked?", lead="It mentions the armadillo [1]."
    )
    in_question = publish_answer(question="Is the armadillo test answer ranked?")
    assert result_questions(search(client, "armadillo")) == [
        in_question.question.text,
        in_lead.question.text,
        in_sections.question.text,
    ]


@postgres_only
def test_full_text_stems_words_and_highlights(client):
    publish_answer(
        question="Do test runners sleep?",
        lead="Runners who are running marathons sleep longer [1].",
    )
    response = search(client, "run")
    assert result_questions(response) == ["Do test runners sleep?"]
    html = response.content.decode()
    assert "<mark>running</mark>" in html


@postgres_only
def test_full_text_understands_web_search_syntax(client):
    publish_answer(question="Do pangolin tests pass?", lead="Pangolin tests pass [1].")
    publish_answer(question="Do pangolin trials fail?", lead="Pangolin trials fail [1].")
    assert result_questions(search(client, "pangolin -fail")) == ["Do pangolin tests pass?"]
    assert result_questions(search(client, '"tests pass"')) == ["Do pangolin tests pass?"]


@postgres_only
def test_search_reads_the_stored_gin_indexed_vector_kept_true_on_republish(client):
    from django.db import connection as db

    from answers.models import PublishedAnswer

    answer = publish_answer(question="Is the stored narwhal vector used?", lead="Yes [1].")
    stored = PublishedAnswer.objects.values_list("search_vector", flat=True).get(answer=answer)
    assert "narwhal" in stored
    with db.cursor() as cursor:
        constraints = db.introspection.get_constraints(cursor, "answers_publishedanswer")
    gin = [c for c in constraints.values() if c["columns"] == ["search_vector"]]
    assert gin and gin[0]["type"] == "gin"

    writer, clinician = answer.writers.first(), answer.signoffs.first().reviewer
    answer.lead = "Now about walruses [1]."
    answer.save()
    answer.note_edit(by=writer)
    answer.submit(by=writer)
    approve(answer, clinician, change_summary="Test: re-reviewed.")
    assert result_questions(search(client, "walrus")) == ["Is the stored narwhal vector used?"]
