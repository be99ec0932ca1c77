"""Lookups that help, in a real browser: on a new answer, before its first save, a DOI is
looked up from the cite dialog, added to the library, cited at the cursor and saved with
the answer; an outage is told in neutral words with the hand-entry form; the identifier
page names works by their short citation, never by the library's id. Crossref and PubMed
are the local stand-in; the text typed is test data."""

import pytest
from playwright.sync_api import expect

from answers.models import Answer
from citations.models import Citation, Reference
from tests.citations.fake_services import SGLT2_DOIS
from tests.e2e.helpers import axe_everywhere, describe_violations, log_in, screenshot
from tests.factories import make_answer, make_topic, make_writer

pytestmark = pytest.mark.e2e

QUESTION = "Does a lookup before the first save keep its test citation?"


def test_a_new_answer_cites_a_looked_up_doi_before_its_first_save(
    browse, groups, services, artifacts, axe_source
):
    services.add_sglt2()
    make_writer(username="writer")
    topic = make_topic(name="Test lookup topic")
    watch = browse("writer")
    page = log_in(watch, "writer")
    page.goto("/admin/answers/answer/add/")
    page.locator("#id_question_text").fill(QUESTION)
    page.locator("#id_topic").select_option(label=topic.name)
    page.locator("#id_lead").fill("Test short answer.")
    body = page.locator("#id_sections-0-body")
    body.fill("A test sentence.")
    body.focus()
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")

    page.locator("#id_sections-0-body-cite").click()
    dialog = page.get_by_role("dialog", name="Cite from the library")
    dialog.get_by_label("DOI or PubMed ID").fill(SGLT2_DOIS[0])
    dialog.get_by_role("button", name="Look up").click()
    expect(dialog.locator("#qa-lookup-status")).to_contain_text("Looked up")
    expect(dialog.locator("#qa-lookup-results")).to_contain_text("New: confirm")
    assert not Reference.objects.exists()
    axe_everywhere(watch, page, axe_source)  # loads axe into the page
    before = len(watch.problems)
    violations = page.evaluate(
        "async () => (await axe.run('#qa-cite-dialog', {resultTypes: ['violations']})).violations"
    )
    # axe's own style attributes, which the page's policy reports, and nothing else.
    assert all("Applying inline style violates" in p for p in watch.problems[before:])
    del watch.problems[before:]
    assert not violations, "axe-core on the dialog:\n" + describe_violations(violations)
    screenshot(page, "lookup-01-new-answer-before-first-save")
    dialog.get_by_role("button", name="Add McMurray 2019, N Engl J Med to the library").click()
    expect(dialog).to_be_hidden()
    expect(body).to_have_value("A test sentence [1].")
    reference = Reference.objects.get()
    expect(page.locator("#id_citations-0-label")).to_have_value("1")
    expect(page.locator("#id_citations-0-reference")).to_have_value(str(reference.pk))
    expect(page.locator("#qa-desk-status")).to_contain_text(
        "Cited McMurray 2019, N Engl J Med as [1]"
    )
    # The work waits in the form: nothing is cited until the answer is saved.
    assert not Answer.objects.exists() and not Citation.objects.exists()
    violations = axe_everywhere(watch, page, axe_source)
    assert not violations, "axe-core on the add page:\n" + describe_violations(violations)

    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator("ul.messagelist")).to_contain_text("was added successfully", timeout=15_000)
    answer = Answer.objects.get(question__text=QUESTION)
    assert [(c.label, c.reference_id) for c in answer.citations.all()] == [("1", reference.pk)]


def test_an_outage_is_neutral_and_offers_the_form_filled_in(browse, groups, services, artifacts):
    services.crossref_down = True
    make_writer(username="writer")
    page = log_in(browse("writer"), "writer")
    page.goto("/admin/answers/answer/add/")
    page.locator("#id_sections-0-body-cite").click()
    dialog = page.get_by_role("dialog", name="Cite from the library")
    dialog.get_by_label("DOI or PubMed ID").fill(SGLT2_DOIS[0])
    dialog.get_by_role("button", name="Look up").click()
    results = dialog.locator("#qa-lookup-results")
    expect(results).to_contain_text(
        "Crossref did not answer; try again, or add the details by hand."
    )
    expect(results).not_to_contain_text("Error")
    expect(results).not_to_contain_text("Refused")
    link = results.get_by_role("link", name="Add the details by hand")
    screenshot(page, "lookup-02-outage-in-neutral-words")
    with page.expect_popup() as popup:
        link.click()
    form = popup.value
    expect(form.locator("#id_doi")).to_have_value("10.1056/NEJMoa1911303")
    assert not Reference.objects.exists()


def test_the_identifier_page_names_works_by_citation_not_id(browse, groups, services, artifacts):
    services.add_sglt2()
    writer = make_writer(username="writer")
    held = Reference.objects.create(
        id=7,
        title="Test: held under id 7",
        doi="10.1056/NEJMoa2022190",
        authors=[{"family": "Packer", "given": "Milton"}],
        year=2020,
        container_title_short="N Engl J Med",
    )
    answer = make_answer(
        question="Test question for the identifier page?",
        lead="Test short answer.",
        sections=[("What the research says", "prose", "Test text [3].")],
        references={"3": held},
        writers=[writer],
    )
    page = log_in(browse("writer"), "writer")
    page.goto(f"/admin/answers/answer/{answer.pk}/cite-by-identifier/")
    page.get_by_label("Identifiers").fill(SGLT2_DOIS[1])
    page.get_by_role("button", name="Look up").click()
    row = page.locator("#lookup-results tbody tr")
    expect(row).to_contain_text(
        "Already in the library as Packer 2020, N Engl J Med, cited here as [3]: nothing to add."
    )
    expect(row).to_contain_text("Already cited as [3]")
    expect(page.locator("#content")).not_to_contain_text("#7")
    assert "7" not in row.locator("td").nth(1).inner_text()
    screenshot(page, "lookup-03-identifier-page-names-the-work")


def test_the_import_page_teaches_the_format_and_previews_before_saving(
    browse, groups, artifacts, axe_source
):
    """The import page links the format and a real sample; an upload shows what it will
    create and saves nothing until confirmed. axe finds nothing on the three pages."""
    from pathlib import Path

    from tests.factories import make_topic as topic

    topic(name="Cardiology")
    make_writer(username="writer")
    watch = browse("writer")
    page = log_in(watch, "writer")
    page.goto("/admin/import/articles/")
    violations = axe_everywhere(watch, page, axe_source)
    assert not violations, "axe-core on the import page:\n" + describe_violations(violations)
    expect(page.get_by_role("link", name="sglt2-heart-failure.txt")).to_have_attribute(
        "download", "sglt2-heart-failure.txt"
    )
    screenshot(page, "import-01-the-page-teaches-the-format")
    page.get_by_role("link", name="the article format").click()
    expect(page.get_by_role("heading", name="When to get help")).to_be_visible()
    violations = axe_everywhere(watch, page, axe_source)
    assert not violations, "axe-core on the format page:\n" + describe_violations(violations)
    page.go_back()

    samples = Path(__file__).resolve().parents[2] / "static" / "samples"
    page.locator("#id_article").set_input_files(samples / "sglt2-heart-failure.txt")
    page.locator("#id_references").set_input_files(samples / "sglt2-heart-failure.references.ris")
    page.get_by_role("button", name="Import").click()
    plan = page.locator("#import-plan")
    expect(plan).to_contain_text("Works new to the library (4)")
    expect(plan).to_contain_text("McMurray 2019, N Engl J Med")
    expect(plan).to_contain_text("Citations left unresolved (0)")
    assert not Answer.objects.exists() and not Reference.objects.exists()
    violations = axe_everywhere(watch, page, axe_source)
    assert not violations, "axe-core on the preview:\n" + describe_violations(violations)
    screenshot(page, "import-02-preview-before-anything-is-saved")
