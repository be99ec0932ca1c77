"""The SQLite search index (FTS5) and covering indexes: kept true on every path that writes
snapshots, put back after a table rebuild drops them, reader text never read as FTS5
syntax, and the public queries reading only indexes (never the 90 kB snapshot rows)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from answers.apps import keep_sqlite_search_installed
from answers.models import PublishedAnswer
from answers.public import sqlite_search
from answers.public.search import search
from answers.public.sitemaps import AnswerSitemap, ContributorSitemap, TopicSitemap
from tests.factories import make_editor, publish_answer

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's"),
]


def found(query):
    results = search(query)
    return [result.question for result in results[0 : results.count()]]


def test_index_follows_every_path_that_writes_snapshots():
    answer = publish_answer(question="Is the okapi indexed on approval?", lead="Okapi [1].")
    assert found("okapi") == ["Is the okapi indexed on approval?"]

    snapshots = PublishedAnswer.objects.filter(answer=answer)
    snapshots.update(question="Is the tapir indexed on update?", search_text="Tapir text.")
    assert found("okapi") == []
    assert found("tapir") == ["Is the tapir indexed on update?"]

    snapshot = snapshots.get()
    other = publish_answer(question="Is the second answer indexed?")
    copy = PublishedAnswer.objects.get(answer=other)
    copy.delete()
    assert found("second") == []
    copy.pk, copy.slug = None, "bulk-created-copy"
    copy.question, copy.search_text = "Is the bulk quagga indexed?", "Quagga."
    PublishedAnswer.objects.bulk_create([copy])
    assert found("quagga") == ["Is the bulk quagga indexed?"]

    snapshot.delete()
    assert found("tapir") == []


def test_only_live_snapshots_are_found():
    answer = publish_answer(question="Is the withdrawn dugong found?")
    assert found("dugong") == ["Is the withdrawn dugong found?"]
    answer.withdraw(by=make_editor(), reason="Test withdrawal")
    assert found("dugong") == []


def test_words_are_stemmed_prefixes_and_question_matches_come_first():
    in_text = publish_answer(question="Is this answer about birds?", lead="Woodpeckers tested [1].")
    in_question = publish_answer(question="Do woodpecker tests pass?")
    assert found("woodpecker test") == [in_question.question.text, in_text.question.text]
    assert found("WOODPECK") == [in_question.question.text, in_text.question.text]
    assert found("woodpecker zebra") == []


@pytest.mark.parametrize(
    "query",
    ['"', "AND", "OR woodpecker", "NEAR(a b)", "*", "wood*pecker", "a:b", "-", "(", "^x", "{x}"],
)
def test_reader_text_is_never_fts5_syntax(query, client):
    publish_answer(question="Do woodpeckers survive odd searches?")
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200


def test_a_quoted_word_is_the_word():
    publish_answer(question="Is the quoted ibex found?")
    assert found('"ibex"') == ["Is the quoted ibex found?"]
    assert sqlite_search.match_expression(['"ibex"', "-", "a:b"]) == '"""ibex"""* "a:b"*'
    assert sqlite_search.match_expression(["-", "*"]) == ""


def objects_of(kind):
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = %s", [kind])
        return {name for (name,) in cursor.fetchall()}


def test_what_a_table_rebuild_drops_is_put_back_after_migrate_and_reindexed():
    answer = publish_answer(question="Is the rebuilt manatee found?")
    with connection.cursor() as cursor:
        # What Django's SQLite schema editor does to a table it rebuilds: every trigger and
        # index it does not know about is gone with the old table.
        for name in sqlite_search.TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")
        for name in sqlite_search.INDEXES:
            cursor.execute(f"DROP INDEX {name}")
    PublishedAnswer.objects.filter(answer=answer).update(question="Is the rebuilt seal found?")
    assert found("seal") == []  # written while the triggers were gone

    keep_sqlite_search_installed(sender=None, using="default")

    assert set(sqlite_search.TRIGGERS) <= objects_of("trigger")
    assert set(sqlite_search.INDEXES) <= objects_of("index")
    assert found("seal") == ["Is the rebuilt seal found?"]
    assert found("manatee") == []
    assert sqlite_search.ensure_installed(connection) == []  # nothing missing: no rebuild


def plans(run):
    """SQLite's plan of each step reading the snapshot table (under its name or a
    subquery's alias) in the queries `run` makes."""
    with CaptureQueriesContext(connection) as queries:
        run()
    found = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            sql = query["sql"]
            names = {
                "answers_publishedanswer",
                *re.findall(r'"answers_publishedanswer" (U\d+)', sql),
            }
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            for *_, step in cursor.fetchall():
                words = step.split()
                if words[0] in ("SCAN", "SEARCH") and words[1] in names:
                    found.append(step)
    return found


@pytest.mark.parametrize(
    "run",
    [
        lambda: list(search("benchmark words").ordered_ids[0:10]),
        lambda: search("benchmark words").count(),
        lambda: list(AnswerSitemap().paginator.page(1).object_list),
        lambda: list(TopicSitemap().paginator.page(1).object_list),
        lambda: list(ContributorSitemap().paginator.page(1).object_list),
        lambda: AnswerSitemap().get_latest_lastmod(),
        lambda: list(PublishedAnswer.objects.live_topics()),
    ],
    ids=[
        "search page",
        "search count",
        "sitemap",
        "topic sitemap",
        "contributor sitemap",
        "lastmod",
        "live topics",
    ],
)
def test_queries_over_every_live_answer_read_only_indexes(run):
    """Each of these checks every live answer: reading the rows themselves would walk each
    snapshot's overflow pages (about 1 GB at 10,000 answers)."""
    publish_answer(question="Are benchmark words planned?")
    steps = plans(run)
    assert steps
    for step in steps:
        assert "COVERING INDEX" in step, steps
