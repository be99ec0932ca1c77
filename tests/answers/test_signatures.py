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
    in_review,
    make_clinician,
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
