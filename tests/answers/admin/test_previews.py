"""The framed previews of answers/admin/previews.py: the draft and the published snapshot as
the public will see them, only the version a signing form carries."""

import pytest

from tests.answers.test_signatures import NEW_LEAD, sent_back_and_resubmitted
from tests.factories import answer_url, draft, in_review, login, make_clinician

pytestmark = pytest.mark.django_db


def test_writers_preview_without_a_reviewer_in_the_byline():
    answer, writer = draft()
    body = login(writer).get(answer_url("preview", answer)).content.decode()
    assert "Not yet medically reviewed" in body
    # A draft was never reviewed: no review dates beside that (they would contradict it).
    assert "Last reviewed" not in body and "Next review due" not in body


def test_the_framed_preview_draws_only_the_version_the_form_signs():
    answer, writer = in_review()
    client = login(make_clinician())
    shown = answer.content_hash()
    assert client.get(answer_url("preview", answer), {"version": shown}).status_code == 200
    sent_back_and_resubmitted(answer, writer)
    stale = client.get(answer_url("preview", answer), {"version": shown})
    assert stale.status_code == 409
    assert NEW_LEAD not in stale.content.decode()


def test_the_approve_page_frames_the_version_its_form_signs():
    answer, _ = in_review()
    html = login(make_clinician()).get(answer_url("approve", answer)).content.decode()
    assert f"preview/?version={answer.content_hash()}" in html
    assert "What you sign" in html
