"""Reader feedback: saved against the version the reader saw, CSRF-protected, rate-limited."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from answers.models import ReaderFeedback
from answers.public.forms import BLANK_AUTO_ID, FeedbackForm
from ops.models import RateLimitWindow
from tests.factories import approve, make_answer, make_clinician, make_editor, publish_answer

pytestmark = pytest.mark.django_db


def feedback_url(answer):
    return f"{answer.get_absolute_url()}feedback/"


def test_yes_is_saved_with_the_version_seen(client):
    answer = publish_answer()
    publication = answer.publication
    response = client.post(feedback_url(answer), {"kind": "helpful"})
    assert response.status_code == 302
    assert response["Location"] == f"{answer.get_absolute_url()}#feedback"
    feedback = ReaderFeedback.objects.get()
    assert feedback.answer == answer
    assert feedback.kind == ReaderFeedback.Kind.HELPFUL
    assert feedback.signoff_id == publication.signoff_id
    assert feedback.content_hash == publication.content_hash
    assert feedback.message == ""


def test_report_is_saved_and_thanked(client):
    answer = publish_answer()
    response = client.post(
        feedback_url(answer),
        {"kind": "problem", "message": "  The test link is broken.  "},
        follow=True,
    )
    assert response.status_code == 200
    assert "Thank you: your report was sent to our editors" in response.content.decode()
    feedback = ReaderFeedback.objects.get()
    assert feedback.kind == ReaderFeedback.Kind.PROBLEM
    assert feedback.message == "The test link is broken."


def test_feedback_after_re_review_records_the_new_version(client):
    answer = publish_answer()
    first = answer.publication.signoff_id
    writer = answer.writers.first()
    answer.lead = "A revised test lead [1]."
    answer.save()
    answer.note_edit(by=writer)
    answer.submit(by=writer)
    approve(answer, make_clinician(), change_summary="Test: re-reviewed.")
    answer.refresh_from_db()
    client.post(feedback_url(answer), {"kind": "not_helpful"})
    feedback = ReaderFeedback.objects.get()
    assert feedback.signoff_id != first
    assert feedback.signoff_id == answer.publication.signoff_id
    assert feedback.content_hash == answer.publication.content_hash


@pytest.mark.parametrize(
    "data, error",
    [
        ({"kind": "problem", "message": "   "}, "Describe the problem"),
        ({}, "Choose Yes or No"),
        ({"kind": "forged"}, "Select a valid choice"),
        ({"kind": "problem", "message": "x" * 2001}, "Keep the report under 2000 characters"),
    ],
)
def test_invalid_feedback_is_shown_on_the_page(client, data, error):
    answer = publish_answer()
    response = client.post(feedback_url(answer), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    assert '<h1 id="answer-title">' in html  # the answer page, not a bare error
    assert not ReaderFeedback.objects.exists()


def test_report_error_is_tied_to_its_field(client):
    answer = publish_answer()
    html = client.post(feedback_url(answer), {"kind": "problem", "message": ""}).content.decode()
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="feedback-message_helptext feedback-message_error"' in html
    assert 'id="feedback-message_error"' in html


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is another site's page
        {"Origin": "https://attacker.example"},
        {"Origin": "null"},
    ],
)
def test_posts_from_other_sites_are_refused(headers):
    """The cached page carries no CSRF token: where the post comes from decides."""
    answer = publish_answer()
    client = Client(enforce_csrf_checks=True)
    response = client.post(feedback_url(answer), {"kind": "helpful"}, headers=headers)
    assert response.status_code == 403
    assert not ReaderFeedback.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
        {"Origin": "http://testserver"},  # a browser before Sec-Fetch-Site
        {},  # no browser at all: no reader's page to forge a post from
    ],
)
def test_posts_from_the_sites_own_pages_need_no_token(headers):
    answer = publish_answer()
    client = Client(enforce_csrf_checks=True)
    page = client.get(answer.get_absolute_url())
    assert not page.cookies
    response = client.post(feedback_url(answer), {"kind": "helpful"}, headers=headers)
    assert response.status_code == 302
    assert ReaderFeedback.objects.count() == 1


def test_rate_limited_per_address(client, settings):
    settings.FEEDBACK_RATE_LIMIT = 5
    answer = publish_answer()
    for _ in range(5):
        assert client.post(feedback_url(answer), {"kind": "helpful"}).status_code == 302
    response = client.post(feedback_url(answer), {"kind": "problem", "message": "Sixth"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many messages for now" in response.content.decode()
    assert ReaderFeedback.objects.count() == 5

    other_reader = Client(REMOTE_ADDR="198.51.100.7")
    assert other_reader.post(feedback_url(answer), {"kind": "helpful"}).status_code == 302
    assert ReaderFeedback.objects.count() == 6


def test_rate_limit_window_ends(client, settings):
    settings.FEEDBACK_RATE_LIMIT = 1
    settings.FEEDBACK_RATE_WINDOW = 600
    answer = publish_answer()
    assert client.post(feedback_url(answer), {"kind": "helpful"}).status_code == 302
    assert client.post(feedback_url(answer), {"kind": "helpful"}).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(seconds=600)):
        assert client.post(feedback_url(answer), {"kind": "helpful"}).status_code == 302
        assert client.post(feedback_url(answer), {"kind": "helpful"}).status_code == 429
    # The ended window's row is gone: the table holds only windows still counting.
    assert RateLimitWindow.objects.count() == 1


def test_no_feedback_on_unpublished_or_withdrawn_answers(client):
    draft = make_answer(question="Can a test draft get feedback?")
    assert client.post(feedback_url(draft), {"kind": "helpful"}).status_code == 404
    withdrawn = publish_answer(question="Can a withdrawn test answer get feedback?")
    withdrawn.withdraw(by=make_editor(), reason="Test withdrawal")
    assert client.post(feedback_url(withdrawn), {"kind": "helpful"}).status_code == 410
    assert not ReaderFeedback.objects.exists()


def test_feedback_only_accepts_posts(client):
    answer = publish_answer()
    assert client.get(feedback_url(answer)).status_code == 405


def test_answer_page_has_the_feedback_forms(client):
    answer = publish_answer()
    html = client.get(answer.get_absolute_url()).content.decode()
    assert '<h2 id="feedback-heading">Was this helpful?</h2>' in html
    assert '<button type="submit" name="kind" value="helpful">Yes</button>' in html
    assert '<button type="submit" name="kind" value="not_helpful">No</button>' in html
    assert '<label for="feedback-message">What is wrong or unclear?</label>' in html
    assert "csrfmiddlewaretoken" not in html  # the page is cached whole: see origin.py
    assert f'action="{feedback_url(answer)}#feedback"' in html


def test_the_blank_text_box_rendered_once_is_the_widget_and_a_bound_one_is_fresh():
    blank = FeedbackForm(auto_id=BLANK_AUTO_ID)
    assert blank.message_html() == str(FeedbackForm(auto_id=BLANK_AUTO_ID)["message"])
    assert 'id="feedback-message"' in blank.message_html()
    refused = FeedbackForm({"kind": "problem", "message": ""}, auto_id=BLANK_AUTO_ID)
    assert not refused.is_valid()
    assert 'aria-invalid="true"' in refused.message_html()
    assert 'aria-invalid="true"' not in blank.message_html()
