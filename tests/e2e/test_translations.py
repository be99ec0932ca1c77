"""Issue 21's "Done when", in a real browser: an English answer is published; its Spanish
translation is exported to XLIFF, filled in, imported, submitted and approved by a clinician
who reads Spanish; /es/… serves it with lang="es" and hreflang links both ways; the English
answer is approved again; the Spanish page then says it is being updated and the dashboard
counts it; a file with a missing citation marker is refused naming the unit. axe-core and
the Nu HTML Checker find nothing on the Spanish pages. The Spanish words are marked test
text ("Texto de prueba"), not a translation of medical content."""

import pytest
from playwright.sync_api import expect

from answers.models import Translation
from tests.e2e.helpers import (
    axe_everywhere,
    describe_nu_errors,
    describe_violations,
    log_in,
    nu_check,
    screenshot,
)
from tests.factories import (
    TEST_TEXT,
    approve_new_english,
    make_clinician,
    make_editor,
    make_writer,
    publish_answer,
    translate_xliff,
)

pytestmark = pytest.mark.e2e

QUESTION = "Does the translated test answer pass?"


def _upload(page, data, name="es.xlf"):
    page.get_by_label("Translated XLIFF file").set_input_files(
        files=[{"name": name, "mimeType": "application/xliff+xml", "buffer": data}]
    )
    page.get_by_role("button", name="Import into this draft").click()


def test_a_spanish_translation_from_xliff_to_the_readers_page_and_out_of_date(
    browse, groups, axe_source, vnu_command, live_server
):
    writer = make_writer(username="writer")
    make_writer(username="traductora", languages="es")
    make_clinician(username="revisora", languages="es")
    make_clinician(username="clinician")
    make_editor(username="editor")
    answer = publish_answer(question=QUESTION, writer=writer)

    # The translator starts the translation and downloads the XLIFF file.
    translator = browse("traductora")
    page = log_in(translator, "traductora")
    page.goto("/admin/answers/translation/")
    page.get_by_label("Published answer").select_option(label=QUESTION)
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Started the Spanish translation")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download XLIFF for a translator").click()
    exported = download.value.path().read_bytes()
    assert b'ctype="x-citation"' in exported

    # A file with a citation marker missing is refused, naming the unit; nothing changes.
    _upload(page, translate_xliff(exported, drop_marker_in="lead-p1"))
    expect(page.locator("#import-problems")).to_contain_text(
        "Unit lead-p1 (the short answer, paragraph 1): the citation marker [1] is missing"
    )
    page.go_back()

    # The filled-in file becomes the draft; the translator submits it.
    _upload(page, translate_xliff(exported))
    expect(page.locator(".messagelist")).to_contain_text("Imported into the Spanish translation")
    expect(page.locator(".qa-side-by-side")).to_contain_text(TEST_TEXT)
    page.get_by_role("button", name="Submit for medical review").click()
    expect(page.locator(".messagelist")).to_contain_text("Sent for medical review")

    # A clinician who reads Spanish signs off the words the page shows.
    reviewer = browse("revisora")
    page = log_in(reviewer, "revisora")
    translation = Translation.objects.get(answer=answer)
    page.goto(f"/admin/answers/translation/{translation.pk}/change/")
    expect(page.locator(".qa-side-by-side")).to_contain_text(TEST_TEXT)
    page.get_by_label("It says what the English version says").check()
    page.get_by_label("The wording is safe and clear for patients").check()
    page.get_by_label("Your password, as your signature").fill("pw")
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".messagelist")).to_contain_text("Signed off and published")

    # The reader's Spanish page, with links both ways.
    translation.refresh_from_db()
    spanish = f"/es/questions/{translation.slug}/"
    reader = browse("reader")
    page = reader.page
    page.goto(answer.get_absolute_url())
    assert (
        page.locator('link[rel="alternate"][hreflang="es"]').get_attribute("href").endswith(spanish)
    )
    page.get_by_role("link", name="español").click()
    expect(page).to_have_url(f"{live_server.url}{spanish}")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert (
        page.locator('link[rel="alternate"][hreflang="en"]')
        .get_attribute("href")
        .endswith(answer.get_absolute_url())
    )
    expect(page.locator("h1")).to_contain_text(TEST_TEXT)
    expect(page.locator("#out-of-date-notice")).to_have_count(0)

    # The English answer is edited and approved again: the Spanish page says so.
    approve_new_english(answer)
    page.goto(spanish)
    notice = page.locator("#out-of-date-notice")
    expect(notice).to_contain_text("La versión en inglés se actualizó el")
    expect(notice).to_contain_text("esta traducción se está actualizando")
    notice.get_by_role("link", name="Leer la versión en inglés").click()
    expect(page).to_have_url(f"{live_server.url}{answer.get_absolute_url()}")

    # The byline leads to the clinician's page in Spanish.
    page.goto(spanish)
    screenshot(page, "translation-es-answer-out-of-date")
    page.locator(".byline").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Traducciones revisadas médicamente")).to_be_visible()
    contributor_url = page.url.removeprefix(live_server.url)
    assert contributor_url.startswith("/es/contributors/")
    screenshot(page, "translation-es-contributor")

    # axe-core and the Nu HTML Checker on the Spanish pages.
    pages = {}
    for name, url in [
        ("es-answer", spanish),
        ("es-home", "/es/"),
        ("es-search", "/es/search/?q=prueba"),
        ("es-contributor", contributor_url),
    ]:
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", "es")
        violations = axe_everywhere(reader, page, axe_source)
        assert not violations, f"axe-core on {url}:\n" + describe_violations(violations)
        pages[name] = page.content()
    errors = nu_check(pages, vnu_command)
    assert not any(errors.values()), "Nu HTML Checker:\n" + describe_nu_errors(errors, pages)

    # The editors' dashboard counts the translation out of date.
    editor = browse("editor")
    page = log_in(editor, "editor")
    page.goto("/admin/answers/translation/dashboard/")
    expect(page.locator('#dashboard-es [data-count="out_of_date"]')).to_have_text("1")
    expect(page.locator('#dashboard-es [data-count="missing"]')).to_have_text("0")
    screenshot(page, "translation-dashboard")


def test_the_spanish_topic_pages_in_a_browser(browse, groups, axe_source, vnu_command, live_server):
    """A topic named in Spanish (marked test words) with a published translation: the reader
    goes from /es/ to its topics, the topic and the answer, whose breadcrumb and disclaimer
    name the topic in Spanish; the English topic page links to the Spanish one. axe-core and
    the Nu HTML Checker find nothing on these pages."""
    from answers.models import TopicName
    from tests.factories import make_topic, published_translation

    topic = make_topic(name="Browser test topic")
    TopicName.objects.create(
        topic=topic, language="es", name="Tema de prueba", description="Descripción de prueba."
    )
    answer, translation = published_translation(publish_answer(question=QUESTION, topic=topic))
    reader = browse("reader")
    page = reader.page
    page.goto("/es/")
    page.get_by_role("link", name="Ver las respuestas por tema").click()
    expect(page.locator("h1")).to_have_text("Temas")
    page.get_by_role("link", name="Tema de prueba").click()
    expect(page).to_have_url(f"{live_server.url}/es/topics/{topic.slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert (
        page.locator('link[rel="alternate"][hreflang="en"]')
        .get_attribute("href")
        .endswith(topic.get_absolute_url())
    )
    page.get_by_role("link", name=translation.publication.question).click()
    breadcrumb = page.get_by_role("navigation", name="Ruta de navegación")
    expect(breadcrumb.get_by_role("link", name="Tema de prueba")).to_have_attribute(
        "href", f"/es/topics/{topic.slug}/"
    )
    expect(page.locator(".disclaimer")).to_contain_text(
        "preguntas frecuentes de pacientes sobre Tema de prueba"
    )
    page.goto(topic.get_absolute_url())
    page.get_by_role("link", name="español").click()
    expect(page).to_have_url(f"{live_server.url}/es/topics/{topic.slug}/")

    pages = {}
    for name, url in [
        ("es-topics", "/es/topics/"),
        ("es-topic", f"/es/topics/{topic.slug}/"),
        ("es-answer", f"/es/questions/{translation.slug}/"),
        ("en-topic", topic.get_absolute_url()),
    ]:
        page.goto(url)
        violations = axe_everywhere(reader, page, axe_source)
        assert not violations, f"axe-core on {url}:\n" + describe_violations(violations)
        pages[name] = page.content()
    errors = nu_check(pages, vnu_command)
    assert not any(errors.values()), "Nu HTML Checker:\n" + describe_nu_errors(errors, pages)
