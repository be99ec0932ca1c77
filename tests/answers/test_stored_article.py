"""The approved article is rendered once, when its snapshot is saved (article_html): it
must always be what rendering the snapshot gives, and nothing but a new approval (or a
notice the retraction watch adds to the snapshot) may change it."""

import importlib
from io import StringIO
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from answers.models import Answer, PublishedAnswer
from answers.publishing import render_article
from tests.factories import approve, login, public_page, published, save_answer

pytestmark = pytest.mark.django_db


def fresh(publication):
    """What rendering the stored snapshot gives now, read back from the database."""
    return render_article(PublishedAnswer.objects.get(pk=publication.pk))


def test_the_demo_answers_stored_article_is_a_fresh_rendering_of_their_snapshot(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO(), stderr=StringIO())
    publications = list(PublishedAnswer.objects.all())
    assert publications  # the demo publishes the SGLT2 answer
    for publication in publications:
        assert publication.article_html == fresh(publication)
        # What it holds is the approved snapshot: its lead, sections, references, byline.
        assert publication.lead_html in publication.article_html
        assert publication.body_html in publication.article_html
        assert publication.references_html in publication.article_html
        assert "Medically reviewed by" in publication.article_html
        page = public_page(publication.answer).content.decode()
        assert publication.article_html in page


def test_editing_the_draft_never_changes_the_stored_article(client):
    answer, writer, _ = published(lead="The approved short answer [1].")
    publication = PublishedAnswer.objects.get(answer=answer)
    stored = publication.article_html
    page = public_page(answer).content

    login_client = login(writer)
    response = save_answer(login_client, answer, lead="An unapproved new lead [1].")
    assert response.status_code == 200
    assert Answer.objects.get(pk=answer.pk).lead == "An unapproved new lead [1]."

    publication.refresh_from_db()
    assert publication.article_html == stored
    assert "unapproved" not in publication.article_html
    assert public_page(answer).content == page


def test_a_new_approval_renders_the_article_again_in_the_same_save():
    answer, writer, clinician = published(lead="The first approved lead [1].")
    answer.lead = "The second approved lead [1]."
    answer.save()
    answer.submit(by=writer)
    approve(answer, clinician, change_summary="Test: lead reworded.")
    publication = PublishedAnswer.objects.get(answer=answer)
    assert "The second approved lead" in publication.article_html
    assert "The first approved lead" not in publication.article_html
    assert "Test: lead reworded." in publication.article_html  # the change log
    assert publication.article_html == fresh(publication)


def test_a_save_of_some_content_fields_renders_the_article_too():
    answer, _, _ = published()
    publication = PublishedAnswer.objects.get(answer=answer)
    publication.references_html = "<ol><li>Shown by the retraction watch.</li></ol>"
    publication.save(update_fields=["references_html"])
    publication.refresh_from_db()
    assert "Shown by the retraction watch." in publication.article_html
    assert publication.article_html == fresh(publication)


def test_the_preview_shows_the_article_the_publication_stores():
    answer, _, clinician = published()
    publication = PublishedAnswer.objects.get(answer=answer)
    preview = PublishedAnswer.build(answer, reviewer=clinician, approved_at=publication.approved_at)
    # The published one also lists its change log, which a preview has not yet.
    before_change_log = publication.article_html.split('<section class="change-log"')[0]
    assert preview.article_html.strip() == before_change_log.strip()


def test_the_migration_renders_the_articles_of_older_snapshots():
    answer, _, _ = published()
    publication = PublishedAnswer.objects.get(answer=answer)
    expected = publication.article_html
    PublishedAnswer.objects.filter(pk=publication.pk).update(article_html="")
    migration = importlib.import_module("answers.migrations.0028_published_article_html")
    migration.render_existing_articles(apps, SimpleNamespace(connection=connection))
    publication.refresh_from_db()
    assert publication.article_html == expected


def test_render_articles_renders_stale_articles_again_and_purges_them(settings):
    answer, _, _ = published()
    publication = PublishedAnswer.objects.get(answer=answer)
    expected = publication.article_html
    PublishedAnswer.objects.filter(pk=publication.pk).update(article_html="<p>stale</p>")
    out = StringIO()
    call_command("render_articles", stdout=out)
    assert "Rendered 1 published articles: 1 changed." in out.getvalue()
    publication.refresh_from_db()
    assert publication.article_html == expected
    assert "stale" not in public_page(answer).content.decode()
    out = StringIO()
    call_command("render_articles", stdout=out)
    assert "1 published articles: 0 changed." in out.getvalue()
