"""Search in a translation's language: on PostgreSQL against the snapshot's stored search
document (the language's text-search configuration, GIN-indexed, filled when the snapshot
is saved and for the rows published before it existed); elsewhere by words contained."""

import pytest
from django.apps import apps
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation as django_translation

from answers.models import PublishedTranslation, Translation
from answers.public.translated import search_translations
from tests.factories import (
    TEST_TEXT,
    approve_translation,
    fill_translation,
    make_editor,
    make_translator,
    publish_answer,
)

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search is PostgreSQL's"
)


def _published(*, question, lead):
    """A published Spanish translation of marked test text with these words."""
    answer = publish_answer()
    translator = make_translator()
    translation = Translation.start(answer=answer, language="es", by=translator)
    fill_translation(translation, by=translator)
    with translation.editing(by=translator, comment="Test words") as locked:
        locked.question_text = question
        locked.lead = f"{lead} [1]"  # the English short answer cites [1]
        locked.save()
    translation.submit(by=translator)
    approve_translation(translation)
    return PublishedTranslation.objects.get(translation=translation)


def _found(query):
    return [row.question for row in search_translations(query, language="es")]


@on_postgresql
def test_the_search_document_is_stored_in_spanish_when_the_snapshot_is_saved():
    snapshot = _published(question=f"{TEST_TEXT}: ¿pregunta?", lead=f"{TEST_TEXT} del tratamiento.")
    stored = PublishedTranslation.objects.values_list("search_vector", flat=True).get()
    # Spanish stems, weighted: the question (A) above the text (C).
    assert "'pregunt':4A" in stored
    assert "'tratamient'" in stored
    assert _found("tratamientos") == [snapshot.question]
    assert _found("preguntas") == [snapshot.question]
    assert _found("otra cosa") == []


@on_postgresql
def test_a_word_in_the_question_ranks_above_the_same_word_in_the_text():
    in_text = _published(question=f"{TEST_TEXT} uno", lead=f"{TEST_TEXT}: ventana.")
    in_question = _published(question=f"{TEST_TEXT} dos: ventanas", lead=f"{TEST_TEXT}.")
    assert _found("ventana") == [in_question.question, in_text.question]


@on_postgresql
def test_the_search_reads_the_stored_column_through_its_index():
    _published(question=f"{TEST_TEXT}: ¿pregunta?", lead=f"{TEST_TEXT} del tratamiento.")
    with CaptureQueriesContext(connection) as queries:
        assert len(_found("tratamiento")) == 1
    (sql,) = [
        q["sql"] for q in queries.captured_queries if "answers_publishedtranslation" in q["sql"]
    ]
    assert '"answers_publishedtranslation"."search_vector" @@' in sql
    assert "to_tsvector" not in sql
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = search_translations("tratamiento", language="es").explain()
    assert "search_vector @@ '''tratamient'''::tsquery" in plan
    assert "to_tsvector" not in plan
    # The match on the stored column is one the GIN index answers.
    query = SearchQuery("tratamiento", config="spanish", search_type="websearch")
    plan = PublishedTranslation.objects.filter(search_vector=query).explain()
    assert "answers_publishedtranslation_search_gin" in plan


@on_postgresql
def test_a_withdrawal_keeps_the_document_and_a_new_approval_makes_it_again():
    snapshot = _published(question=f"{TEST_TEXT}: ¿pregunta?", lead=f"{TEST_TEXT} del tratamiento.")
    translation = snapshot.translation
    translation.withdraw(by=make_editor(), reason="Test withdrawal")
    assert PublishedTranslation.objects.filter(search_vector__isnull=False).count() == 1
    translator = make_translator(username="translator-two")
    with translation.editing(by=translator, comment="Test words") as locked:
        locked.lead = f"{TEST_TEXT}: ventana [1]."
        locked.save()
    translation.submit(by=translator)
    approve_translation(translation)
    assert _found("ventanas") == [snapshot.question]
    assert _found("tratamiento") == []


@on_postgresql
def test_the_migration_fills_the_rows_published_before_it():
    from importlib import import_module

    migration = import_module("answers.migrations.0037_published_translation_search_vector")
    snapshot = _published(question=f"{TEST_TEXT}: ¿pregunta?", lead=f"{TEST_TEXT} del tratamiento.")
    PublishedTranslation.objects.update(search_vector=None)
    assert _found("tratamientos") == []
    with connection.cursor() as cursor:
        # The test's own transaction holds deferred checks, which CREATE INDEX refuses.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.schema_editor() as editor:
        migration.fill_and_index(apps, editor)
    assert _found("tratamientos") == [snapshot.question]


def test_elsewhere_the_words_are_matched_as_written_and_nothing_is_stored():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite's fallback")
    snapshot = _published(question=f"{TEST_TEXT}: ¿pregunta?", lead=f"{TEST_TEXT} del tratamiento.")
    assert PublishedTranslation.objects.values_list("search_vector", flat=True).get() is None
    assert _found("tratamiento prueba") == [snapshot.question]
    assert _found("tratamientos") == []


def test_the_search_page_finds_it():
    snapshot = _published(question=f"{TEST_TEXT}: ¿pregunta?", lead=f"{TEST_TEXT} del tratamiento.")
    with django_translation.override("es"):
        from django.urls import reverse

        url = reverse("translated_search")
    page = Client().get(url, {"q": "tratamiento"})
    assert page.status_code == 200
    assert snapshot.question in page.content.decode()
