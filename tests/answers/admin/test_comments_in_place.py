"""Comments in place on the answer's change page: each open comment beside its field, its
controls posting through forms outside the answer's form, and the comment views' JSON
answers to the page's script (review_cycle.CommentView), with the same permission checks,
CSRF and model methods as the plain form posts."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from answers.models import ReviewComment, ReviewCommentReply
from tests.factories import (
    answer_url,
    draft,
    in_review,
    login,
    make_clinician,
    make_user,
    make_writer,
    messages_of,
)

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
LEAD_COMMENT = "Test comment on the short answer."
SECTION_COMMENT = "Test comment on the section."


@pytest.fixture
def commented():
    """A draft sent back with a comment on its short answer and one on its first section."""
    answer, writer = in_review()
    clinician = make_clinician(display_name="Test Clinician")
    section = answer.ordered_sections()[0]
    answer.request_changes(
        by=clinician,
        comment="Test: see the comments.",
        section_comments=[(None, LEAD_COMMENT), (section, SECTION_COMMENT)],
    )
    lead = ReviewComment.objects.get(section__isnull=True)
    on_section = ReviewComment.objects.get(section=section)
    return answer, writer, clinician, lead, on_section


def answer_form_of(page):
    """The answer's own form, as the page's HTML has it."""
    start = page.index('id="answer_form"')
    return start, page.index("</form>", start)


def test_open_comments_stand_beside_their_fields_with_their_forms_outside(commented):
    answer, writer, _, lead, on_section = commented
    page = login(writer).get(answer_url("change", answer)).content.decode()
    start, end = answer_form_of(page)
    form = page[start:end]
    assert "<form" not in form[1:], "no form inside the answer's form"
    lead_field = form.index('class="form-row field-lead_comments"')
    assert form.index('id="id_lead"') < lead_field < form.index(LEAD_COMMENT)
    assert form.index(SECTION_COMMENT) > form.index('id="id_sections-0-body"')
    for comment in (lead, on_section):
        assert f'form="qa-reply-form-{comment.pk}"' in form
        assert f'form="qa-resolve-form-{comment.pk}"' in form
        assert page.index(f'id="qa-reply-form-{comment.pk}"') > end
        assert page.index(f'id="qa-resolve-form-{comment.pk}"') > end
    assert "2 unresolved" in page
    assert "js/desk/comments" in page


def test_no_comments_no_field_and_no_script():
    answer, writer = draft()
    page = login(writer).get(answer_url("change", answer)).content.decode()
    assert "field-lead_comments" not in page
    assert "js/desk/comments" not in page


def test_reply_answers_json_with_the_comment_redrawn(commented):
    answer, writer, _, _, on_section = commented
    client = login(writer)
    response = client.post(
        answer_url("comment_reply", answer, on_section.pk), {"text": "Test reply."}, **JSON
    )
    assert response.status_code == 200
    data = response.json()
    heading = on_section.section.heading
    assert data["message"] == f"Reply added to the comment on {heading}."
    assert data["resolved"] is False and data["unresolved"] == 2
    assert "Test reply." in data["html"]
    assert f'form="qa-reply-form-{on_section.pk}"' in data["html"]
    reply = ReviewCommentReply.objects.get()
    assert (reply.comment, reply.author, reply.text) == (on_section, writer, "Test reply.")
    # Said in place, so not said again as a message on the next page.
    page = client.get(answer_url("change", answer))
    assert not messages_of(page)


def test_an_empty_reply_is_refused_in_words(commented):
    answer, writer, _, lead, _ = commented
    response = login(writer).post(
        answer_url("comment_reply", answer, lead.pk), {"text": "  "}, **JSON
    )
    assert response.status_code == 400
    assert response.json()["error"] == "No reply was added: Write a reply first: it is empty."
    assert not ReviewCommentReply.objects.exists()


def test_resolve_answers_json_and_counts_what_is_left(commented):
    answer, writer, _, lead, _ = commented
    response = login(writer).post(answer_url("comment_resolve", answer, lead.pk), **JSON)
    assert response.status_code == 200
    data = response.json()
    assert data["message"] == "Comment on Short answer marked resolved."
    assert data["resolved"] is True and data["unresolved"] == 1
    assert "Resolved" in data["html"] and "qa-reply-form" not in data["html"]
    lead.refresh_from_db()
    assert lead.resolved_by == writer


def test_a_comment_resolved_meanwhile_says_by_whom(commented):
    answer, writer, clinician, _, on_section = commented
    on_section.resolve(by=clinician)
    response = login(writer).post(answer_url("comment_resolve", answer, on_section.pk), **JSON)
    assert response.status_code == 409
    data = response.json()
    assert data["error"].startswith("Not resolved: This comment was already resolved by ")
    assert "Test Clinician" in data["error"]
    assert data["resolved"] is True and "Resolved" in data["html"]
    on_section.refresh_from_db()
    assert on_section.resolved_by == clinician


def test_the_plain_form_post_still_redirects_with_a_message(commented):
    answer, writer, _, lead, _ = commented
    client = login(writer)
    response = client.post(answer_url("comment_reply", answer, lead.pk), {"text": "Test reply."})
    assert response.status_code == 302
    assert response["Location"] == answer_url("change", answer) + f"#review-comment-{lead.pk}"
    page = client.get(response["Location"])
    assert "Reply added to the comment on Short answer." in messages_of(page)
    response = client.post(answer_url("comment_resolve", answer, lead.pk))
    assert response.status_code == 302
    response = client.post(answer_url("comment_resolve", answer, lead.pk), follow=True)
    assert any("already resolved by" in m for m in messages_of(response))


def test_someone_who_may_not_see_the_answer_gets_403_in_json(commented):
    answer, _, _, lead, _ = commented
    stranger = make_user()  # staff, in no group
    response = login(stranger).post(
        answer_url("comment_reply", answer, lead.pk), {"text": "Test reply."}, **JSON
    )
    assert response.status_code == 403
    assert response.json()["error"] == "You may not take part in this answer's comments."
    assert not ReviewCommentReply.objects.exists()


def test_someone_who_may_only_look_is_refused_by_the_model(commented):
    answer, _, _, lead, _ = commented
    viewer = make_user()
    viewer.user_permissions.add(Permission.objects.get(codename="view_answer"))
    for view, data in (("comment_reply", {"text": "Test reply."}), ("comment_resolve", {})):
        response = login(viewer).post(answer_url(view, answer, lead.pk), data, **JSON)
        assert response.status_code == 403
        assert "Only the answer's writers, editors and clinicians" in response.json()["error"]
    lead.refresh_from_db()
    assert lead.resolved_at is None and not ReviewCommentReply.objects.exists()


def test_a_comment_of_another_answer_is_not_found(commented):
    answer, writer, _, lead, _ = commented
    other, _ = draft(writer=writer)
    response = login(writer).post(
        answer_url("comment_reply", other, lead.pk), {"text": "Test reply."}, **JSON
    )
    assert response.status_code == 404
    assert "no longer exists" in response.json()["error"]
    missing = reverse("admin:answers_answer_comment_resolve", args=[999_999, lead.pk])
    response = login(writer).post(missing, **JSON)
    assert response.status_code == 404
    assert "no answer with this ID" in response.json()["error"]


def test_csrf_is_checked_as_for_the_plain_forms(commented):
    answer, writer, _, lead, _ = commented
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    url = answer_url("comment_reply", answer, lead.pk)
    refused = client.post(url, {"text": "Test reply."}, **JSON)
    assert refused.status_code == 403
    assert not ReviewCommentReply.objects.exists()
    client.get(answer_url("change", answer))  # sets the CSRF cookie, as the page does
    token = client.cookies["csrftoken"].value
    accepted = client.post(url, {"text": "Test reply.", "csrfmiddlewaretoken": token}, **JSON)
    assert accepted.status_code == 200
    assert ReviewCommentReply.objects.get().text == "Test reply."


def test_an_expired_session_goes_to_the_login_page_and_saves_nothing(commented):
    answer, _, _, lead, _ = commented
    response = Client().post(
        answer_url("comment_reply", answer, lead.pk), {"text": "Test reply."}, **JSON
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not ReviewCommentReply.objects.exists()


def test_another_writer_of_the_team_may_reply_in_place(commented):
    """Writers and clinicians take part, as on the plain forms (the rule is the model's)."""
    answer, _, clinician, lead, _ = commented
    for person in (make_writer(), clinician):
        response = login(person).post(
            answer_url("comment_reply", answer, lead.pk), {"text": "Test reply."}, **JSON
        )
        assert response.status_code == 200
    assert ReviewCommentReply.objects.count() == 2
