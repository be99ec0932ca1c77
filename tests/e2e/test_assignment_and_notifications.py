"""Assignment and notifications in a real browser: the writer names the clinician at
submission, the clinician finds it under My work and requests changes, the worker sends
the email to an SMTP server started by the test, with the comment itself, and the writer's
My work and notification list show it."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import log_in, screenshot
from tests.factories import make_answer, make_clinician, make_writer

pytestmark = pytest.mark.e2e

QUESTION = "Does the notification test reach the writer?"
COMMENT = "Test comment: give the number of people in the test study, then submit it again."


def test_assignment_request_changes_email_and_my_work(browse, run_worker, smtp_server):
    writer = make_writer(username="writer", display_name="Test Writer")
    make_clinician(username="clinician", display_name="Test Clinician")
    make_clinician(username="other", display_name="Other Clinician")
    answer = make_answer(question=QUESTION, writers=[writer])

    # The writer submits, naming the clinician.
    writing = browse("writer")
    page = log_in(writing, "writer")
    page.goto(f"/admin/answers/answer/{answer.pk}/change/")
    page.get_by_label("Reviewer").select_option(label="Test Clinician")
    page.get_by_role("button", name="Submit for medical review").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Sent for medical review")
    expect(page.locator(".qa-assignment")).to_contain_text("Reviewer: Test Clinician")
    run_worker()
    [to_clinician] = smtp_server.to("clinician@example.org")
    assert to_clinician["Subject"] == f"Waiting for your review: {QUESTION}"
    assert smtp_server.to("other@example.org") == []

    # The clinician finds it under My work and requests changes.
    reviewing = browse("clinician")
    page = log_in(reviewing, "clinician")
    waiting = page.locator("#my-work-waiting_for_me")
    expect(waiting.get_by_role("heading")).to_contain_text("Waiting for my review (1)")
    waiting.get_by_role("link", name=QUESTION).click()
    page.get_by_role("link", name="Request changes").first.click()
    page.get_by_label("What needs to change").fill(COMMENT)
    page.get_by_role("button", name="Request changes").click()
    expect(page.locator("ul.messagelist")).to_contain_text("Sent back to the writers")
    reviewing.check()

    # The worker sends the email: the comment itself and the link arrive.
    run_worker()
    [email] = [
        m for m in smtp_server.to("writer@example.org") if "Changes requested" in m["Subject"]
    ]
    body = email.get_content()
    assert COMMENT in body
    assert f"/admin/answers/answer/{answer.pk}/change/" in body

    # The writer's My work and notification list show it.
    page = writing.page
    page.goto("/admin/")
    requested = page.locator("#my-work-changes_requested")
    expect(requested.get_by_role("heading")).to_contain_text("Changes requested of me (1)")
    expect(requested.get_by_role("link", name=QUESTION)).to_be_visible()
    expect(page.locator("#user-tools")).to_contain_text("Notifications (1 unread)")
    screenshot(page, "10-writer-my-work")
    page.get_by_role("link", name="1 unread notification").click()
    expect(page.locator("#result_list")).to_contain_text(COMMENT)
    page.get_by_role("link", name=f"Changes requested: {QUESTION}").click()
    expect(page.locator(".qa-review-comment")).to_contain_text(COMMENT)
    page.goto("/admin/")
    expect(page.locator("#user-tools")).not_to_contain_text("unread")
    writing.check()
