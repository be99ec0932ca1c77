"""A signature means "I saw exactly this" (issue 17): every path that signs (approve and
confirm still accurate; the admin form, a hand-built POST, the shell) is refused when the
version the signer was shown is not the content now, and preview links serve only the round
of review they were made for."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from answers.models import Answer, PublishedAnswer, SignOff, StaleSignature
from tests.factories import (
    answer_url,
    approval,
    in_review,
    login,
    make_clinician,
    messages_of,
    published,
    status_of,
)

pytestmark = pytest.mark.django_db

NEW_LEAD = "Test short answer, changed after the clinician opened the page."


def sign(answer, clinician, shown_hash, **kwargs):
    return answer.approve(
        by=clinician,
        password="pw",
        shown_hash=shown_hash,
        sources_checked=True,
        wording_safe=True,
        **kwargs,
    )


def sent_back_and_resubmitted(answer, writer, *, lead=NEW_LEAD):
    """Clinician A sends it back; the writer changes the short answer and resubmits."""
    answer.request_changes(by=make_clinician(), comment="Test: reword the short answer.")
    answer.refresh_from_db()
    answer.lead = lead
    answer.save()
    answer.submit(by=writer)
    answer.refresh_from_db()


def assert_nothing_signed(answer):
    assert status_of(answer) == Answer.Status.IN_REVIEW
    assert not SignOff.objects.filter(answer=answer).exists()
    assert not PublishedAnswer.objects.filter(answer=answer).exists()


# --- the model (the shell and every other path) ------------------------------


def test_approve_refuses_the_version_before_a_resubmission():
    answer, writer = in_review(lead="Test short answer as first read.")
    clinician_b = make_clinician()
    shown = answer.content_hash()  # B opens the review page
    sent_back_and_resubmitted(answer, writer)
    with pytest.raises(StaleSignature, match="changed after your page was opened") as refused:
        sign(answer, clinician_b, shown)
    assert refused.value.shown_hash == shown
    assert_nothing_signed(answer)
    signoff = sign(answer, clinician_b, answer.content_hash())
    assert signoff.content_hash == answer.content_hash()


@pytest.mark.parametrize("missing", ["", None])
def test_approve_refuses_a_signature_that_names_no_version(missing):
    answer, _ = in_review()
    with pytest.raises(StaleSignature, match="did not say which version"):
        sign(answer, make_clinician(), missing)
    assert_nothing_signed(answer)


def test_approve_refuses_a_hash_that_was_never_the_content():
    answer, _ = in_review()
    with pytest.raises(StaleSignature):
        sign(answer, make_clinician(), "0" * 64)
    assert_nothing_signed(answer)


def test_the_stale_check_comes_before_the_password_so_nothing_is_guessed_on_old_pages():
    answer, writer = in_review()
    shown = answer.content_hash()
    sent_back_and_resubmitted(answer, writer)
    with pytest.raises(StaleSignature):
        answer.approve(
            by=make_clinician(),
            password="wrong",
            shown_hash=shown,
            sources_checked=True,
            wording_safe=True,
        )


def test_confirm_accurate_refuses_a_publication_replaced_since_the_page_opened():
    answer, writer, first = published()
    shown = answer.publication.content_hash  # B opens "Confirm still accurate"
    later = timezone.now() + timedelta(days=2)
    with time_machine.travel(later, tick=False):
        answer.refresh_from_db()
        answer.lead = NEW_LEAD
        answer.save()
        answer.note_edit(by=writer)
        answer.submit(by=writer)
        sign(answer, make_clinician(), answer.content_hash(), change_summary="Test: reworded.")
    answer.refresh_from_db()
    second = make_clinician()
    with time_machine.travel(later + timedelta(days=1), tick=False):
        with pytest.raises(StaleSignature):
            answer.confirm_accurate(
                sources_checked=True, wording_safe=True, by=second, password="pw", shown_hash=shown
            )
        assert answer.signoffs.count() == 2
        answer.confirm_accurate(
            sources_checked=True,
            wording_safe=True,
            by=second,
            password="pw",
            shown_hash=answer.publication.content_hash,
        )
    assert answer.signoffs.count() == 3


# --- the admin: the form, a hand-built POST ----------------------------------


def test_the_review_page_carries_the_version_it_shows():
    answer, _ = in_review()
    html = login(make_clinician()).get(answer_url("review", answer)).content.decode()
    assert f'name="shown_hash" value="{answer.content_hash()}"' in html
    assert f'name="shown_revision" value="{answer.submitted_revision_id}"' in html
    assert f"preview/?version={answer.content_hash()}" in html


def test_a_stale_post_is_refused_naming_what_changed_and_linking_the_new_version():
    answer, writer = in_review(lead="Test short answer as first read.")
    clinician_b = make_clinician()
    on_screen = approval(answer)  # what B's page carries
    sent_back_and_resubmitted(answer, writer)
    response = login(clinician_b).post(answer_url("approve", answer), on_screen, follow=True)
    message = " ".join(messages_of(response))
    assert "Nothing was signed and nothing was published" in message
    assert "Changed since you opened it: the short answer." in message
    assert f'href="{answer_url("review", answer)}"' in message
    assert response.redirect_chain[-1][0] == answer_url("review", answer)
    assert_nothing_signed(answer)


@pytest.mark.parametrize("tampered", [{"shown_hash": ""}, {"shown_hash": "f" * 64}])
def test_a_hand_built_post_with_a_missing_or_wrong_hash_is_refused(tampered):
    answer, _ = in_review()
    data = {**approval(answer), **tampered}
    response = login(make_clinician()).post(answer_url("approve", answer), data, follow=True)
    assert "Nothing was signed" in response.content.decode()
    assert_nothing_signed(answer)


def test_a_post_without_the_field_at_all_is_refused():
    answer, _ = in_review()
    data = {k: v for k, v in approval(answer).items() if k not in ("shown_hash", "shown_revision")}
    response = login(make_clinician()).post(answer_url("approve", answer), data)
    assert response.status_code == 200
    assert "did not say which version of the answer you read" in response.content.decode()
    assert_nothing_signed(answer)


def test_confirm_page_frames_the_publication_it_signs_and_refuses_a_stale_post():
    answer, writer, _ = published()
    shown = answer.publication.content_hash
    client = login(make_clinician())
    page = client.get(answer_url("confirm_accurate", answer)).content.decode()
    assert f'name="shown_hash" value="{shown}"' in page
    assert f"published-preview/?version={shown}" in page
    framed = client.get(answer_url("published_preview", answer), {"version": shown})
    assert framed.status_code == 200 and answer.question.text in framed.content.decode()
    # Another clinician approves a new version meanwhile.
    later = timezone.now() + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        answer.refresh_from_db()
        answer.lead = NEW_LEAD
        answer.save()
        answer.note_edit(by=writer)
        answer.submit(by=writer)
        sign(answer, make_clinician(), answer.content_hash(), change_summary="Test: reworded.")
    with time_machine.travel(later + timedelta(minutes=5), tick=False):
        data = {"sources_checked": "on", "wording_safe": "on", "password": "pw"}
        response = client.post(
            answer_url("confirm_accurate", answer), {**data, "shown_hash": shown}, follow=True
        )
    assert "Nothing was signed" in " ".join(messages_of(response))
    assert answer.signoffs.count() == 2
    gone = client.get(answer_url("published_preview", answer), {"version": shown})
    assert gone.status_code == 409
    assert "changed after the page was opened" in gone.content.decode()


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


# --- preview links: one round of review --------------------------------------


def test_a_preview_link_dies_with_its_round_even_when_the_content_comes_back_the_same():
    answer, writer = in_review()
    clinician = make_clinician()
    link, token = answer.create_preview_link(by=clinician)
    assert Client().get(f"/preview/{token}/").status_code == 200
    answer.request_changes(by=clinician, comment="Test: nothing to change after all.")
    assert Client().get(f"/preview/{token}/").status_code == 410
    answer.submit(by=writer, confirm_unresolved=True)  # the same content, a new round
    answer.refresh_from_db()
    assert answer.submitted_hash == link.content_hash
    assert Client().get(f"/preview/{token}/").status_code == 410
    _, new_token = answer.create_preview_link(by=clinician)
    assert Client().get(f"/preview/{new_token}/").status_code == 200


def openings(answer):
    return Answer.history.filter(id=answer.pk, history_change_reason__contains="opened").count()


def test_openings_are_audited_once_per_visitor_per_hour():
    answer, _ = in_review()
    _, token = answer.create_preview_link(by=make_clinician(), reviewer_name="Dr Test Outside")
    visitor = Client(HTTP_USER_AGENT="Test browser one")
    for _ in range(100):
        assert visitor.head(f"/preview/{token}/").status_code == 200
    assert openings(answer) == 1
    Client(HTTP_USER_AGENT="Test browser two").get(f"/preview/{token}/")
    assert openings(answer) == 2
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        visitor.get(f"/preview/{token}/")
    assert openings(answer) == 3
    reason = Answer.history.filter(id=answer.pk).latest("history_date").history_change_reason
    assert reason.startswith("Preview link") and "(for Dr Test Outside)" in reason
    assert "127.0.0.1" not in reason and "Test browser" not in reason
