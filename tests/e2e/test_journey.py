"""The editorial journey in a real browser, through the real admin, asserting what each
person sees: a writer drafts and submits, a clinician sends it back and then approves, the
public reads it, a later edit waits for re-approval, an editor withdraws it. Then a hostile
article goes through the same screens and no script of its own ever runs.

Text typed here is fake test data, with references from tests.factories.make_reference;
the import test uploads the real SGLT2 sample article from answers/demo_content unchanged.
"""

import json
import re
from html.parser import HTMLParser
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest
from django.utils.dateformat import format as date_format
from playwright.sync_api import expect

from answers.models import PublishedAnswer
from tests.e2e.helpers import (
    DEMO_CONTENT,
    PASSWORD,
    BrowserWatch,
    injected_markup,
    log_in,
    screenshot,
)
from tests.factories import (
    approve as approve_answer,
)
from tests.factories import (
    make_answer,
    make_clinician,
    make_editor,
    make_reference,
    make_topic,
    make_writer,
)

pytestmark = pytest.mark.e2e

CHANGELIST = "/admin/answers/answer/"
QUESTION = "Does the end-to-end test answer reach the public page?"
LEAD = "Test short answer, written for the browser test [9]."
FIRST_BODY = "A first test sentence [11]. A second test sentence [2]."
FIXED_BODY = "A first test sentence, reworded as asked [11]. A second test sentence [2]."
REVISED_LEAD = "Test short answer, revised after publication [9]."
QUESTIONS_BODY = "- Test question one?\n- Test question two?"
# As long as clinicians' comments and editors' reasons really are (over 100 characters).
COMMENT = (
    "Test comment: please reword the first test sentence so that it says plainly what the "
    "test found, then submit it again."
)
APPROVE_COMMENT = (
    "Test comment: the revised short answer matches the cited test references, and the "
    "wording is still safe for patients."
)
NOT_GRADED_REASON = "Test reason: nobody has graded the evidence of the browser test."
CERTAINTY_REASON = "Test reason: the certainty the browser test grades, not an assessment."
CHANGE_SUMMARY = "Test summary: the short answer was revised by the browser test."
WITHDRAW_REASON = (
    "Test reason: withdrawn by the browser test while the editors and the clinician check "
    "the cited test references again."
)


@pytest.fixture
def people(groups):
    return SimpleNamespace(
        writer=make_writer(username="writer", display_name="Test Writer"),
        clinician=make_clinician(
            username="clinician", display_name="Test Clinician", credentials="MD"
        ),
        editor=make_editor(username="editor", display_name="Test Editor"),
    )


# ------------------------------------------------------------------ admin form helpers


def choose_reference(page, row, reference):
    """Pick a reference in the citation row's autocomplete, by typing its DOI."""
    select_id = f"id_citations-{row}-reference"
    page.locator(f"#{select_id} + .select2").click()
    page.locator(".select2-container--open .select2-search__field").fill(reference.doi)
    options = page.locator(".select2-results__option")
    expect(options).to_have_count(1)  # the search has answered
    options.filter(has_text=reference.title[:40]).click()
    expect(page.locator(f"#select2-{select_id}-container")).to_contain_text(reference.title[:40])


def fill_new_answer(page, *, question, topic, lead, sections, citations):
    """The admin's add form: question, topic, short answer, sections and cited references."""
    page.goto(CHANGELIST)
    page.get_by_role("link", name="Add answer").click()
    page.locator("#id_question_text").fill(question)
    page.locator("#id_topic").select_option(label=topic.name)
    page.locator("#id_lead").fill(lead)
    for row, (heading, kind, body) in enumerate(sections):
        if row:
            page.get_by_role("button", name="Add another Section").click()
        page.locator(f"#id_sections-{row}-heading").fill(heading)
        page.locator(f"#id_sections-{row}-kind").select_option(kind)
        page.locator(f"#id_sections-{row}-body").fill(body)
    for row, (label, reference) in enumerate(citations):
        if row:
            page.get_by_role("button", name="Add another Reference cited").click()
        page.locator(f"#id_citations-{row}-label").fill(label)
        choose_reference(page, row, reference)
    propose_certainty(page)


def propose_certainty(page, level="Not yet graded", reason=NOT_GRADED_REASON):
    """The writer's proposal of how sure the evidence lets us be (test values)."""
    page.locator("#id_certainty").select_option(label=level)
    page.locator("#id_certainty_reason").fill(reason)


def save_and_continue(page):
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator("ul.messagelist")).to_be_visible()


def submit_for_review(page):
    page.get_by_role("button", name="Submit for medical review").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Sent for medical review")
    expect(page.locator("#qa-status-heading")).to_contain_text("In medical review")


def open_answer(page, question):
    """From the list of answers, open the answer's page by its question."""
    page.goto(CHANGELIST)
    page.locator("#result_list").get_by_role("link", name=question).click()
    expect(page.locator("#qa-status-heading")).to_be_visible()


def open_review_from_my_queue(page, question):
    """The clinician's way in: the "Waiting for my review" filter, then the row's Review link."""
    page.goto(CHANGELIST)
    page.locator("#changelist-filter").get_by_role("link", name="Waiting for my review").click()
    row = page.locator("#result_list tbody tr", has_text=question)
    expect(row).to_have_count(1)
    row.get_by_role("link", name="Review").click()
    expect(page).to_have_url(re.compile(r"/admin/answers/answer/\d+/review/$"))
    expect(page.get_by_role("heading", name="The draft, as readers will see it")).to_be_visible()


def decision_form(page, button):
    return page.locator("form").filter(has=page.get_by_role("button", name=button, exact=True))


def approve(page, comment="", password=PASSWORD, *, change_summary="", correction=False):
    """Tick both checks, say what changed, and sign with the password (the clinician's
    electronic signature)."""
    form = decision_form(page, "Approve")
    form.get_by_label("I checked every source against the text").check()
    form.get_by_label("The wording is safe for patients").check()
    form.get_by_label("Comment (optional)").fill(comment)
    form.get_by_label("Your password, as your signature").fill(password)
    if change_summary:
        form.get_by_label("What changed (for readers)").fill(change_summary)
    if correction:
        form.get_by_label("This update corrects an error").check()
    form.get_by_role("button", name="Approve", exact=True).click()
    if password == PASSWORD:
        expect(page.locator("ul.messagelist")).to_contain_text("Approved and published")


def citation_numbers(page):
    return [text.strip() for text in page.locator("sup.citations a.citation").all_text_contents()]


def structured_data(page):
    blocks = page.locator('script[type="application/ld+json"]')
    expect(blocks).to_have_count(1)
    return json.loads(blocks.text_content())


# ------------------------------------------------------------------ the journey


def test_editorial_journey(browse, people, artifacts):
    topic = make_topic(name="Test topic")
    # Cited in the text as [9], [11] and [2]; the public numbers them 1, 2, 3 in that order.
    ref9, ref11, ref2 = make_reference(), make_reference(), make_reference()
    writer, clinician, editor, reader = (
        browse("writer"),
        browse("clinician"),
        browse("editor"),
        browse("reader"),
    )

    # 1. The writer drafts the answer in the admin and submits it; the public sees nothing.
    page = log_in(writer, "writer")
    fill_new_answer(
        page,
        question=QUESTION,
        topic=topic,
        lead=LEAD,
        sections=[
            ("Test findings", "prose", FIRST_BODY),
            ("What to ask your doctor", "questions", QUESTIONS_BODY),
        ],
        citations=[("9", ref9), ("11", ref11), ("2", ref2)],
    )
    screenshot(page, "01-writer-new-answer-form")
    save_and_continue(page)
    expect(page.locator("ul.messagelist")).to_contain_text("was added successfully")
    expect(page.locator("#qa-status-heading")).to_contain_text("Draft")
    expect(page.locator(".qa-checklist")).to_contain_text("Nothing blocks submission or approval")
    expect(page.locator(".qa-checklist")).to_contain_text(
        "certainty of the evidence is not yet graded"
    )
    public_path = f"/questions/{page.locator('#id_slug').input_value()}/"
    answer_url = page.url
    submit_for_review(page)
    expect(page.locator(".qa-notice-locked")).to_contain_text("nobody can edit it")
    screenshot(page, "01-writer-submitted")
    response = reader.page.goto(public_path)
    assert response.status == 404
    expect(reader.page.get_by_role("heading", name="Page not found")).to_be_visible()
    writer.check()

    # 2. The clinician finds it waiting, sees the preview and the diff, requests changes.
    page = log_in(clinician, "clinician")
    open_review_from_my_queue(page, QUESTION)
    expect(page.locator("#content")).to_contain_text(QUESTION)
    draft = page.locator(".qa-draft")
    expect(draft).to_contain_text("A first test sentence")
    expect(draft.locator(".reference-list li")).to_have_count(3)
    expect(page.get_by_role("heading", name="What changed in this round")).to_be_visible()
    expect(page.get_by_text("First review: nothing to compare yet.")).to_be_visible()
    screenshot(page, "02-clinician-review-page")
    form = decision_form(page, "Request changes")
    form.get_by_label("What needs to change").fill(COMMENT)
    form.get_by_role("button", name="Request changes").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Sent back to the writers")
    expect(page.locator("#qa-status-heading")).to_contain_text("Draft")
    screenshot(page, "02-clinician-requested-changes")
    clinician.check()

    # 3. The writer reads the comment, fixes the text and resubmits; the clinician approves.
    page = writer.page
    open_answer(page, QUESTION)
    comment = page.locator(".qa-review-comment")
    expect(comment).to_contain_text("The clinician asked for these changes")
    expect(comment).to_contain_text(COMMENT)
    screenshot(page, "03-writer-sees-comment")
    page.locator("#id_sections-0-body").fill(FIXED_BODY)
    save_and_continue(page)
    expect(page.locator("#id_sections-0-body")).to_have_value(FIXED_BODY)
    submit_for_review(page)
    expect(page.locator(".qa-review-comment")).to_have_count(0)

    page = clinician.page
    open_review_from_my_queue(page, QUESTION)
    expect(page.locator(".qa-draft")).to_contain_text("reworded as asked")
    # What changed since the clinician sent it back, word by word.
    expect(page.get_by_role("heading", name="Since you sent it back")).to_be_visible()
    expect(page.locator(".qa-diff ins").first).to_contain_text("reworded as asked")
    expect(page.get_by_text("Not signed off yet")).to_be_visible()
    # The password is the signature: a wrong one signs and publishes nothing.
    approve(page, password="not-the-password")
    expect(page.locator("ul.messagelist")).to_contain_text(
        "The password was not right, so nothing was signed and nothing was published."
    )
    expect(page.locator("#content-main")).to_contain_text("Status: In medical review")
    screenshot(page, "03-clinician-wrong-signature")
    approve(page)
    expect(page.locator("#qa-status-heading")).to_contain_text("Published")
    screenshot(page, "03-clinician-approved")
    page.get_by_role("link", name="History").first.click()
    signoffs = page.locator("table.qa-signoffs tbody tr")
    expect(signoffs).to_have_count(1)
    expect(signoffs).to_contain_text("Test Clinician, MD")
    expect(signoffs).to_contain_text("Medically reviewed and approved")
    writer.check()
    clinician.check()

    # 4. The public page: citations renumbered by first citation, references formatted,
    # reviewer and dates in the byline, JSON-LD for search engines.
    page = reader.page
    response = page.goto(public_path)
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(QUESTION)
    expect(page.locator(".lead")).to_contain_text("Test short answer, written for the browser test")
    expect(page.locator(".answer-body")).to_contain_text("reworded as asked")
    assert citation_numbers(page) == ["Reference 1", "Reference 2", "Reference 3"]
    assert page.locator("sup.citations a.citation").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    ) == ["#ref-1", "#ref-2", "#ref-3"]
    for number, reference in enumerate([ref9, ref11, ref2], start=1):
        item = page.locator(f"ol.reference-list li#ref-{number}")
        expect(item).to_contain_text(f"Tester A. {reference.title}. J Tests. 2024;1:")
        expect(item).to_contain_text(f"doi:{reference.doi}")
        expect(item.locator("i")).to_have_text("J Tests")
        expect(item.locator("a.backlink")).to_have_attribute("href", f"#cite-{number}")
    expect(page.locator("ol.reference-list li")).to_have_count(3)
    publication = PublishedAnswer.objects.get(slug=public_path.split("/")[2])
    reviewed = date_format(publication.approved_at, "j F Y")
    due = date_format(publication.next_review_due, "j F Y")
    byline = page.locator(".byline")
    expect(byline).to_contain_text("Written by Test Writer")
    expect(byline).to_contain_text("Medically reviewed by Test Clinician, MD")
    expect(byline).to_contain_text(f"Last reviewed {reviewed}")
    expect(byline).to_contain_text(f"Next review due {due}")
    expect(page.get_by_role("heading", name="What to ask your doctor")).to_be_visible()
    data = structured_data(page)
    assert data["@type"] == "MedicalWebPage"
    assert data["name"] == QUESTION
    assert data["reviewedBy"].pop("url").endswith("/contributors/test-clinician/")
    assert data["reviewedBy"] == {
        "@type": "Person",
        "name": "Test Clinician",
        "honorificSuffix": "MD",
    }
    assert data["dateModified"] == publication.approved_at.isoformat()
    assert data["lastReviewed"] == publication.approved_at.date().isoformat()
    assert [item["name"] for item in data["citation"]] == [ref9.title, ref11.title, ref2.title]
    assert data["citation"][0]["identifier"][0] == {
        "@type": "PropertyValue",
        "propertyID": "DOI",
        "value": ref9.doi,
    }
    # Nobody graded the evidence: readers are told so, marked incomplete, with no level.
    certainty = page.get_by_role("region", name="How sure is this answer?")
    expect(certainty).to_have_class(re.compile(r"\bcertainty--incomplete\b"))
    expect(certainty).to_contain_text("Incomplete: not yet graded.")
    expect(certainty).to_contain_text("has not been graded yet")
    expect(certainty).to_contain_text(NOT_GRADED_REASON)
    expect(certainty).not_to_contain_text("certainty of evidence.")
    cite = page.get_by_role("region", name="Cite this page")
    expect(cite.locator("#page-citation")).to_contain_text(
        f"Test Writer. {QUESTION}. Patient answers."
    )
    expect(cite.locator("#page-citation")).to_contain_text("Accessed")
    reader.context.grant_permissions(["clipboard-read", "clipboard-write"])
    cite.get_by_role("button", name="Copy citation").click()
    expect(cite.get_by_role("status")).to_have_text("Citation copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"Test Writer. {QUESTION}.") and public_path in copied
    expect(page.locator(".change-log li")).to_have_count(1)
    expect(page.locator(".change-log li")).to_contain_text("First published")
    screenshot(page, "04-public-answer")
    # The byline leads to the reviewer's page: credentials, declared interests, answers.
    page.locator(".byline").get_by_role("link", name="Test Clinician, MD").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Test Clinician, MD")
    expect(page.get_by_role("region", name="Declared conflicts of interest")).to_contain_text(
        "No declaration on file"
    )
    reviewed_list = page.get_by_role("region", name="Answers medically reviewed")
    expect(reviewed_list.get_by_role("link", name=QUESTION)).to_be_visible()
    screenshot(page, "04-public-contributor")
    reader.check()

    # 5. The writer edits the published answer: the public keeps the approved text until a
    # clinician approves the new draft, on a review page that shows what changed.
    page = writer.page
    page.goto(answer_url)
    page.locator("#id_lead").fill(REVISED_LEAD)
    propose_certainty(page, "Moderate", CERTAINTY_REASON)  # the evidence is graded now
    save_and_continue(page)
    expect(page.locator("ul.messagelist")).to_contain_text(
        "The public page still shows the approved version"
    )
    expect(page.locator(".qa-public")).to_contain_text("This draft differs from the public version")
    screenshot(page, "05-writer-edited-published-answer")
    page = reader.page
    page.goto(public_path)
    expect(page.locator(".lead")).to_contain_text("written for the browser test")
    expect(page.locator(".lead")).not_to_contain_text("revised after publication")
    screenshot(page, "05-public-still-approved-text")

    submit_for_review(writer.page)
    page = clinician.page
    open_review_from_my_queue(page, QUESTION)
    diff = page.locator(".qa-diff")
    expect(diff.get_by_role("heading", name="Short answer")).to_be_visible()
    expect(diff.locator("ins").first).to_be_visible()
    inserted = " ".join(text.strip() for text in diff.locator("ins").all_text_contents())
    deleted = " ".join(text.strip() for text in diff.locator("del").all_text_contents())
    assert "revised after publication" in inserted
    assert "written for the browser test" in deleted
    expect(diff.get_by_role("heading", name="Certainty of evidence")).to_be_visible()
    expect(diff.locator(".qa-diff-certainty")).to_have_text("Level: Not yet graded → Moderate")
    screenshot(page, "05-clinician-sees-diff")
    approve(page, comment=APPROVE_COMMENT, change_summary=CHANGE_SUMMARY, correction=True)
    page = reader.page
    page.goto(public_path)
    expect(page.locator(".lead")).to_contain_text("revised after publication")
    certainty = page.get_by_role("region", name="How sure is this answer?")
    expect(certainty).to_contain_text("Moderate certainty of evidence.")
    expect(certainty).to_contain_text(CERTAINTY_REASON)
    expect(certainty).not_to_have_class(re.compile("incomplete"))
    # The change log: the correction first, flagged, then the first publication.
    entries = page.locator(".change-log li")
    expect(entries).to_have_count(2)
    expect(entries.nth(0)).to_contain_text(f"Correction. {CHANGE_SUMMARY}")
    expect(entries.nth(0)).to_contain_text("approved by Test Clinician, MD")
    expect(entries.nth(1)).to_contain_text("First published")
    screenshot(page, "05-public-change-log")
    assert citation_numbers(page) == ["Reference 1", "Reference 2", "Reference 3"]
    writer.check()
    clinician.check()
    reader.check()

    # 6. The editor withdraws it: the public address answers 410 Gone.
    page = log_in(editor, "editor")
    open_answer(page, QUESTION)
    page.get_by_role("link", name="Withdraw", exact=True).click()
    page.get_by_label("Why it is withdrawn").fill(WITHDRAW_REASON)
    page.get_by_role("button", name="Withdraw", exact=True).click()
    expect(page.locator("ul.messagelist")).to_contain_text("Withdrawn.")
    expect(page.locator(".qa-public")).to_contain_text("Public version: withdrawn")
    expect(page.locator(".qa-public")).to_contain_text(WITHDRAW_REASON)
    screenshot(page, "06-editor-withdrew")
    response = reader.page.goto(public_path)
    assert response.status == 410
    expect(reader.page.get_by_role("heading", level=1)).to_have_text(
        "This answer has been withdrawn"
    )
    expect(reader.page.locator("body")).not_to_contain_text("revised after publication")
    screenshot(reader.page, "06-public-withdrawn")
    editor.check()
    reader.check()


def test_writer_imports_the_sample_article_and_the_public_renumbers_it(
    browse, people, artifacts, run_worker
):
    """Step 1 the other way: the real SGLT2 sample article and its RIS file uploaded on the
    admin's import page. Its citations 4, 7, 2, 5 are numbered 1 to 4 on the public page."""
    article = DEMO_CONTENT / "sglt2-heart-failure.txt"
    question = article.read_text(encoding="utf-8").splitlines()[0]
    writer, clinician, reader = browse("writer"), browse("clinician"), browse("reader")
    make_topic(name="Cardiology")  # topics are the editors' to create

    page = log_in(writer, "writer")
    page.goto(CHANGELIST)
    page.get_by_role("link", name="Import articles").click()
    page.locator("#id_article").set_input_files(article)
    page.locator("#id_references").set_input_files(
        DEMO_CONTENT / "sglt2-heart-failure.references.ris"
    )
    page.get_by_role("button", name="Import").click()
    # What it will create is shown first; nothing is saved until the writer confirms.
    expect(page.locator("#import-plan")).to_contain_text("Works new to the library (4)")
    page.get_by_role("button", name="Import it").click()
    # The task worker imports it; the job page shows the report once it has.
    expect(page.locator(".messagelist")).to_contain_text("is imported in the background")
    run_worker()
    page.reload()
    expect(page.locator(".import-job h2")).to_contain_text("Done")
    expect(page.locator(".import-job h3").first).to_have_text("Imported")
    expect(page.locator(".import-job")).not_to_contain_text("not imported")
    screenshot(page, "08-writer-imported-article")
    page.get_by_role("link", name="Open the new draft").click()
    expect(page.locator("#qa-status-heading")).to_contain_text("Draft")
    # The article format carries no certainty statement: the writer proposes one here.
    expect(page.locator(".qa-checklist")).to_contain_text("certainty of the evidence is not set")
    propose_certainty(page)
    save_and_continue(page)
    expect(page.locator(".qa-checklist")).to_contain_text("Nothing blocks submission or approval")
    public_path = f"/questions/{page.locator('#id_slug').input_value()}/"
    submit_for_review(page)
    writer.check()

    page = log_in(clinician, "clinician")
    open_review_from_my_queue(page, question)
    approve(page)
    clinician.check()

    page = reader.page
    assert page.goto(public_path).status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(question)
    assert citation_numbers(page) == [f"Reference {n}" for n in (1, 2, 3, 4, 1, 2)]
    authors = ["McMurray JJV", "Packer M", "Anker SD", "Vaduganathan M"]
    for number, author in enumerate(authors, start=1):
        expect(page.locator(f"ol.reference-list li#ref-{number}")).to_contain_text(author)
    screenshot(page, "08-public-imported-article")
    reader.check()


# ------------------------------------------------------------------ a hostile article

MARKER = "pwned"


def hostile(where, *, short=False):
    """Markup that would run a script naming the field it came from, if any got through.
    Every element carries the MARKER class, so a surviving element is easy to find."""
    payload = (
        f'<script class={MARKER}>alert("{where}")</script>'
        f"<img src=x onerror=\"alert('{where}')\" class={MARKER}>"
    )
    if short:
        return payload
    return payload + (
        f"<svg onload=\"alert('{where}')\" class={MARKER}></svg>"
        f"<a href=\"javascript:alert('{where}')\" class={MARKER}>link</a>"
        f'"><b onmouseover="alert(\'{where}\')" class={MARKER}>x</b>'
    )


def markdown_hostile(where):
    """The same, plus the Markdown ways to smuggle a javascript: link."""
    return (
        f"{hostile(where)} [click](javascript:alert('{where}')) <javascript:alert('{where}')>"
        f" [ref][evil]\n\n[evil]: javascript:alert('{where}')"
    )


def assert_inert(watch, name):
    """Nothing from the payload became markup, and no script ran, on this page."""
    page = watch.page
    page.wait_for_load_state("load")
    screenshot(page, f"07-hostile-{name}")
    assert injected_markup(page, MARKER) == [], name
    watch.check()


def test_hostile_article_never_runs_a_script(browse, people, artifacts):
    topic = make_topic(name="Test topic")
    reference_fields = {
        "title": "Hostile test reference " + hostile("reference title"),
        "container_title": hostile("journal"),
        "container_title_short": hostile("journal abbreviation", short=True),
        "authors": [{"family": hostile("author", short=True), "given": "Ann"}],
    }
    first = make_reference(**reference_fields)
    second = make_reference(**{**reference_fields, "title": "Second " + reference_fields["title"]})
    question = "Hostile test question " + hostile("question")
    assert len(question) <= 300
    writer, clinician, editor, reader = (
        browse("writer"),
        browse("clinician"),
        browse("editor"),
        browse("reader"),
    )

    # The writer types it into the admin, saves twice, and looks at the history.
    page = log_in(writer, "writer")
    fill_new_answer(
        page,
        question=question,
        topic=topic,
        lead="Hostile test lead " + markdown_hostile("lead") + " Test claim [1].",
        sections=[
            (
                "Hostile " + hostile("heading 1", short=True),
                "prose",
                markdown_hostile("body 1") + "\n\nTest sentence [2].",
            ),
            (
                "Questions " + hostile("heading 2", short=True),
                "questions",
                f"- {hostile('question list')}\n- Test question [x](javascript:alert(1))?",
            ),
        ],
        citations=[("1", first), ("2", second)],
    )
    assert_inert(writer, "admin-add-form")
    save_and_continue(page)
    expect(page.locator("#qa-status-heading")).to_contain_text("Draft")
    assert_inert(writer, "admin-change-page")
    public_path = f"/questions/{page.locator('#id_slug').input_value()}/"
    answer_url = page.url
    page.locator("#id_lead").fill(
        page.locator("#id_lead").input_value() + " " + hostile("second version")
    )
    save_and_continue(page)
    page.get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    assert_inert(writer, "admin-history")
    page.get_by_role("button", name="Compare selected versions").click()
    expect(page.locator(".qa-diff")).to_be_visible()
    assert_inert(writer, "admin-compare")
    page.goto(answer_url)
    submit_for_review(page)
    assert_inert(writer, "admin-submitted")

    # The clinician reviews it (the preview frame shows the public rendering), sends it back
    # with a hostile comment that the writer then reads, and approves it on resubmission.
    page = log_in(clinician, "clinician")
    open_review_from_my_queue(page, "Hostile test question")
    assert_inert(clinician, "admin-review-page")
    form = decision_form(page, "Request changes")
    form.get_by_label("What needs to change").fill(hostile("review comment"))
    form.get_by_role("button", name="Request changes").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Sent back to the writers")
    page = writer.page
    page.goto(answer_url)
    expect(page.locator(".qa-review-comment")).to_contain_text('alert("review comment")')
    assert_inert(writer, "admin-review-comment")
    submit_for_review(page)
    page = clinician.page
    open_review_from_my_queue(page, "Hostile test question")
    approve(page)
    assert_inert(clinician, "admin-approved")

    # Every public way in: the page, the lists, search, the API and the feed.
    page = reader.page
    assert page.goto(public_path).status == 200
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f'<script class={MARKER}>alert("question")</script>'
    )
    expect(page.locator(".lead")).to_contain_text("Hostile test lead")
    expect(page.locator("ol.reference-list li")).to_have_count(2)
    assert_inert(reader, "public-answer")
    page.goto("/")
    assert_inert(reader, "public-home")
    page.goto(f"/topics/{topic.slug}/")
    assert_inert(reader, "public-topic")
    page.goto("/search/?q=hostile")
    expect(page.locator(".search-results li")).to_have_count(1)
    assert_inert(reader, "public-search")
    page.goto(f"/search/?q={hostile('search query', short=True)}")
    assert_inert(reader, "public-search-query")
    page.goto(f"/api/answers/{public_path.split('/')[2]}/")
    expect(page.locator("body")).to_contain_text("Hostile test lead")
    assert_inert(reader, "api-answer")
    page.goto("/api/answers/")
    assert_inert(reader, "api-list")
    page.goto("/feed/")
    expect(page.locator("body")).to_contain_text("Hostile test question")
    assert_inert(reader, "feed")

    # The editor withdraws it with a hostile reason and checks the audit log.
    page = log_in(editor, "editor")
    page.goto(answer_url)
    page.get_by_role("link", name="Withdraw", exact=True).click()
    page.get_by_label("Why it is withdrawn").fill(hostile("withdraw reason"))
    page.get_by_role("button", name="Withdraw", exact=True).click()
    expect(page.locator(".qa-public")).to_contain_text('alert("withdraw reason")')
    assert_inert(editor, "admin-withdrawn")
    page.goto("/admin/answers/historicalanswer/")
    expect(page.locator("#result_list")).to_contain_text("Hostile test question")
    assert_inert(editor, "admin-audit-log")
    assert reader.page.goto(public_path).status == 410
    assert_inert(reader, "public-withdrawn")


class _FeedReader(HTMLParser):
    """What a feed reader makes of an HTML summary: its elements and its text."""

    def __init__(self):
        super().__init__()
        self.tags, self.text = [], ""

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text += data


def test_feed_summaries_are_text_to_a_feed_reader(client, people):
    """An Atom summary of type="html" is HTML once the XML is read: plain text in it must
    be escaped, or a reader shows hostile text (or just "dose < 10 mg") as markup."""
    answer = make_answer(
        question="Hostile test question " + hostile("question"),
        lead="Hostile test lead " + hostile("lead") + " [1].",
        writers=[people.writer],
    )
    answer.submit(by=people.writer)
    approve_answer(answer, people.clinician, change_summary="Test: re-reviewed.")
    feed = ElementTree.fromstring(client.get("/feed/").content)
    atom = "{http://www.w3.org/2005/Atom}"
    summaries = feed.findall(f"{atom}entry/{atom}summary")
    assert summaries
    for summary in summaries:
        assert summary.get("type") == "html"
        reader = _FeedReader()
        reader.feed(summary.text)
        reader.close()
        assert reader.tags == [], f"a feed reader would see elements: {reader.tags}"
        assert f'Hostile test lead <script class={MARKER}>alert("lead")' in reader.text


def test_the_watchers_catch_a_script_that_runs(chromium):
    """The hostile test is only as good as its probes: on a page with no CSP, the same
    payload runs, and the dialog and the injected markup are both reported."""
    context = chromium.new_context()
    try:
        watch = BrowserWatch(context, "probe")
        watch.page.set_content(f"<p>{hostile('probe')}</p>")
        watch.page.wait_for_timeout(200)
        assert injected_markup(watch.page, MARKER)
        assert any("dialog opened" in problem for problem in watch.problems)
        with pytest.raises(AssertionError, match="dialog opened"):
            watch.check()
    finally:
        context.close()
