"""The public side in the reader's language: /es/… addresses beside unchanged English ones,
lang and hreflang both ways, the language switcher, JSON-LD inLanguage, the out-of-date
notice, the interface through gettext, search and a feed per language, the purges."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import (
    TEST_TEXT,
    approve_new_english,
    make_editor,
    publish_answer,
    published_translation,
)

pytestmark = pytest.mark.django_db


def spanish_url(name, *args):
    with translation.override("es"):
        return reverse(name, args=args)


def _ld(page):
    found = re.search(rb'<script type="application/ld\+json">(.*?)</script>', page.content, re.S)
    return json.loads(found.group(1))


def test_english_addresses_are_unchanged_and_spanish_ones_are_prefixed():
    assert reverse("question", args=["x"]) == "/questions/x/"
    assert reverse("home") == "/"
    assert spanish_url("translated_question", "x") == "/es/questions/x/"
    assert spanish_url("translated_home") == "/es/"


def test_the_spanish_page_in_spanish_with_links_both_ways(site_url):
    answer, translation_ = published_translation()
    url = spanish_url("translated_question", translation_.slug)
    page = Client().get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="es">' in html
    english = f"{site_url}/questions/{answer.question.slug}/"
    assert f'<link rel="alternate" hreflang="en" href="{english}">' in html
    assert f'<link rel="alternate" hreflang="es" href="{site_url}{url}">' in html
    assert TEST_TEXT in html
    assert "Saltar al contenido principal" in html  # the interface through gettext
    assert "Referencias" in html
    assert _ld(page)["inLanguage"] == "es"
    assert "out-of-date-notice" not in html

    english_page = Client().get(answer.get_absolute_url()).content.decode()
    assert '<html lang="en">' in english_page
    assert f'<link rel="alternate" hreflang="es" href="{site_url}{url}">' in english_page
    assert 'hreflang="es" lang="es">español</a>' in english_page


def test_an_english_page_without_translations_offers_no_other_language():
    answer = publish_answer()
    page = Client().get(answer.get_absolute_url()).content.decode()
    assert "hreflang" not in page and "Also in" not in page


def test_a_translation_not_yet_approved_is_not_offered_or_served():
    from answers.models import Translation
    from tests.factories import fill_translation, make_translator

    answer = publish_answer()
    translator = make_translator()
    draft = Translation.start(answer=answer, language="es", by=translator)
    fill_translation(draft, by=translator)
    assert "hreflang" not in Client().get(answer.get_absolute_url()).content.decode()
    assert Client().get(spanish_url("translated_question", draft.slug)).status_code == 404


def test_the_out_of_date_notice_links_to_the_english_version():
    answer, translation_ = published_translation()
    url = spanish_url("translated_question", translation_.slug)
    assert Client().get(url)["X-Page-Cache"] == "miss"
    approve_new_english(answer)
    page = Client().get(url)  # the very next request: the approval purged it
    html = page.content.decode()
    assert 'id="out-of-date-notice"' in html
    assert "La versión en inglés se actualizó el" in html
    # Dates as Spanish writes them ("4 de diciembre de 2026"), not the English order.
    assert re.search(r"actualizó el \d{1,2} de [a-z]+ de \d{4};", html)
    assert re.search(
        r"Última revisión <time datetime=\"[-0-9]+\">\d{1,2} de [a-z]+ de \d{4}<", html
    )
    assert f'<a href="{answer.get_absolute_url()}" hreflang="en">' in html
    # It keeps serving the approved translation meanwhile.
    assert TEST_TEXT in html


def test_a_withdrawn_english_answer_takes_its_translation_down():
    answer, translation_ = published_translation()
    url = spanish_url("translated_question", translation_.slug)
    assert Client().get(url).status_code == 200
    answer.withdraw(by=make_editor(), reason="Test: withdrawn.")
    page = Client().get(url)
    assert page.status_code == 410
    assert "Esta respuesta ya no está publicada" in page.content.decode()


def test_publishing_a_translation_purges_the_english_page_and_the_listing():
    answer = publish_answer()
    english = Client().get(answer.get_absolute_url())
    home = Client().get(spanish_url("translated_home"))
    assert english["X-Page-Cache"] == "miss" and home["X-Page-Cache"] == "miss"
    assert "Todavía no hay respuestas traducidas" in home.content.decode()
    published_translation(answer)
    assert "español" in Client().get(answer.get_absolute_url()).content.decode()
    assert TEST_TEXT in Client().get(spanish_url("translated_home")).content.decode()


def test_a_feed_and_search_per_language():
    answer, translation_ = published_translation()
    feed = Client().get(spanish_url("translated_feed"))
    assert feed.status_code == 200
    assert translation_.publication.question.encode() in feed.content
    assert b"/es/questions/" in feed.content
    english_feed = Client().get(reverse("feed")).content
    assert TEST_TEXT.encode() not in english_feed
    found = Client().get(spanish_url("translated_search") + "?q=prueba")
    assert translation_.publication.question in found.content.decode()
    assert "Test" not in Client().get(spanish_url("translated_search") + "?q=pass").content.decode()


def test_a_language_the_site_is_not_translated_into_has_no_pages():
    assert Client().get("/fr/").status_code == 404


def test_the_compiled_catalogue_is_the_po_file():
    if shutil.which("msgfmt") is None:
        # The committed .mo files serve the site; only this check needs GNU gettext. CI
        # installs it (.ci/run), so CI can never pass by skipping it.
        message = "msgfmt (GNU gettext) is needed: apt-get install -y gettext"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    for po in Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"):
        compiled = subprocess.run(
            ["msgfmt", "--check", "-o", "-", str(po)], capture_output=True, check=True
        ).stdout
        assert po.with_suffix(".mo").read_bytes() == compiled, f"run make messages: {po}"


def test_the_sitemap_lists_translations_with_hreflang_both_ways(site_url):
    answer, translation_ = published_translation()
    spanish = f"{site_url}/es/questions/{translation_.slug}/"
    english = f"{site_url}/questions/{answer.question.slug}/"
    links = (
        f'<xhtml:link rel="alternate" hreflang="en" href="{english}"/>'
        f'<xhtml:link rel="alternate" hreflang="es" href="{spanish}"/>'
    )
    answers = Client().get("/sitemap-answers.xml").content.decode()
    assert f"<url><loc>{english}</loc>{links}" in answers
    translations = Client().get("/sitemap-translations.xml").content.decode()
    assert f"<url><loc>{spanish}</loc>{links}" in translations
    assert f"{site_url}/sitemap-translations.xml" in Client().get("/sitemap.xml").content.decode()
    # A withdrawn translation leaves both, on the very next request.
    translation_.withdraw(by=make_editor(), reason="Test: taken down.")
    assert "hreflang" not in Client().get("/sitemap-answers.xml").content.decode()
    assert spanish not in Client().get("/sitemap-translations.xml").content.decode()


def test_the_apis_language_filter(site_url):
    answer, translation_ = published_translation()
    english = Client().get(reverse("api_answer_list")).json()
    assert [r["language"] for r in english["results"]] == ["en"]
    assert english["results"][0]["translation_of"] is None
    spanish = Client().get(reverse("api_answer_list") + "?language=es").json()
    (result,) = spanish["results"]
    assert result["language"] == "es"
    assert result["question"] == translation_.publication.question
    assert result["url"] == f"{site_url}/es/questions/{translation_.slug}/"
    assert result["translation_of"] == f"{site_url}{answer.get_absolute_url()}"
    assert result["out_of_date"] is False
    refused = Client().get(reverse("api_answer_list") + "?language=fr")
    assert refused.status_code == 400
    assert "language" in str(refused.json())


# ------------------------------------------------------------ who signed it off


def _signer(translation_):
    return translation_.signoffs.get().reviewer.contributor


def test_the_byline_links_the_clinicians_page_in_spanish(django_assert_max_num_queries):
    """Spanish readers see who signed the translation off, their declared conflicts and the
    other translations they reviewed, in Spanish, with the profile's English words marked."""
    answer, translation_ = published_translation()
    contributor = _signer(translation_)
    contributor.bio = "Test bio in English."
    contributor.save()
    page = Client().get(spanish_url("translated_question", translation_.slug)).content.decode()
    name = translation_.publication.data["reviewer"]["name"]
    link = f'<a href="/es/contributors/{contributor.slug}/">{name}</a>'
    assert f"Traducción revisada médicamente por {link}, MD" in page

    url = spanish_url("translated_contributor", contributor.slug)
    with django_assert_max_num_queries(6):
        response = Client().get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="es"' in html
    assert "Conflictos de intereses declarados" in html
    assert '<p class="contributor__bio" lang="en">Test bio in English.</p>' in html
    assert "Traducciones revisadas médicamente" in html
    assert f'href="/es/questions/{translation_.slug}/"' in html
    # Named on no English answer, so no English page to offer.
    assert Client().get(contributor.get_absolute_url()).status_code == 404
    assert 'hreflang="en" href=' not in html
    assert _ld(response)["inLanguage"] == "es"


def test_no_page_for_someone_who_signed_off_no_live_translation():
    answer, translation_ = published_translation()
    contributor = _signer(translation_)
    url = spanish_url("translated_contributor", contributor.slug)
    assert Client().get(url).status_code == 200
    translation_.withdraw(by=make_editor(), reason="Test: withdrawn.")
    assert Client().get(url).status_code == 404  # the withdrawal purged it
    assert Client().get(spanish_url("translated_contributor", "nobody-here")).status_code == 404


def test_a_moved_profile_redirects_and_an_edit_is_on_the_very_next_request():
    answer, translation_ = published_translation()
    contributor = _signer(translation_)
    old = spanish_url("translated_contributor", contributor.slug)
    assert Client().get(old).status_code == 200
    contributor.conflicts_of_interest = "Test: declared a grant."
    contributor.slug = "test-moved-reviewer"
    contributor.save()
    moved = Client().get(old)
    assert moved.status_code == 301
    assert moved["Location"] == "/es/contributors/test-moved-reviewer/"
    assert "Test: declared a grant." in Client().get(moved["Location"]).content.decode()


def test_the_sitemap_lists_the_spanish_contributor_pages(site_url):
    answer, translation_ = published_translation()
    contributor = _signer(translation_)
    index = Client().get("/sitemap.xml").content.decode()
    assert "sitemap-translated-contributors.xml" in index
    section = Client().get("/sitemap-translated-contributors.xml").content.decode()
    assert f"{site_url}/es/contributors/{contributor.slug}/" in section


def test_an_english_only_site_has_no_translated_sitemaps(settings):
    settings.CONTENT_LANGUAGES = []
    index = Client().get("/sitemap.xml").content.decode()
    assert "sitemap-translations.xml" not in index
    assert "sitemap-translated-contributors.xml" not in index
    assert "sitemap-translated-topics.xml" not in index
    assert Client().get("/sitemap-translated-contributors.xml").status_code == 404


def test_the_spanish_page_links_the_english_one_when_there_is_one():
    """Someone also named on an English answer: a link for readers, not an hreflang alternate
    (the two pages list different answers)."""
    answer, translation_ = published_translation()
    contributor = _signer(translation_)
    url = spanish_url("translated_contributor", contributor.slug)
    assert "This page in English" not in Client().get(url).content.decode()
    publish_answer(question="Is the signer also named in English?", clinician=contributor.user)
    html = Client().get(url).content.decode()  # the English approval purged the listing
    assert (
        f'<a href="/contributors/{contributor.slug}/" hreflang="en" lang="en">This page in '
        "English" in html
    )
    assert 'rel="alternate" hreflang' not in html


def test_the_spanish_contributor_page_is_paged_as_the_spanish_topic_pages_are(monkeypatch):
    """?page=N, with the links and their wording in Spanish."""
    from answers.models import Translation
    from tests.factories import (
        approve_translation,
        fill_translation,
        make_spanish_clinician,
        make_translator,
    )

    monkeypatch.setattr("answers.public.translated_contributors.PAGE_SIZE", 1)
    clinician, translator = make_spanish_clinician(), make_translator()
    for n in (1, 2):
        answer = publish_answer(question=f"Is paged Spanish contributor answer {n} listed?")
        translated = Translation.start(answer=answer, language="es", by=translator)
        fill_translation(translated, by=translator)
        translated.submit(by=translator)
        approve_translation(translated, clinician)
    url = spanish_url("translated_contributor", clinician.contributor.slug)
    first = Client().get(url).content.decode()
    assert "Página 1 de 2" in first
    assert '<a rel="next" href="?page=2">Página siguiente</a>' in first
    second = Client().get(f"{url}?page=2").content.decode()
    assert "Página 2 de 2" in second and 'href="?page=1">Página anterior</a>' in second
