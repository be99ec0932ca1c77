"""The review page a clinician signs from, in a real browser (issue 17, item 3): after a
round of changes, the resubmitted answer's page shows the words changed since the clinician
sent it back, the writer's note for the round above it, the whole draft with the comment
beside its section, the comparison with the published version one click away; approving
over an open comment needs its tick; axe-core finds nothing, wide or narrow.

Text typed here is fake test data."""

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from answers.models import Answer
from tests.e2e.helpers import PASSWORD, axe_everywhere, describe_violations, log_in, screenshot
from tests.factories import make_answer, make_clinician, make_topic, make_writer

pytestmark = pytest.mark.e2e

QUESTION = "Does the test review page show what changed?"
SECTION = "Test findings"
SECTION_COMMENT = "Test section comment: say how many people took part."
NOTE = "Test note: gave the number of people, as asked."
REPLY = "Test reply: thank you, the number is right."
NARROW = {"width": 400, "height": 800}


@pytest.fixture
def people(groups):
    return SimpleNamespace(
        writer=make_writer(username="writer", display_name="Test Writer"),
        clinician=make_clinician(
            username="clinician", display_name="Test Clinician", credentials="MD"
        ),
    )


def admin_url(answer, view=""):
    return f"/admin/answers/answer/{answer.pk}/{view}"


def check_axe(watch, page, axe_source, where):
    violations = axe_everywhere(watch, page, axe_source)
    assert not violations, f"axe-core on {where}:\n" + describe_violations(violations)


def test_resubmitted_answer_shows_what_changed_since_the_last_round(
    browse, people, axe_source, artifacts
):
    answer = make_answer(
        question=QUESTION,
        topic=make_topic(name="Test topic"),
        lead="Test short answer [1].",
        sections=((SECTION, "prose", "A small test study found it helps [1]."),),
        writers=[people.writer],
    )
    answer.submit(by=people.writer)
    clinician, writer = browse("clinician"), browse("writer")

    # 1. The clinician reads the whole draft on the page and sends it back, with a comment
    #    on the section.
    page = log_in(clinician, "clinician")
    page.goto(admin_url(answer, "review/"))
    draft = page.locator(".qa-draft")
    expect(draft.get_by_role("heading", name=SECTION)).to_be_visible()
    expect(draft).to_contain_text("A small test study found it helps")
    expect(draft.locator(".reference-list li")).to_have_count(1)
    expect(page.get_by_text("First review: nothing to compare yet.")).to_be_visible()
    check_axe(clinician, page, axe_source, "the review page, first round")
    form = page.locator("form").filter(has=page.get_by_role("button", name="Request changes"))
    form.get_by_label("What needs to change").fill("Test comment: give the numbers.")
    form.get_by_label(f"Comment on: Section “{SECTION}”").fill(SECTION_COMMENT)
    form.get_by_role("button", name="Request changes").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Sent back to the writers")

    # 2. The writer changes the section, says why, and submits it again (to the same
    #    clinician, by default).
    page = log_in(writer, "writer")
    page.goto(admin_url(answer, "change/"))
    page.locator("#id_sections-0-body").fill("A test study of 120 people found it helps [1].")
    page.get_by_label("What changed and why").fill(NOTE)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator("ul.messagelist")).to_contain_text("was changed successfully")
    expect(page.get_by_label("Reviewer")).to_have_value(str(people.clinician.pk))
    page.locator("#review-comments").get_by_label("Submit with 1 comment unresolved").check()
    page.locator("#review-comments").get_by_role("button", name="Submit anyway").click()
    expect(page.locator("#qa-status-heading")).to_contain_text("In medical review")
    assert Answer.objects.get(pk=answer.pk).assigned_reviewer == people.clinician
    writer.check()

    # 3. The clinician's review page: the writer's note, then the words changed since the
    #    round they sent back, then the draft with their comment beside the section.
    page = clinician.page
    page.goto(admin_url(answer, "review/"))
    round_panel = page.locator("#qa-round")
    expect(round_panel.locator(".qa-writer-notes")).to_contain_text(NOTE)
    expect(round_panel.get_by_role("heading", name="Since you sent it back")).to_be_visible()
    expect(round_panel.locator(".qa-diff del")).to_contain_text(["small"])
    expect(round_panel.locator(".qa-diff ins")).to_contain_text(["of 120 people"])
    beside = page.get_by_role("complementary", name=f"Comments on {SECTION}")
    expect(beside).to_contain_text(SECTION_COMMENT)
    expect(page.get_by_role("complementary", name="Comments on Short answer")).not_to_contain_text(
        SECTION_COMMENT
    )
    # The writer's proposed certainty is shown where the approve form refers to it.
    approve = page.locator("form").filter(
        has=page.get_by_role("button", name="Approve", exact=True)
    )
    expect(approve.get_by_label("Certainty of evidence")).to_contain_text(
        "Confirm the writer's proposal: Moderate"
    )
    screenshot(page, "review-page-resubmitted")
    check_axe(clinician, page, axe_source, "the review page of a resubmission")

    # 4. A reply is added in place: the page does not reload, so what the clinician has
    #    already ticked and typed in the approve form stays.
    approve.get_by_label("I checked every source against the text").check()
    approve.get_by_label("The wording is safe for patients").check()
    approve.get_by_label("Your password, as your signature").fill(PASSWORD)
    beside.get_by_label("Reply").fill(REPLY)
    beside.get_by_role("button", name="Reply").click()
    expect(beside.locator(".qa-comment-said")).to_contain_text("Reply added")
    expect(beside.locator(".qa-comment-reply")).to_contain_text(REPLY)
    expect(approve.get_by_label("Your password, as your signature")).to_have_value(PASSWORD)
    expect(approve.get_by_label("The wording is safe for patients")).to_be_checked()
    check_axe(clinician, page, axe_source, "the review page after a reply in place")

    # 5. Approving over the open comment needs its tick.
    approve.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".errorlist")).to_contain_text("tick “Approve with 1 comment unresolved”")
    assert Answer.objects.get(pk=answer.pk).status == Answer.Status.IN_REVIEW
    page.get_by_label("Approve with 1 comment unresolved").check()
    page.get_by_label("Your password, as your signature").fill(PASSWORD)
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator("ul.messagelist")).to_contain_text("Approved and published")
    clinician.check()


def test_both_comparisons_and_a_narrow_screen(browse, people, axe_source, artifacts):
    """A published answer changed, sent back and changed again: both comparisons, one click
    apart; at 400 px the comments follow their part and nothing scrolls sideways."""
    answer = make_answer(
        question=QUESTION,
        topic=make_topic(name="Test topic"),
        lead="Take one test tablet a day [1].",
        writers=[people.writer],
    )
    answer.submit(by=people.writer)
    answer.approve(
        by=people.clinician,
        shown_hash=answer.content_hash(),
        password=PASSWORD,
        sources_checked=True,
        wording_safe=True,
    )
    answer.lead = "Take three test tablets a day [1]."
    answer.save()
    answer.note_edit(by=people.writer)
    answer.submit(by=people.writer)
    answer.request_changes(
        by=people.clinician,
        comment="Test comment: three is too many.",
        section_comments=[(None, "Test: check the dose.")],
    )
    answer.refresh_from_db()
    answer.lead = "Take two test tablets a day [1]."
    answer.save()
    answer.submit(by=people.writer, confirm_unresolved=True)

    watch = browse("clinician on a narrow screen", viewport=NARROW)
    page = log_in(watch, "clinician")
    page.goto(admin_url(answer, "review/"))
    round_panel = page.locator("#qa-round")
    expect(round_panel.locator(".qa-diff del")).to_contain_text(["three"])
    expect(round_panel.locator(".qa-diff ins")).to_contain_text(["two"])
    round_panel.get_by_role("link", name="Since the published version").click()
    expect(round_panel.get_by_role("heading", name="Since the published version")).to_be_visible()
    expect(round_panel.locator(".qa-diff del")).to_contain_text(["one", "tablet"])
    expect(round_panel.locator(".qa-diff ins")).to_contain_text(["two", "tablets"])
    expect(page.get_by_role("complementary", name="Comments on Short answer")).to_contain_text(
        "Test: check the dose."
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, "review-page-narrow")
    check_axe(watch, page, axe_source, "the review page at 400 px")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
        .map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))
        .slice(0, 15)"""
    )
    assert width <= NARROW["width"], f"the review page is {width} px wide at 400 px: {wide}"
    watch.check()
