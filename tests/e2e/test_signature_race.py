"""A signature means "I saw exactly this", raced in real browsers: clinician B opens the
review page; clinician A sends the answer back; the writer changes the short answer and
resubmits; B, still on the old page, signs. Nothing is signed or published, B is told what
changed, and B can then read and sign the new version. Text typed here is fake test data."""

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from answers.models import Answer, PublishedAnswer, SignOff
from tests.e2e.helpers import PASSWORD, log_in, screenshot
from tests.e2e.test_journey import decision_form, save_and_continue, submit_for_review
from tests.factories import make_answer, make_clinician, make_topic, make_writer

pytestmark = pytest.mark.e2e

QUESTION = "Does a stale signature publish anything in the test?"
OLD_LEAD = "Test short answer as clinician B first read it [1]."
NEW_LEAD = "Test short answer the writer changed after the page was opened [1]."


@pytest.fixture
def people(groups):
    return SimpleNamespace(
        writer=make_writer(username="writer", display_name="Test Writer"),
        clinician_a=make_clinician(username="clinician", display_name="Clinician A"),
        clinician_b=make_clinician(username="second", display_name="Clinician B"),
    )


def sign(page):
    """Tick both checks and sign with the right password, as a clinician does."""
    form = decision_form(page, "Approve")
    form.get_by_label("I checked every source against the text").check()
    form.get_by_label("The wording is safe for patients").check()
    form.get_by_label("Your password, as your signature").fill(PASSWORD)
    form.get_by_role("button", name="Approve", exact=True).click()


def review_url(answer):
    return f"/admin/answers/answer/{answer.pk}/review/"


def test_a_clinician_cannot_sign_text_they_never_saw(browse, people, artifacts):
    answer = make_answer(
        question=QUESTION,
        topic=make_topic(name="Test topic"),
        lead=OLD_LEAD,
        sections=(("Test findings", "prose", "A test sentence [1]."),),
        writers=[people.writer],
    )
    answer.submit(by=people.writer)

    # 1. Clinician B opens the review page and reads the short answer as it is now.
    b = browse("clinician B")
    page_b = log_in(b, "second")
    page_b.goto(review_url(answer))
    preview_b = page_b.frame_locator("iframe.qa-preview")
    expect(preview_b.locator("body")).to_contain_text(OLD_LEAD.removesuffix(" [1]."))

    # 2. Clinician A, in another browser, sends it back.
    a = browse("clinician A")
    page_a = log_in(a, "clinician")
    page_a.goto(review_url(answer))
    form = decision_form(page_a, "Request changes")
    form.get_by_label("What needs to change").fill("Test comment: reword the short answer.")
    form.get_by_role("button", name="Request changes").click()
    expect(page_a.locator("ul.messagelist")).to_contain_text("Sent back to the writers")

    # 3. The writer changes the short answer and resubmits.
    w = browse("writer")
    page_w = log_in(w, "writer")
    page_w.goto(f"/admin/answers/answer/{answer.pk}/change/")
    page_w.locator("#id_lead").fill(NEW_LEAD)
    save_and_continue(page_w)
    submit_for_review(page_w)

    # 4. B, still on the old page, signs: refused, naming the change; nothing published.
    sign(page_b)
    message = page_b.locator("ul.messagelist")
    expect(message).to_contain_text("Nothing was signed and nothing was published")
    expect(message).to_contain_text("Changed since you opened it: the short answer")
    screenshot(page_b, "signature-race-refused")
    assert not PublishedAnswer.objects.filter(answer=answer).exists()
    assert not SignOff.objects.filter(answer=answer).exists()
    assert Answer.objects.get(pk=answer.pk).status == Answer.Status.IN_REVIEW

    # 5. B is back on the review page, now showing the new version, and signs that.
    expect(page_b).to_have_url(re.compile(rf"/admin/answers/answer/{answer.pk}/review/$"))
    expect(page_b.frame_locator("iframe.qa-preview").locator("body")).to_contain_text(
        NEW_LEAD.removesuffix(" [1].")
    )
    sign(page_b)
    expect(page_b.locator("ul.messagelist")).to_contain_text("Approved and published")
    publication = PublishedAnswer.objects.get(answer=answer)
    assert publication.content_hash == Answer.objects.get(pk=answer.pk).content_hash()
    assert "changed after the page was opened" in publication.lead_html
    assert publication.signoff.reviewer == people.clinician_b
    for watch in (a, b, w):
        watch.check()
