"""The review cycle in a real browser: a clinician shares the draft with an outside expert
(the link opens anonymously, takes a comment, then expires), comments on a section (the
writer replies and resolves it), approves with an embargo that lifts at its time, confirms
it still accurate months later, and an editor's take-down happens at its time.

The clock is moved with time-machine: the live server runs in this process, so its
`timezone.now()` moves too. Text typed here is fake test data.
"""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from answers.models import Answer, ReviewComment
from tests.e2e.helpers import PASSWORD, log_in, screenshot
from tests.factories import make_answer, make_clinician, make_editor, make_topic, make_writer

pytestmark = pytest.mark.e2e

QUESTION = "Does the test review cycle work in the browser?"
SECTION = "Test findings"
SECTION_COMMENT = "Test section comment: say how many people the test study included."
OUTSIDE_COMMENT = "Test comment from the outside expert: the second sentence is fine."
TAKE_DOWN_REASON = "Test reason: this seasonal test guidance has ended."


@pytest.fixture
def people(groups):
    return SimpleNamespace(
        writer=make_writer(username="writer", display_name="Test Writer"),
        clinician=make_clinician(
            username="clinician", display_name="Test Clinician", credentials="MD"
        ),
        second=make_clinician(username="second", display_name="Second Clinician", credentials="MD"),
        editor=make_editor(username="editor", display_name="Test Editor"),
    )


def local_input(moment):
    """What a datetime-local field takes, in the site's time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def admin_url(answer, view=""):
    return f"/admin/answers/answer/{answer.pk}/{view}"


def test_review_cycle_journey(browse, people, artifacts):
    answer = make_answer(
        question=QUESTION,
        topic=make_topic(name="Test topic"),
        lead="Test short answer [1].",
        sections=((SECTION, "prose", "A test sentence [1]. A second test sentence."),),
        writers=[people.writer],
    )
    answer.submit(by=people.writer)
    start = timezone.now()
    writer, clinician, editor, expert, reader = (
        browse("writer"),
        browse("clinician"),
        browse("editor"),
        browse("expert"),
        browse("reader"),
    )

    # 1. The clinician shares the draft with an outside expert.
    page = log_in(clinician, "clinician")
    page.goto(admin_url(answer, "review/"))
    page.get_by_label("For (optional)").fill("Dr Test Outside")
    page.get_by_role("button", name="Create preview link").click()
    link = page.locator("ul.messagelist a.qa-preview-link")
    expect(link).to_be_visible()
    preview_url = link.get_attribute("href")
    assert re.search(r"/preview/[\w-]{40,}/$", preview_url)

    # The expert, without an account, reads exactly the submitted draft and comments.
    response = expert.page.goto(preview_url)
    assert response.status == 200
    assert response.headers["x-robots-tag"] == "noindex, nofollow"
    assert "no-store" in response.headers["cache-control"]
    expect(expert.page.locator(".draft-band")).to_contain_text("Draft: not yet approved")
    expect(expert.page.get_by_role("heading", level=1)).to_have_text(QUESTION)
    expert.page.get_by_label("Your name").fill("Dr Test Outside")
    expert.page.get_by_label("Your comment").fill(OUTSIDE_COMMENT)
    expert.page.get_by_role("button", name="Send comment").click()
    expect(expert.page.locator("ul.messagelist, .messages")).to_contain_text("Thank you")
    screenshot(expert.page, "cycle-01-outside-preview")
    page.reload()
    expect(page.locator("#preview-links")).to_contain_text(OUTSIDE_COMMENT)
    assert Answer.history.filter(
        id=answer.pk, history_change_reason__contains="opened (for Dr Test Outside)"
    ).exists()

    # A week later the link no longer opens.
    with time_machine.travel(start + timedelta(days=7, minutes=5)):
        response = expert.page.goto(preview_url)
        assert response.status == 410
        expect(expert.page.locator(".preview-problem")).to_have_text(
            "This preview link has expired."
        )

    # 2. The clinician sends it back with a comment on a section.
    form = page.locator("form").filter(has=page.get_by_role("button", name="Request changes"))
    form.get_by_label("What needs to change").fill("Test comment: see the section comment.")
    form.get_by_label(f"Comment on: Section “{SECTION}”").fill(SECTION_COMMENT)
    form.get_by_role("button", name="Request changes").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Sent back to the writers")

    # The writer sees it beside the section (listed at the top), replies, resolves it in
    # place and resubmits.
    page = log_in(writer, "writer")
    page.goto(admin_url(answer, "change/"))
    comments = page.locator("#review-comments")
    expect(comments).to_contain_text("1 unresolved")
    expect(comments.get_by_role("link", name=SECTION)).to_be_visible()
    part = page.locator(".inline-related", has_text=SECTION).locator(".field-clinician_comments")
    expect(part).to_contain_text(SECTION_COMMENT)
    part.get_by_label("Reply").fill("Test reply: the number is now given.")
    part.get_by_role("button", name="Reply").click()
    expect(part).to_contain_text("Test reply: the number is now given.")
    part.get_by_role("button", name="Mark resolved").click()
    expect(page.locator("#review-comments")).to_contain_text("0 unresolved")
    expect(part.locator(".qa-comment")).to_contain_text("Resolved")
    screenshot(page, "cycle-02-section-comment-resolved")
    page.get_by_role("button", name="Submit for medical review").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Sent for medical review")
    comment = ReviewComment.objects.get()
    assert comment.resolved_by == people.writer and comment.revision is not None

    # 3. The clinician approves with an embargo: not public until its time.
    go_live = timezone.now() + timedelta(hours=2)
    page = clinician.page  # still signed in
    page.goto(admin_url(answer, "approve/"))
    page.get_by_label("I checked every source against the text").check()
    page.get_by_label("The wording is safe for patients").check()
    page.get_by_label("Go live at (optional)").fill(local_input(go_live))
    page.get_by_label("Your password, as your signature").fill(PASSWORD)
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator("ul.messagelist")).to_contain_text("Approved. It goes live on")
    expect(page.locator("#review-cycle")).to_contain_text("Scheduled to go live")
    public_path = f"/questions/{answer.question.slug}/"
    assert reader.page.goto(public_path).status == 404
    with time_machine.travel(go_live.replace(second=0, microsecond=0) + timedelta(minutes=1)):
        assert reader.page.goto(public_path).status == 200
        expect(reader.page.locator(".byline")).to_contain_text("Test Clinician, MD")
        reader.page.goto("/")
        expect(reader.page.get_by_role("link", name=QUESTION)).to_be_visible()

    # 4. Months later a second clinician finds nothing to change and confirms it.
    later = start + timedelta(days=200)
    with time_machine.travel(later):
        page = log_in(browse("second"), "second")
        page.goto(admin_url(answer, "change/"))
        page.locator("#review-cycle").get_by_role("link", name="Confirm still accurate").click()
        page.get_by_label("I checked every source against the text again").check()
        page.get_by_label("The wording is still safe and accurate for patients").check()
        page.get_by_label("Your password, as your signature").fill(PASSWORD)
        page.get_by_role("button", name="Confirm still accurate").click()
        expect(page.locator("ul.messagelist")).to_contain_text("Confirmed still accurate")
        assert reader.page.goto(public_path).status == 200
        byline = reader.page.locator(".byline")
        expect(byline).to_contain_text("Medically reviewed by Second Clinician, MD")
        expect(byline).to_contain_text(f"Last reviewed {timezone.localdate():%-d %B %Y}")
        screenshot(reader.page, "cycle-03-confirmed-byline")
    assert answer.signoffs.count() == 2

    # 5. An editor schedules a take-down; at its time the page answers 410 with the reason.
    with time_machine.travel(later + timedelta(hours=1)):
        page = log_in(editor, "editor")
        page.goto(admin_url(answer, "change/"))
        page.locator("#review-cycle").get_by_role("link", name="Schedule").click()
        page.get_by_label("Take down at").fill(local_input(later + timedelta(hours=3)))
        page.get_by_label("Why it is taken down").fill(TAKE_DOWN_REASON)
        page.get_by_role("button", name="Schedule").click()
        expect(page.locator("ul.messagelist")).to_contain_text("Schedule changed: take down")
        page.goto("/admin/answers/publishedanswer/?scheduled=yes")
        expect(page.locator("#result_list")).to_contain_text(QUESTION)
        assert reader.page.goto(public_path).status == 200
    with time_machine.travel(later + timedelta(hours=3, minutes=1)):
        response = reader.page.goto(public_path)
        assert response.status == 410
        expect(reader.page.get_by_role("heading", level=1)).to_have_text(
            "This answer has been taken down"
        )
        expect(reader.page.locator(".take-down-reason")).to_have_text(TAKE_DOWN_REASON)
        screenshot(reader.page, "cycle-04-taken-down")
