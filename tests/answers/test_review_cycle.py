"""The review cycle over time: review dates, confirm still accurate, go-live and take-down
by time in every public query, preview links for outside reviewers, comments on sections."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from answers.models import (
    Answer,
    PublishedAnswer,
    ReviewComment,
    SignOff,
    WorkflowError,
)
from tests.factories import (
    answer_url,
    approve,
    in_review,
    login,
    make_clinician,
    make_editor,
    public_page,
    published,
)

pytestmark = pytest.mark.django_db


def history_reasons(answer):
    return list(
        Answer.history.filter(id=answer.pk)
        .order_by("history_date", "history_id")
        .values_list("history_change_reason", flat=True)
    )


# --- review dates -----------------------------------------------------------


def test_clinician_sets_a_shorter_review_date_at_approval(settings):
    answer, _ = in_review()
    due = timezone.localdate() + timedelta(days=90)
    approve(answer, next_review_due=due)
    assert answer.next_review_due == due
    assert answer.publication.next_review_due == due


@pytest.mark.parametrize("days", [0, -3, 366])
def test_review_date_must_be_in_the_coming_interval(days):
    answer, _ = in_review()
    with pytest.raises(WorkflowError, match="next review must be after today"):
        approve(answer, next_review_due=timezone.localdate() + timedelta(days=days))
    assert Answer.objects.get(pk=answer.pk).status == Answer.Status.IN_REVIEW


# --- confirm still accurate -------------------------------------------------


def test_confirm_still_accurate_re_signs_the_same_content():
    answer, writer, first = published()
    publication = answer.publication
    later = timezone.now() + timedelta(days=300)
    second = make_clinician(display_name="Second Clinician", credentials="MD")
    with time_machine.travel(later, tick=False):
        signoff = answer.confirm_accurate(
            sources_checked=True,
            wording_safe=True,
            shown_hash=answer.publication.content_hash,
            by=second,
            password="pw",
        )
    answer.refresh_from_db()
    new = PublishedAnswer.objects.get(pk=publication.pk)
    assert signoff.content_hash == publication.content_hash == new.content_hash
    assert signoff.revision_id != SignOff.objects.exclude(pk=signoff.pk).get().revision_id
    assert new.signoff == signoff
    assert new.approved_at == later
    assert new.first_published_at == publication.first_published_at
    assert new.data["reviewer"]["name"] == "Second Clinician"
    assert answer.next_review_due == (later + timedelta(days=365)).date()
    assert history_reasons(answer)[-1] == (
        "Confirmed still accurate (signed from the page showing revision "
        f"{publication.signoff.revision_id}, content {publication.content_hash[:12]})"
    )
    page = public_page(answer).content.decode()
    assert "Second Clinician" in page


def test_confirm_still_accurate_refusals():
    answer, writer, clinician = published()
    editor = make_editor()
    assert answer.refusals("confirm_accurate", editor) == [
        "Only medical reviewers confirm that an answer is still accurate."
    ]
    # The writer is no clinician; a clinician who wrote it may not re-sign it either.
    writing_clinician = make_clinician()
    answer.writers.add(writing_clinician)
    assert "another clinician" in answer.refusals("confirm_accurate", writing_clinician)[0]
    answer.writers.remove(writing_clinician)
    # A draft that differs from the publication needs a real review.
    answer.lead = "A changed short answer [1]."
    answer.save()
    assert "differs from the published version" in answer.refusals("confirm_accurate", clinician)[0]
    with pytest.raises(WorkflowError):
        answer.confirm_accurate(
            sources_checked=True,
            wording_safe=True,
            shown_hash=answer.publication.content_hash,
            by=clinician,
            password="pw",
        )


def test_confirm_still_accurate_without_the_right_password_signs_nothing():
    answer, writer, first = published()
    second = make_clinician()
    with pytest.raises(WorkflowError, match="The password was not right, so nothing was signed"):
        answer.confirm_accurate(
            sources_checked=True,
            wording_safe=True,
            shown_hash=answer.publication.content_hash,
            by=second,
            password="not-the-password",
        )
    assert answer.signoffs.count() == 1


# --- overdue ----------------------------------------------------------------


def test_overdue_notice_after_the_grace_period(settings):
    answer, _, _ = published()
    due = answer.publication.next_review_due
    settings.OVERDUE_NOTICE_GRACE_DAYS = 30
    with time_machine.travel(due + timedelta(days=10)):
        assert Answer.objects.review_overdue().filter(pk=answer.pk).exists()
        assert b"was due for review" not in public_page(answer).content
    with time_machine.travel(due + timedelta(days=31)):
        assert b"was due for review" in public_page(answer).content
        # A changed setting arrives with a deploy, which empties the caches (purge_cache).
        settings.PAGE_CACHE = False
        settings.OVERDUE_NOTICE_GRACE_DAYS = None
        assert b"was due for review" not in public_page(answer).content


# --- go-live and take-down ---------------------------------------------------


def public_everywhere(answer):
    """Whether each public surface shows the answer now."""
    client = Client()
    slug = answer.question.slug
    return {
        "page": client.get(reverse("question", args=[slug])).status_code,
        "home": slug in client.get("/").content.decode(),
        "topic": client.get(answer.question.topic.get_absolute_url()).status_code == 200,
        "search": slug in client.get("/search/?q=test").content.decode(),
        "feed": slug in client.get("/feed/").content.decode(),
        "sitemap": slug in client.get("/sitemap-answers.xml").content.decode(),
        "api_list": slug in client.get("/api/answers/").content.decode(),
        "api": client.get(f"/api/answers/{slug}/").status_code,
    }


LIVE = {
    "page": 200,
    "home": True,
    "topic": True,
    "search": True,
    "feed": True,
    "sitemap": True,
    "api_list": True,
    "api": 200,
}


def test_embargoed_answer_goes_live_at_its_time_everywhere():
    answer, _ = in_review(question="Does the test embargo hold?", lead="A test answer [1].")
    go_live = timezone.now() + timedelta(hours=2)
    approve(answer, go_live_at=go_live)
    hidden = public_everywhere(answer)
    assert hidden == {key: 404 if key in ("page", "api") else False for key in LIVE}
    assert PublishedAnswer.objects.next_scheduled_change() == go_live
    assert answer.publication.next_scheduled_change() == go_live
    with time_machine.travel(go_live + timedelta(seconds=1)):
        assert public_everywhere(answer) == LIVE
        assert PublishedAnswer.objects.next_scheduled_change() is None


def test_go_live_must_be_future_and_not_replace_a_live_page():
    answer, _ = in_review()
    with pytest.raises(WorkflowError, match="must be in the future"):
        approve(answer, go_live_at=timezone.now() - timedelta(minutes=1))
    answer, writer, clinician = published()
    answer.lead = "A test answer, revised [1]."
    answer.save()
    answer.note_edit(by=writer)
    answer.submit(by=writer)
    with pytest.raises(WorkflowError, match="on the public site now"):
        approve(answer, go_live_at=timezone.now() + timedelta(days=1))


def test_take_down_by_time_answers_410_with_the_reason():
    answer, _, _ = published(question="Is the test guidance seasonal?", lead="A test answer [1].")
    editor = make_editor()
    at = timezone.now() + timedelta(days=1)
    answer.reschedule(by=editor, take_down_at=at, take_down_reason="Test reason: the season ended.")
    assert public_everywhere(answer) == LIVE
    assert PublishedAnswer.objects.next_scheduled_change() == at
    with time_machine.travel(at + timedelta(seconds=1)):
        response = public_page(answer)
        assert response.status_code == 410
        assert "Test reason: the season ended." in response.content.decode()
        gone = public_everywhere(answer)
        assert gone["api"] == 410 and not gone["home"] and not gone["sitemap"]
        # Taken down: it may go back through review.
        assert answer.refusals("submit", answer.writers.first()) == []
    assert "Schedule changed: take down" in history_reasons(answer)[-1]


def test_schedule_refusals_and_cancelling():
    answer, writer, clinician = published()
    editor = make_editor()
    assert answer.refusals("schedule", writer) == [
        "Only editors change or cancel what is scheduled."
    ]
    assert answer.refusals("schedule", clinician)
    with pytest.raises(WorkflowError, match="readers see the reason"):
        answer.reschedule(by=editor, take_down_at=timezone.now() + timedelta(days=1))
    with pytest.raises(WorkflowError, match="must be in the future"):
        answer.reschedule(
            by=editor, take_down_at=timezone.now() - timedelta(days=1), take_down_reason="Test."
        )
    answer.reschedule(
        by=editor, take_down_at=timezone.now() + timedelta(days=1), take_down_reason="Test."
    )
    assert answer.reschedule(by=editor, take_down_at=None) == ["take-down cancelled"]
    assert PublishedAnswer.objects.get(answer=answer).take_down_at is None


def test_scheduled_changes_are_listed_for_editors():
    answer, _ = in_review(question="Is the test scheduled?")
    approve(answer, go_live_at=timezone.now() + timedelta(days=3))
    page = login(make_editor()).get(
        reverse("admin:answers_publishedanswer_changelist") + "?scheduled=yes"
    )
    assert "Is the test scheduled?" in page.content.decode()


# --- preview links -----------------------------------------------------------


def test_preview_link_opens_the_submitted_draft_then_expires():
    answer, writer = in_review(question="Does the test preview open?")
    clinician = make_clinician()
    link, token = answer.create_preview_link(by=clinician, reviewer_name="Dr Test Outside")
    assert link.token_hash != token and len(link.token_hash) == 64
    response = Client().get(f"/preview/{token}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Draft: not yet approved" in body and "Does the test preview open?" in body
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "Preview link" in history_reasons(answer)[-1] and "opened" in history_reasons(answer)[-1]
    assert "/preview/" not in Client().get("/sitemap.xml").content.decode()
    assert "Disallow: /preview/" in Client().get("/robots.txt").content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        expired = Client().get(f"/preview/{token}/")
        assert expired.status_code == 410
        assert "expired" in expired.content.decode()
    assert Client().get("/preview/not-a-token/").status_code == 404


def test_preview_link_revoked_or_answer_left_review():
    answer, writer = in_review()
    clinician = make_clinician()
    link, token = answer.create_preview_link(by=clinician)
    link.revoke(by=make_editor())
    assert "revoked" in Client().get(f"/preview/{token}/").content.decode()
    link, token = answer.create_preview_link(by=clinician)
    answer.request_changes(by=clinician, comment="Test comment.")
    assert Client().get(f"/preview/{token}/").status_code == 410


def test_outside_reviewer_comments_and_the_clinician_sees_it():
    cache.clear()
    answer, _ = in_review()
    clinician = make_clinician()
    client = login(clinician)
    response = client.post(
        answer_url("preview_link_create", answer), {"reviewer_name": "Dr Test"}, follow=True
    )
    url = response.context["messages"]._loaded_messages[0].message.split('href="')[1].split('"')[0]
    token = url.rstrip("/").rsplit("/", 1)[1]
    outside = Client(enforce_csrf_checks=True)
    page = outside.get(f"/preview/{token}/")
    csrf = page.cookies["csrftoken"].value
    assert (
        outside.post(f"/preview/{token}/comment/", {"name": "Dr Test", "text": "Test"}).status_code
        == 403
    )
    response = outside.post(
        f"/preview/{token}/comment/",
        {
            "name": "Dr Test Outside",
            "text": "Test comment from outside.",
            "csrfmiddlewaretoken": csrf,
        },
    )
    assert response.status_code == 302
    review = client.get(answer_url("review", answer)).content.decode()
    assert "Test comment from outside." in review and "Dr Test Outside" in review
    assert (
        outside.post(
            f"/preview/{token}/comment/", {"name": "", "text": "", "csrfmiddlewaretoken": csrf}
        ).status_code
        == 400
    )


def test_preview_comments_are_rate_limited(settings):
    cache.clear()
    settings.FEEDBACK_RATE_LIMIT = 1
    answer, _ = in_review()
    _, token = answer.create_preview_link(by=make_clinician())
    client = Client()
    data = {"name": "Dr Test", "text": "Test."}
    assert client.post(f"/preview/{token}/comment/", data).status_code == 302
    assert client.post(f"/preview/{token}/comment/", data).status_code == 429


# --- comments on sections ------------------------------------------------------


def test_section_comments_kept_with_their_version_and_block_resubmission():
    answer, writer = in_review()
    clinician = make_clinician()
    section = answer.ordered_sections()[0]
    revision = answer.submitted_revision
    answer.request_changes(
        by=clinician,
        comment="Test comment.",
        section_comments=[
            (section, "Test: reword this section."),
            (None, "Test: shorten the lead."),
        ],
    )
    comments = list(answer.review_comments.all())
    assert [(c.part, c.revision) for c in comments] == [
        (section.heading, revision),
        (ReviewComment.LEAD, revision),
    ]
    with pytest.raises(WorkflowError, match="2 of the clinician's comments are not resolved"):
        answer.submit(by=writer)
    comments[0].reply(by=writer, text="Test: reworded.")
    comments[0].resolve(by=writer)
    with pytest.raises(WorkflowError, match="1 of the clinician's comments is not resolved"):
        answer.submit(by=writer)
    answer.submit(by=writer, confirm_unresolved=True)
    assert Answer.objects.get(pk=answer.pk).status == Answer.Status.IN_REVIEW


def test_go_live_cannot_move_past_the_take_down():
    answer, _ = in_review()
    approve(answer, go_live_at=timezone.now() + timedelta(days=1))
    editor = make_editor()
    answer.reschedule(
        by=editor,
        go_live_at=PublishedAnswer.objects.get(answer=answer).live_from,
        take_down_at=timezone.now() + timedelta(days=2),
        take_down_reason="Test.",
    )
    with pytest.raises(WorkflowError, match="after the answer goes live"):
        answer.reschedule(
            by=editor,
            go_live_at=timezone.now() + timedelta(days=3),
            take_down_at=PublishedAnswer.objects.get(answer=answer).take_down_at,
            take_down_reason="Test.",
        )


def test_an_embargoed_answer_withdrawn_before_going_live_stays_unknown():
    answer, _ = in_review()
    approve(answer, go_live_at=timezone.now() + timedelta(days=1))
    answer.withdraw(by=make_editor(), reason="Test reason.")
    assert public_page(answer).status_code == 404
    assert Client().get(f"/api/answers/{answer.question.slug}/").status_code == 404


def test_confirm_still_accurate_needs_both_checks_stated_on_every_path():
    answer, _, _ = published()
    second = make_clinician()
    with pytest.raises(TypeError):
        answer.confirm_accurate(
            by=second, password="pw", shown_hash=answer.publication.content_hash
        )
    with pytest.raises(WorkflowError, match="Confirm both checks"):
        answer.confirm_accurate(
            by=second,
            password="pw",
            shown_hash=answer.publication.content_hash,
            sources_checked=True,
            wording_safe=False,
        )
    assert answer.signoffs.count() == 1
