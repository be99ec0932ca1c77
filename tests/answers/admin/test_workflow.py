"""The workflow's buttons (answers/admin/workflow.py): submit, request changes, approve and
withdraw, each posted by every role."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from answers.admin.workflow import SUBMITTED
from answers.models import (
    NOT_YOUR_SIGN_OFF,
    Answer,
    PublishedAnswer,
    SignOff,
)
from tests.factories import (
    answer_url,
    approval,
    draft,
    in_review,
    login,
    make_answer,
    make_clinician,
    make_editor,
    make_reference,
    make_user,
    make_writer,
    messages_of,
    public_page,
    published,
    reference_form_data,
    save_answer,
    status_of,
)

pytestmark = pytest.mark.django_db

Status = Answer.Status


# ---------------------------------------------------------------- Submit for medical review


def test_writer_submits_with_the_button():
    answer, writer = draft()
    response = login(writer).post(answer_url("submit", answer), follow=True)
    assert status_of(answer) == Status.IN_REVIEW
    assert SUBMITTED in messages_of(response)


def test_editor_submits_with_the_button():
    answer, _ = draft()
    response = login(make_editor()).post(answer_url("submit", answer), follow=True)
    assert status_of(answer) == Status.IN_REVIEW
    assert SUBMITTED in messages_of(response)


def test_superuser_submits_with_the_button():
    answer, _ = draft()
    login(make_user(superuser=True)).post(answer_url("submit", answer))
    assert status_of(answer) == Status.IN_REVIEW


def test_clinician_cannot_submit_and_is_told_why():
    answer, _ = draft()
    response = login(make_clinician()).post(answer_url("submit", answer), follow=True)
    assert status_of(answer) == Status.DRAFT
    [message] = messages_of(response)
    assert "not sent for medical review" in message
    assert "permission to submit" in message


def test_submission_refused_lists_every_problem():
    answer, writer = draft(
        lead="It depends [1].",
        sections=[("What the research says", "prose", "A trial [2]."), ("Empty", "prose", "")],
        references={"1": make_reference(complete=False, title="Known only by title")},
    )
    response = login(writer).post(answer_url("submit", answer), follow=True)
    assert status_of(answer) == Status.DRAFT
    [message] = messages_of(response)
    assert "Citation [2] has no reference" in message
    assert "Reference [1], “Known only by title” (no author or year), is incomplete" in message
    assert "“Empty” is empty" in message
    assert message.count("<li>") == 3


def test_submit_is_post_only():
    answer, writer = draft()
    response = login(writer).get(answer_url("submit", answer))
    assert response.status_code == 405
    assert status_of(answer) == Status.DRAFT


def test_submit_in_review_twice_is_refused():
    answer, writer = in_review()
    response = login(writer).post(answer_url("submit", answer), follow=True)
    assert status_of(answer) == Status.IN_REVIEW
    assert "Only a draft can be submitted" in messages_of(response)[0]


# ---------------------------------------------------------------- Request changes


def test_clinician_requests_changes_with_a_comment():
    answer, writer = in_review()
    clinician = make_clinician()
    page = login(clinician).get(answer_url("request_changes", answer))
    assert page.status_code == 200
    assert '<button type="submit" class="button default">Request changes</button>' in (
        page.content.decode()
    )
    response = login(clinician).post(
        answer_url("request_changes", answer),
        {"comment": "Say who the trial included."},
        follow=True,
    )
    answer.refresh_from_db()
    assert answer.status == Status.DRAFT
    assert answer.review_comment == "Say who the trial included."
    assert "Sent back to the writers" in messages_of(response)[0]
    # The writer sees the comment on the answer's page.
    writer_page = login(writer).get(answer_url("change", answer))
    assert "The clinician asked for these changes" in writer_page.content.decode()
    assert "Say who the trial included." in writer_page.content.decode()


def test_request_changes_needs_a_comment():
    answer, _ = in_review()
    response = login(make_clinician()).post(answer_url("request_changes", answer), {"comment": " "})
    assert response.status_code == 200
    assert "Say what needs to change: the comment is required." in response.content.decode()
    assert status_of(answer) == Status.IN_REVIEW


@pytest.mark.parametrize("role", [make_writer, make_editor])
def test_only_clinicians_request_changes(role):
    answer, _ = in_review()
    user = role()
    client = login(user)
    page = client.get(answer_url("request_changes", answer))
    assert "Only medical reviewers approve answers or request changes." in page.content.decode()
    response = client.post(answer_url("request_changes", answer), {"comment": "No."}, follow=True)
    assert status_of(answer) == Status.IN_REVIEW
    assert "Only medical reviewers approve answers or request changes." in messages_of(response)[0]


def test_request_changes_on_a_draft_is_refused():
    answer, _ = draft()
    response = login(make_clinician()).post(
        answer_url("request_changes", answer), {"comment": "No."}, follow=True
    )
    assert status_of(answer) == Status.DRAFT
    assert "This answer is not waiting for medical review: it is draft." in messages_of(response)[0]


# ---------------------------------------------------------------- Approve


def test_clinician_approves_and_the_public_page_shows_it():
    answer, _ = in_review(lead="Most of the time it passes [1].")
    clinician = make_clinician(display_name="Dr Rev")
    page = login(clinician).get(answer_url("approve", answer))
    html = page.content.decode()
    assert "I checked every source against the text" in html
    assert "The wording is safe for patients" in html
    response = login(clinician).post(answer_url("approve", answer), approval(answer), follow=True)
    assert status_of(answer) == Status.PUBLISHED
    assert messages_of(response)[0].startswith("Approved and published.")
    signoff = SignOff.objects.get(answer=answer)
    assert signoff.reviewer == clinician
    assert signoff.comment == "Clear and accurate."
    public = public_page(answer)
    assert public.status_code == 200
    assert "Most of the time it passes" in public.content.decode()


def test_a_wrong_password_is_refused_with_words_and_nothing_is_signed():
    answer, _ = in_review()
    client = login(make_clinician())
    response = client.post(answer_url("approve", answer), {**approval(answer), "password": "guess"})
    assert response.status_code == 200
    assert (
        "The password was not right, so nothing was signed and nothing was published."
        in (messages_of(response)[0])
    )
    assert 'value="guess"' not in response.text
    assert status_of(answer) == Status.IN_REVIEW
    assert not SignOff.objects.exists()
    assert not PublishedAnswer.objects.exists()


def test_approve_without_a_password_asks_for_it():
    answer, _ = in_review()
    data = {key: value for key, value in approval(answer).items() if key != "password"}
    response = login(make_clinician()).post(answer_url("approve", answer), data)
    assert "Type your password to sign the approval." in response.text
    assert status_of(answer) == Status.IN_REVIEW


def test_the_approve_forms_say_what_the_signature_means():
    answer, _ = in_review()
    client = login(make_clinician())
    for page in ("approve", "review"):
        html = client.get(answer_url(page, answer)).text
        assert 'type="password"' in html
        assert "Your password, as your signature" in html
        assert "Medically reviewed and approved" in html


def test_wrong_signatures_count_toward_the_login_lockout(settings):
    """An unattended session cannot be used to guess the password: the fifth wrong signature
    locks the account and ends the session, and the right password then neither signs nor
    logs in until the lock ends."""
    assert settings.AXES_FAILURE_LIMIT == 5
    answer, _ = in_review()
    clinician = make_clinician(username="doc")
    client = login(clinician)
    for _ in range(4):
        response = client.post(
            answer_url("approve", answer), {**approval(answer), "password": "guess"}
        )
        assert response.status_code == 200
    response = client.post(answer_url("approve", answer), {**approval(answer), "password": "guess"})
    assert response.status_code == 429
    assert "This account is locked" in response.text
    assert "_auth_user_id" not in client.session
    # Another session of the same account cannot sign either.
    other = login(clinician)
    response = other.post(answer_url("approve", answer), approval(answer), follow=True)
    assert "cannot sign until the lock ends" in messages_of(response)[0]
    assert status_of(answer) == Status.IN_REVIEW
    login_page = reverse("admin:login")
    response = other.post(login_page, {"username": "doc", "password": "pw"})
    assert response.status_code == 429


@pytest.mark.parametrize("missing", ["sources_checked", "wording_safe"])
def test_approve_needs_both_checks(missing):
    answer, _ = in_review()
    data = {key: value for key, value in approval(answer).items() if key != missing}
    response = login(make_clinician()).post(answer_url("approve", answer), data)
    assert response.status_code == 200
    assert "Confirm that" in response.content.decode()
    assert status_of(answer) == Status.IN_REVIEW
    assert not PublishedAnswer.objects.exists()


@pytest.mark.parametrize("role", [make_writer, make_editor])
def test_only_clinicians_approve(role):
    answer, _ = in_review()
    response = login(role()).post(answer_url("approve", answer), approval(answer), follow=True)
    assert status_of(answer) == Status.IN_REVIEW
    assert "Only medical reviewers approve answers or request changes." in messages_of(response)[0]


def test_clinician_who_wrote_it_cannot_approve_and_the_page_says_why():
    clinician = make_clinician()
    answer = make_answer(writers=[clinician])
    answer.submit(by=make_editor())
    client = login(clinician)
    review = client.get(answer_url("review", answer)).content.decode()
    assert NOT_YOUR_SIGN_OFF in review
    assert 'action="{}"'.format(answer_url("approve", answer)) not in review
    change = client.get(answer_url("change", answer)).content.decode()
    assert NOT_YOUR_SIGN_OFF in change
    response = client.post(answer_url("approve", answer), approval(answer), follow=True)
    assert status_of(answer) == Status.IN_REVIEW
    assert NOT_YOUR_SIGN_OFF in messages_of(response)[0]


def test_superuser_who_edited_it_cannot_approve_and_the_page_says_why():
    answer, writer = draft()
    superuser = make_user(superuser=True)
    save_answer(login(superuser), answer, lead="Yes, mostly [1].")
    answer.submit(by=writer)
    client = login(superuser)
    assert NOT_YOUR_SIGN_OFF in client.get(answer_url("review", answer)).content.decode()
    response = client.post(answer_url("approve", answer), approval(answer), follow=True)
    assert status_of(answer) == Status.IN_REVIEW
    assert NOT_YOUR_SIGN_OFF in messages_of(response)[0]


def test_another_clinician_may_approve_what_a_colleague_wrote():
    author = make_clinician()
    answer = make_answer(writers=[author])
    answer.submit(by=make_editor())
    login(make_clinician()).post(answer_url("approve", answer), approval(answer))
    assert status_of(answer) == Status.PUBLISHED


# ---------------------------------------------------------------- Withdraw


def test_editor_withdraws_and_the_public_page_is_gone():
    answer, _, _ = published()
    editor = make_editor()
    assert "Withdraw" in login(editor).get(answer_url("change", answer)).content.decode()
    response = login(editor).post(
        answer_url("withdraw", answer), {"reason": "Guideline changed."}, follow=True
    )
    assert messages_of(response)[0].startswith("Withdrawn.")
    publication = PublishedAnswer.objects.get(answer=answer)
    assert publication.withdrawn_reason == "Guideline changed."
    assert publication.withdrawn_by == editor
    assert status_of(answer) == Status.DRAFT
    assert public_page(answer).status_code == 410


def test_withdraw_needs_a_reason():
    answer, _, _ = published()
    response = login(make_editor()).post(answer_url("withdraw", answer), {"reason": ""})
    assert "Say why it is withdrawn: the reason is required." in response.content.decode()
    assert PublishedAnswer.objects.get(answer=answer).withdrawn_at is None


@pytest.mark.parametrize("role", [make_writer, make_clinician])
def test_only_editors_withdraw(role):
    answer, _, _ = published()
    client = login(role())
    assert (
        "Only editors withdraw answers."
        in client.get(answer_url("withdraw", answer)).content.decode()
    )
    response = client.post(answer_url("withdraw", answer), {"reason": "No."}, follow=True)
    assert "Only editors withdraw answers." in messages_of(response)[0]
    assert PublishedAnswer.objects.get(answer=answer).withdrawn_at is None
    assert public_page(answer).status_code == 200


def test_withdrawing_an_unpublished_answer_is_refused():
    answer, _ = draft()
    response = login(make_editor()).post(
        answer_url("withdraw", answer), {"reason": "No."}, follow=True
    )
    assert (
        "Only a published answer can be withdrawn: this one is not on the public site."
        in (messages_of(response)[0])
    )


# ---------------------------------------------------------------- the review page


def test_clinician_who_changed_a_cited_reference_cannot_approve_the_answer():
    reference = make_reference(title="Original test title")
    answer, writer, clinician = published(references={"1": reference})
    data = reference_form_data(
        title="Title the clinician rewrote",
        doi=reference.doi,
        page=reference.page,
        volume=reference.volume,
        authors="Tester, Ann",
    )
    edit = login(clinician).post(
        reverse("admin:citations_reference_change", args=[reference.pk]), data, follow=True
    )
    assert any("now need medical review again" in m for m in messages_of(edit))
    assert status_of(answer) == Status.DRAFT
    login(writer).post(answer_url("submit", answer))
    assert status_of(answer) == Status.IN_REVIEW

    client = login(clinician)
    refused = (
        "You changed reference [1] cited by this answer since it was last published, "
        "so another clinician must sign it off."
    )
    assert refused in client.get(answer_url("review", answer)).content.decode()
    response = client.post(answer_url("approve", answer), approval(answer), follow=True)
    assert refused in messages_of(response)[0]
    assert status_of(answer) == Status.IN_REVIEW

    login(make_clinician()).post(answer_url("approve", answer), approval(answer))
    assert status_of(answer) == Status.PUBLISHED


def test_a_withdrawal_stands_until_a_clinician_told_why_approves_again():
    answer, writer, clinician = published()
    save_answer(login(writer), answer, lead="A new draft of the short answer.")
    login(writer).post(answer_url("submit", answer))
    assert status_of(answer) == Status.IN_REVIEW
    editor = make_editor(display_name="Ed Itor")
    login(editor).post(answer_url("withdraw", answer), {"reason": "Unsafe advice found"})

    assert status_of(answer) == Status.DRAFT  # out of review: nobody can approve it as it was
    assert public_page(answer).status_code == 410
    refused = login(clinician).post(answer_url("approve", answer), approval(answer), follow=True)
    assert "not waiting for medical review" in messages_of(refused)[0]
    assert public_page(answer).status_code == 410

    login(writer).post(answer_url("submit", answer))
    notice = "by Ed Itor: “Unsafe advice found”. Approving publishes it again"
    assert notice in login(clinician).get(answer_url("review", answer)).content.decode()
    assert notice in login(clinician).get(answer_url("approve", answer)).content.decode()
    login(clinician).post(answer_url("approve", answer), approval(answer))
    assert status_of(answer) == Status.PUBLISHED
    assert public_page(answer).status_code == 200


def test_the_signature_shows_on_the_review_and_history_pages_and_in_the_sign_off_admin():
    answer, _, _ = published(clinician=make_clinician(display_name="Dr Ann Lee"))
    signoff = SignOff.objects.get(answer=answer)
    editor = login(make_editor())
    signed_at = 'datetime="{}"'.format(
        timezone.localtime(signoff.created_at).strftime("%Y-%m-%dT%H:%M:%S%z")
    )
    for page in ("review", "history"):
        html = editor.get(answer_url(page, answer)).text
        assert "Sign-offs" in html
        assert "Dr Ann Lee, MD" in html
        assert "Medically reviewed and approved" in html
        assert signed_at in html
    superuser = login(make_user(superuser=True))
    listing = superuser.get(reverse("admin:answers_signoff_changelist")).text
    assert "Dr Ann Lee, MD" in listing
    assert "Medically reviewed and approved" in listing
    detail = superuser.get(reverse("admin:answers_signoff_change", args=[signoff.pk])).text
    assert "Signed by" in detail and "Dr Ann Lee, MD" in detail
    assert "Meaning of the signature" in detail


def test_approve_form_refuses_a_past_review_date_and_keeps_the_answer_in_review():
    answer, _ = in_review()
    client = login(make_clinician())
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        answer_url("approve", answer), {**approval(answer), "next_review_due": past}, follow=True
    )
    assert "next review must be after today" in " ".join(messages_of(response))
    assert Answer.objects.get(pk=answer.pk).status == Answer.Status.IN_REVIEW
