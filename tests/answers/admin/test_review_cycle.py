"""The review cycle's admin pages (answers/admin/review_cycle.py): confirm still accurate,
the schedule, preview links and section comments, posted to as each role."""

from datetime import timedelta

import pytest
from django.utils import timezone

from answers.models import PreviewLink, ReviewComment, WorkflowError
from tests.factories import (
    answer_url,
    approve,
    in_review,
    login,
    make_clinician,
    make_editor,
    make_writer,
    messages_of,
    public_page,
    published,
)

pytestmark = pytest.mark.django_db


def test_confirm_still_accurate_button_is_shown_and_works():
    answer, writer, _ = published()
    other = make_clinician()
    client = login(other)
    page = client.get(answer_url("change", answer)).content.decode()
    assert "Confirm still accurate" in page
    response = client.post(
        answer_url("confirm_accurate", answer),
        {
            "sources_checked": "on",
            "wording_safe": "on",
            "next_review_due": "",
            "password": "pw",
            "shown_hash": answer.publication.content_hash,
        },
        follow=True,
    )
    assert "Confirmed still accurate" in " ".join(messages_of(response))
    assert answer.signoffs.count() == 2
    assert (
        "Confirm still accurate"
        not in login(writer).get(answer_url("change", answer)).content.decode()
    )


def test_editor_cancels_an_embargo_from_the_schedule_page():
    answer, _ = in_review()
    approve(answer, go_live_at=timezone.now() + timedelta(days=3))
    assert public_page(answer).status_code == 404
    client = login(make_editor())
    assert "Scheduled to go live" in client.get(answer_url("change", answer)).content.decode()
    assert client.get(answer_url("schedule", answer)).status_code == 200
    response = client.post(
        answer_url("schedule", answer),
        {"go_live_at": "", "take_down_at": "", "take_down_reason": ""},
        follow=True,
    )
    assert "embargo cancelled" in " ".join(messages_of(response))
    assert public_page(answer).status_code == 200


def test_only_clinicians_and_editors_share_a_draft_in_review():
    answer, writer = in_review()
    with pytest.raises(WorkflowError, match="Only clinicians and editors"):
        answer.create_preview_link(by=writer)
    published_answer, _, clinician = published()
    with pytest.raises(WorkflowError, match="Only an answer in medical review"):
        published_answer.create_preview_link(by=clinician)
    response = login(writer).post(answer_url("preview_link_create", answer), follow=True)
    assert not PreviewLink.objects.exists()
    assert "No preview link was created" in " ".join(messages_of(response))


def test_section_comments_through_the_admin():
    answer, writer = in_review()
    clinician = make_clinician()
    section = answer.ordered_sections()[0]
    client = login(clinician)
    form_page = client.get(answer_url("review", answer)).content.decode()
    assert f"request_changes_part_section_{section.pk}" in form_page
    client.post(
        answer_url("request_changes", answer),
        {"comment": "Test comment.", f"part_section_{section.pk}": "Test: cite a source here."},
    )
    comment = ReviewComment.objects.get()
    assert comment.section == section
    writer_client = login(writer)
    page = writer_client.get(answer_url("change", answer)).content.decode()
    assert "Test: cite a source here." in page and "1 unresolved" in page
    response = writer_client.post(answer_url("submit", answer), follow=True)
    assert "not resolved" in " ".join(messages_of(response))
    writer_client.post(answer_url("comment_reply", answer, comment.pk), {"text": "Test reply."})
    writer_client.post(answer_url("comment_resolve", answer, comment.pk))
    comment.refresh_from_db()
    assert comment.resolved_by == writer and comment.replies.get().text == "Test reply."
    assert (
        login(make_writer()).post(answer_url("comment_resolve", answer, comment.pk)).status_code
        == 302
    )
