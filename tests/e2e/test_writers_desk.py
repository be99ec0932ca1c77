"""The writer's desk in a real browser: a new answer starts from the house structure, the
live preview shows what was typed a moment before, a citation is inserted from the library
and numbered in the preview, a closed tab's text comes back, and an expired session loses
nothing. axe finds nothing on the page (its preview frame included).

Text typed here and the references are fake test data (tests.factories).
"""

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from answers.models import Answer
from tests.e2e.helpers import PASSWORD, axe_everywhere, describe_violations, log_in, screenshot
from tests.factories import make_reference, make_topic, make_writer

pytestmark = pytest.mark.e2e

QUESTION = "Does the writer's desk keep the test text?"
LEAD = "Test short answer, written on the desk."
TYPED = "A test sentence typed a moment ago."
QUESTIONS_TEXT = "- Test question kept in the browser?"
LEAD_AFTER_EXPIRY = "Test short answer, changed after the session expired."


def cite_from_library(page, body, search):
    """Open the citation dialog from the section body's own button, search, press Enter
    on the first result: the keyboard path."""
    page.locator(f"#{body.get_attribute('id')}-cite").click()
    dialog = page.get_by_role("dialog", name="Cite from the library")
    expect(dialog).to_be_visible()
    field = dialog.get_by_label("Search the reference library")
    expect(field).to_be_focused()
    field.fill(search)
    expect(dialog.locator("#qa-cite-status")).to_contain_text("1 work found")
    result = dialog.get_by_role("listitem").get_by_role("button")
    text = result.inner_text()
    field.press("Enter")
    expect(result).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(body).to_be_focused()
    return text


def test_writers_desk(browse, groups, axe_source, artifacts):
    writer = make_writer(username="writer", display_name="Test Writer")
    topic = make_topic(name="Test desk topic")
    reference = make_reference(title="Test reference for the writer's desk")
    make_reference(title="Another test reference")
    watch = browse("writer")
    page = log_in(watch, "writer")

    # 1. A new answer starts with the house structure, in order, empty.
    page.goto("/admin/answers/answer/add/")
    expect(page.locator("#id_sections-0-heading")).to_have_value("What the research says")
    expect(page.locator("#id_sections-0-kind")).to_have_value("prose")
    expect(page.locator("#id_sections-0-body")).to_have_value("")
    expect(page.locator("#id_sections-1-heading")).to_have_value("What to ask your doctor")
    expect(page.locator("#id_sections-1-kind")).to_have_value("questions")
    expect(page.locator("#id_sections-1-body")).to_have_value("")
    expect(page.locator("#id_sections-2-heading")).to_have_count(0)

    expect(page.locator("#qa-desk-session")).to_be_hidden()
    expect(page.locator("#qa-desk-restore")).to_be_hidden()

    # 2. The preview shows a sentence typed a moment before; the checklist follows.
    preview = page.frame_locator("#qa-desk-frame")
    status = page.locator("#qa-desk-status")
    page.locator("#id_question_text").fill(QUESTION)
    page.locator("#id_topic").select_option(label=topic.name)
    page.locator("#id_lead").fill(LEAD)
    body = page.locator("#id_sections-0-body")
    body.press_sequentially(TYPED, delay=10)
    # Half a second after the last key, plus the request. The first reading grade a server
    # process measures loads textstat's dictionary (seconds on a busy test machine).
    expect(preview.locator("section.answer-section").first).to_contain_text(TYPED, timeout=15_000)
    expect(preview.get_by_role("heading", name=QUESTION, level=1)).to_be_visible()
    expect(preview.get_by_role("heading", name="What to ask your doctor")).to_be_visible()
    expect(status).to_contain_text("Preview updated")
    checklist = page.locator("#qa-desk-checklist")
    expect(checklist).to_contain_text("Reading age of the whole answer")
    expect(checklist).to_contain_text("Section 2 “What to ask your doctor” is empty")
    page.locator("#id_sections-1-body").fill("- Test question one?")
    expect(preview.locator("section.answer-section").nth(1)).to_contain_text(
        "Test question one?", timeout=3000
    )
    expect(checklist).not_to_contain_text("is empty")

    # 3. Cite from the library by title, at the cursor (before the full stop).
    body.focus()
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    chosen = cite_from_library(page, body, "writer's desk")
    assert "Test reference for the writer's desk" in chosen and "cite as [1]" in chosen
    expect(body).to_have_value("A test sentence typed a moment ago [1].")
    expect(page.locator("#id_citations-0-label")).to_have_value("1")
    expect(page.locator("#id_citations-0-reference")).to_have_value(str(reference.pk))
    expect(preview.get_by_role("link", name="Reference 1", exact=True)).to_be_visible()
    expect(preview.locator("ol.reference-list > li")).to_have_count(1)
    expect(preview.locator("ol.reference-list")).to_contain_text(reference.title)
    expect(checklist).not_to_contain_text("has no reference")
    # The same work again, found by its DOI: its label, no second row.
    page.keyboard.press("End")
    page.keyboard.type(" Test again")
    chosen = cite_from_library(page, body, reference.doi)
    assert "already cited as [1]" in chosen
    expect(body).to_have_value("A test sentence typed a moment ago [1]. Test again [1]")
    expect(page.locator("#id_citations-1-label")).to_have_count(0)
    screenshot(page, "desk-01-new-answer-preview-and-citation")
    violations = axe_everywhere(watch, page, axe_source)
    assert not violations, "axe-core on the add page:\n" + describe_violations(violations)
    body.fill("A test sentence typed a moment ago [1].")

    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator("ul.messagelist")).to_contain_text("was added successfully", timeout=15_000)
    answer = Answer.objects.get(question__text=QUESTION)
    assert [(s.heading, s.kind, s.body) for s in answer.ordered_sections()] == [
        ("What the research says", "prose", "A test sentence typed a moment ago [1]."),
        ("What to ask your doctor", "questions", "- Test question one?"),
    ]
    assert [(c.label, c.reference_id) for c in answer.citations.all()] == [("1", reference.pk)]
    change_url = page.url
    expect(preview.get_by_role("link", name="Reference 1", exact=True)).to_be_visible()

    # 5. axe on the change page, its preview frame included.
    violations = axe_everywhere(watch, page, axe_source)
    screenshot(page, "desk-02-change-page")
    assert not violations, "axe-core on the change page:\n" + describe_violations(violations)

    # 4a. A closed tab's text comes back on the next visit.
    page.locator("#id_sections-1-body").fill(QUESTIONS_TEXT)
    assert page.evaluate(
        "() => { const e = new Event('beforeunload', {cancelable: true});"
        " window.dispatchEvent(e); return e.defaultPrevented; }"
    ), "leaving with unsaved changes should ask first"
    page.close()
    page = watch.context.new_page()
    page.goto(change_url)
    expect(page.locator("#id_sections-1-body")).to_have_value("- Test question one?")
    restore = page.get_by_role("button", name="Restore my unsaved changes")
    expect(restore).to_be_focused()
    expect(page.locator("#qa-desk-restore")).to_contain_text("unsaved changes from")
    screenshot(page, "desk-03-unsaved-changes-offered")
    page.keyboard.press("Enter")
    expect(page.locator("#id_sections-1-body")).to_have_value(QUESTIONS_TEXT)
    expect(preview_of(page).locator("section.answer-section").nth(1)).to_contain_text(
        "Test question kept in the browser?"
    )

    # 4b. The session expires mid-edit: the save is not sent, the text stays.
    Session.objects.all().delete()
    page.locator("#id_lead").fill(LEAD_AFTER_EXPIRY)
    page.get_by_role("button", name="Save and continue editing").click()
    alert = page.locator("#qa-desk-session")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Your session has expired")
    expect(page).to_have_url(change_url)
    expect(page.locator("#id_lead")).to_have_value(LEAD_AFTER_EXPIRY)
    expect(page.locator("#id_sections-1-body")).to_have_value(QUESTIONS_TEXT)
    screenshot(page, "desk-04-session-expired")
    # Log in again in another tab, as the message says, then save here.
    login = watch.context.new_page()
    login.goto("/admin/login/")
    login.get_by_label("Username").fill("writer")
    login.get_by_label("Password").fill(PASSWORD)
    login.get_by_role("button", name="Log in").click()
    expect(login.get_by_role("heading", name="Editorial desk")).to_be_visible()
    login.close()
    page.bring_to_front()
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator("ul.messagelist")).to_contain_text(
        "was changed successfully", timeout=15_000
    )
    answer.refresh_from_db()
    assert answer.lead == LEAD_AFTER_EXPIRY
    assert answer.ordered_sections()[1].body == QUESTIONS_TEXT
    key = f"qa-desk:{answer.pk}:{writer.pk}"
    assert page.evaluate("key => window.localStorage.getItem(key)", key) is None
    expect(page.locator("#qa-desk-restore")).to_be_hidden()
    screenshot(page, "desk-05-saved-after-logging-in-again")
    watch.check()


def preview_of(page):
    return page.frame_locator("#qa-desk-frame")


def test_topic_structure_for_new_answers(browse, groups):
    """Editors set a topic's own structure on the topic's page; a new answer opened for that
    topic starts with it."""
    from answers.models import TopicSection
    from tests.factories import make_editor

    make_editor(username="editor", display_name="Test Editor")
    topic = make_topic(name="Test structured topic")
    watch = browse("editor")
    page = log_in(watch, "editor")
    page.goto(f"/admin/answers/topic/{topic.pk}/change/")
    group = page.locator("#structure-group")
    expect(group).to_contain_text("the house structure")
    for row, (heading, kind) in enumerate(
        [("Test overview", "prose"), ("Test questions", "questions")]
    ):
        group.get_by_role("button", name=re.compile("Add another")).click()
        page.locator(f"#id_structure-{row}-position").fill(str(row + 1))
        page.locator(f"#id_structure-{row}-heading").fill(heading)
        page.locator(f"#id_structure-{row}-kind").select_option(kind)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("ul.messagelist")).to_contain_text("was changed successfully")
    assert list(TopicSection.objects.values_list("heading", "kind")) == [
        ("Test overview", "prose"),
        ("Test questions", "questions"),
    ]
    page.goto(f"/admin/answers/answer/add/?topic={topic.pk}")
    expect(page.locator("#id_topic")).to_have_value(str(topic.pk))
    expect(page.locator("#id_sections-0-heading")).to_have_value("Test overview")
    expect(page.locator("#id_sections-1-heading")).to_have_value("Test questions")
    expect(page.locator("#id_sections-1-kind")).to_have_value("questions")
    expect(page.locator("#id_sections-2-heading")).to_have_count(0)
    # Opened without a topic, the page follows the topic chosen while the sections are empty.
    page.goto("/admin/answers/answer/add/")
    expect(page.locator("#id_sections-0-heading")).to_have_value("What the research says")
    page.locator("#id_topic").select_option(label=topic.name)
    expect(page.locator("#id_sections-0-heading")).to_have_value("Test overview")
    expect(page.locator("#id_sections-1-heading")).to_have_value("Test questions")
    expect(page.locator("#id_sections-1-kind")).to_have_value("questions")
    watch.check()
