"""Every transition allowed and forbidden, per role, and what each leaves behind."""

from datetime import timedelta

import pytest
import reversion
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from answers.models import (
    SIGNOFF_MEANING,
    Answer,
    PublishedAnswer,
    SignatureRefused,
    SignOff,
    WorkflowError,
)
from answers.people import display_name
from tests.factories import (
    answer_url,
    approve,
    login,
    make_answer,
    make_clinician,
    make_editor,
    make_reference,
    make_user,
    make_writer,
    public_page,
    status_of,
)

pytestmark = pytest.mark.django_db

Status = Answer.Status


def submitted(**kwargs):
    writer = kwargs.pop("writer", None) or make_writer()
    answer = make_answer(writers=[writer], **kwargs)
    answer.submit(by=writer)
    return answer, writer


def published(**kwargs):
    answer, writer = submitted(**kwargs)
    clinician = make_clinician()
    approve(answer, clinician, change_summary="Test: re-reviewed.")
    return answer, writer, clinician


# --- submit ---------------------------------------------------------------


def test_writer_submits_a_complete_draft():
    writer = make_writer()
    answer = make_answer(writers=[writer])
    answer.submit(by=writer)
    answer.refresh_from_db()
    assert answer.status == Status.IN_REVIEW
    assert answer.submitted_by == writer
    assert answer.submitted_hash == answer.content_hash()
    assert answer.submitted_revision.user == writer
    assert answer.submitted_revision.comment == "Submitted for medical review"


def test_editor_may_submit():
    answer = make_answer()
    answer.submit(by=make_editor())
    assert Answer.objects.get(pk=answer.pk).status == Status.IN_REVIEW


def test_clinician_cannot_submit():
    answer = make_answer()
    with pytest.raises(WorkflowError, match="permission"):
        answer.submit(by=make_clinician())
    assert Answer.objects.get(pk=answer.pk).status == Status.DRAFT


def test_cannot_submit_twice():
    answer, writer = submitted()
    with pytest.raises(WorkflowError, match="Only a draft"):
        answer.submit(by=writer)


def test_submission_refused_with_every_reason():
    writer = make_writer()
    answer = make_answer(
        lead="It depends [1].",
        sections=[("What the research says", "prose", "A trial [2]."), ("Empty", "prose", "")],
        references={
            "1": make_reference(complete=False, title="Known only by title"),
            "3": make_reference(),
        },
        writers=[writer],
    )
    with pytest.raises(WorkflowError) as refused:
        answer.submit(by=writer)
    problems = refused.value.problems
    assert "Citation [2] has no reference: add it under References." in problems
    assert any(p.startswith("Reference [3]") and "never cited" in p for p in problems)
    assert any(p.startswith("Reference [1], ") and "is incomplete (authors," in p for p in problems)
    assert "Section 2 “Empty” is empty: write it or delete the section." in problems
    assert Answer.objects.get(pk=answer.pk).status == Status.DRAFT


def test_placeholder_reference_blocks_submission():
    writer = make_writer()
    placeholder = make_reference(complete=False, is_placeholder=True, title="")
    answer = make_answer(references={"1": placeholder}, writers=[writer])
    with pytest.raises(WorkflowError) as refused:
        answer.submit(by=writer)
    assert any("work not identified" in p for p in refused.value.problems)


# --- request changes ------------------------------------------------------


def test_clinician_requests_changes_with_comment():
    answer, writer = submitted()
    clinician = make_clinician()
    answer.request_changes(by=clinician, comment="Say who the trial included.")
    answer.refresh_from_db()
    assert answer.status == Status.DRAFT
    assert answer.review_comment == "Say who the trial included."
    # The writer fixes and resubmits: the comment is cleared.
    answer.lead = "Yes, in adults [1]."
    answer.save()
    answer.submit(by=writer)
    assert Answer.objects.get(pk=answer.pk).review_comment == ""


def test_request_changes_needs_a_comment():
    answer, _ = submitted()
    with pytest.raises(WorkflowError, match="comment is required"):
        answer.request_changes(by=make_clinician(), comment="  ")
    assert Answer.objects.get(pk=answer.pk).status == Status.IN_REVIEW


@pytest.mark.parametrize("role", [make_writer, make_editor])
def test_only_clinicians_request_changes(role):
    answer, _ = submitted()
    with pytest.raises(WorkflowError, match="Only medical reviewers"):
        answer.request_changes(by=role(), comment="No")
    assert Answer.objects.get(pk=answer.pk).status == Status.IN_REVIEW


def test_cannot_request_changes_on_a_draft():
    answer = make_answer()
    with pytest.raises(WorkflowError, match="not waiting for medical review"):
        answer.request_changes(by=make_clinician(), comment="No")


# --- approve --------------------------------------------------------------


def test_clinician_approves_and_the_snapshot_is_bound_to_the_content():
    answer, writer = submitted()
    clinician = make_clinician()
    signoff = approve(answer, clinician, change_summary="Test: re-reviewed.")
    answer.refresh_from_db()
    assert answer.status == Status.PUBLISHED
    assert signoff.reviewer == clinician
    assert signoff.revision == answer.submitted_revision
    assert signoff.content_hash == answer.content_hash()
    assert answer.last_reviewed_at is not None
    assert (answer.next_review_due - answer.last_reviewed_at.date()).days == 365
    publication = PublishedAnswer.objects.get(answer=answer)
    assert publication.signoff == signoff
    assert publication.data["reviewer"]["credentials"] == "MD"


def test_the_sign_off_records_the_signature_printed_name_time_and_meaning():
    answer, _ = submitted()
    clinician = make_clinician(display_name="Dr Ann Lee", credentials="MD, PhD")
    signoff = approve(answer, clinician)
    assert signoff.signer_name == "Dr Ann Lee, MD, PhD"
    assert signoff.meaning == SIGNOFF_MEANING == "Medically reviewed and approved"
    assert signoff.created_at == Answer.objects.get(pk=answer.pk).last_reviewed_at
    assert str(signoff).startswith("Medically reviewed and approved by Dr Ann Lee, MD, PhD on ")
    # The record keeps the name as signed, whatever the profile says later.
    clinician.contributor.display_name = "Dr Ann Lee-Smith"
    clinician.contributor.save()
    assert SignOff.objects.get(pk=signoff.pk).signer_name == "Dr Ann Lee, MD, PhD"


@pytest.mark.parametrize("password", ["wrong", "", None, "PW", "pw "])
def test_approval_without_the_right_password_signs_nothing(password):
    answer, _ = submitted()
    with pytest.raises(SignatureRefused, match="The password was not right, so nothing was signed"):
        answer.approve(
            by=make_clinician(),
            shown_hash=answer.content_hash(),
            password=password,
            sources_checked=True,
            wording_safe=True,
        )
    assert not SignOff.objects.exists()
    assert not PublishedAnswer.objects.exists()
    assert Answer.objects.get(pk=answer.pk).status == Status.IN_REVIEW


def test_an_account_without_a_usable_password_cannot_sign():
    answer, _ = submitted()
    clinician = make_clinician()
    clinician.set_unusable_password()
    clinician.save()
    with pytest.raises(SignatureRefused):
        approve(answer, clinician)
    assert not SignOff.objects.exists()


def test_approval_needs_both_checks():
    answer, _ = submitted()
    with pytest.raises(WorkflowError, match="Confirm both checks"):
        answer.approve(
            by=make_clinician(),
            shown_hash=answer.content_hash(),
            password="pw",
            sources_checked=True,
            wording_safe=False,
        )
    assert not SignOff.objects.exists()
    assert Answer.objects.get(pk=answer.pk).status == Status.IN_REVIEW


@pytest.mark.parametrize("role", [make_writer, make_editor])
def test_only_clinicians_approve(role):
    answer, _ = submitted()
    with pytest.raises(WorkflowError, match="Only medical reviewers"):
        approve(answer, role(), change_summary="Test: re-reviewed.")
    assert not PublishedAnswer.objects.exists()


def test_clinician_never_signs_off_their_own_writing():
    clinician = make_clinician()
    answer, _ = submitted(writer=make_writer())
    answer.writers.add(clinician)
    with pytest.raises(WorkflowError, match="another clinician must sign it off"):
        approve(answer, clinician, change_summary="Test: re-reviewed.")


def test_superuser_who_edited_cannot_approve():
    boss = make_user(superuser=True)
    answer = make_answer()
    with reversion.create_revision():
        reversion.set_user(boss)
        answer.lead = "Edited by the boss [1]."
        answer.save()
    answer.submit(by=make_writer())
    with pytest.raises(WorkflowError, match="another clinician"):
        approve(answer, boss, change_summary="Test: re-reviewed.")
    # A superuser who did not touch it may.
    approve(answer, make_user(superuser=True), change_summary="Test: re-reviewed.")


def test_approval_refused_when_content_changed_since_submission():
    answer, _ = submitted()
    answer.sections.filter(position=1).update(body="Changed behind the clinician's back [1].")
    with pytest.raises(WorkflowError, match="content changed after it was submitted"):
        approve(answer, make_clinician(), change_summary="Test: re-reviewed.")
    assert not PublishedAnswer.objects.exists()


def test_retracted_reference_blocks_approval():
    reference = make_reference(retracted=True, retraction_doi="10.5555/retraction.1")
    answer, _ = submitted(references={"1": reference})
    with pytest.raises(WorkflowError, match="retracted"):
        approve(answer, make_clinician(), change_summary="Test: re-reviewed.")


# --- withdraw -------------------------------------------------------------


def test_editor_withdraws_and_the_public_page_is_gone(client):
    answer, _, _ = published()
    url = reverse("question", args=[answer.question.slug])
    assert client.get(url).status_code == 200
    answer.withdraw(by=make_editor(), reason="Guidance changed.")
    answer.refresh_from_db()
    assert answer.status == Status.DRAFT
    assert answer.publication.withdrawn_reason == "Guidance changed."
    assert client.get(url).status_code == 410


@pytest.mark.parametrize("role", [make_writer, make_clinician])
def test_only_editors_withdraw(role):
    answer, _, _ = published()
    with pytest.raises(WorkflowError, match="Only editors withdraw"):
        answer.withdraw(by=role(), reason="No")
    assert Answer.objects.get(pk=answer.pk).has_publication


def test_withdraw_needs_a_reason_and_a_live_page():
    answer, _, _ = published()
    with pytest.raises(WorkflowError, match="reason is required"):
        answer.withdraw(by=make_editor(), reason="")
    draft = make_answer(question="Never published?")
    with pytest.raises(WorkflowError, match="Only a published answer"):
        draft.withdraw(by=make_editor(), reason="Why not")


# --- the public sees what was approved -------------------------------------


def test_public_page_keeps_the_approved_text_while_a_new_draft_is_edited(client):
    answer, writer, _ = published(lead="The approved short answer [1].")
    url = reverse("question", args=[answer.question.slug])
    answer.lead = "An unreviewed new draft [1]."
    answer.save()
    answer.note_edit(by=writer)
    answer.refresh_from_db()
    assert answer.status == Status.DRAFT
    page = client.get(url).content.decode()
    assert "The approved short answer" in page
    assert "unreviewed new draft" not in page


def test_saving_unchanged_published_content_keeps_it_published():
    answer, writer, _ = published()
    answer.save()
    answer.note_edit(by=writer)
    assert Answer.objects.get(pk=answer.pk).status == Status.PUBLISHED


def test_drafts_and_answers_in_review_are_not_public(client):
    draft = make_answer(question="A draft?")
    in_review, _ = submitted(question="In review?")
    for answer in (draft, in_review):
        assert client.get(reverse("question", args=[answer.question.slug])).status_code == 404


# --- versions and audit ---------------------------------------------------


def test_revert_restores_an_old_version_as_a_new_draft(client):
    answer, writer, _ = published(lead="Approved wording [1].")
    with reversion.create_revision():
        reversion.set_user(writer)
        answer.lead = "Second wording [1]."
        answer.save()
    answer.note_edit(by=writer)
    old = Version.objects.get_for_object(answer).last()  # the first version ever saved
    versions_before = Version.objects.get_for_object(answer).count()
    answer.revert_to(old, by=writer)
    answer.refresh_from_db()
    assert answer.lead == "Approved wording [1]."
    assert Version.objects.get_for_object(answer).count() == versions_before + 1
    assert answer.history.first().history_change_reason.startswith("Reverted to the version of")
    assert answer.history.first().history_user == writer
    # The public page did not change by itself.
    page = client.get(reverse("question", args=[answer.question.slug])).content.decode()
    assert "Approved wording" in page


def test_revert_refused_in_review():
    answer, writer = submitted()
    version = Version.objects.get_for_object(answer).first()
    with pytest.raises(WorkflowError, match="in medical review"):
        answer.revert_to(version, by=writer)


def test_audit_trail_records_every_transition_with_who_and_why():
    answer, writer = submitted()
    clinician = make_clinician()
    answer.request_changes(by=clinician, comment="Add the trial size.")
    answer.submit(by=writer)
    shown = answer.content_hash()
    answer.approve(
        by=clinician,
        shown_hash=shown,
        password="pw",
        sources_checked=True,
        wording_safe=True,
        change_summary="Test: re-reviewed.",
    )
    signed_on = (
        f" (signed from the page showing revision {answer.submitted_revision_id}, "
        f"content {shown[:12]})"
    )
    editor = make_editor()
    answer.withdraw(by=editor, reason="Outdated.")
    rows = list(answer.history.order_by("history_date", "history_id"))
    trail = [(row.history_user, row.status, row.history_change_reason) for row in rows[1:]]
    assert trail == [
        (writer, Status.IN_REVIEW, "Submitted for medical review"),
        (clinician, Status.DRAFT, "Changes requested: Add the trial size."),
        # The resubmission goes back to the clinician who asked for the changes.
        (
            writer,
            Status.IN_REVIEW,
            f"Submitted for medical review (assigned to {display_name(clinician)})",
        ),
        (clinician, Status.PUBLISHED, "Approved and published" + signed_on),
        (editor, Status.DRAFT, "Withdrawn: Outdated."),
    ]


def test_querysets():
    draft = make_answer(question="Draft?")
    waiting, writer = submitted(question="Waiting?")
    live, _, _ = published(question="Live?")
    clinician = make_clinician()
    assert list(Answer.objects.awaiting_review()) == [waiting]
    assert list(Answer.objects.awaiting_review_by(clinician)) == [waiting]
    assert list(Answer.objects.awaiting_review_by(writer)) == []
    assert list(Answer.objects.with_publication()) == [live]
    assert list(Answer.objects.live()) == [live]
    assert draft not in Answer.objects.with_publication()


def test_one_meaning_of_live_across_embargo_take_down_and_withdrawal():
    """`live` means the public reads it now, for the queryset, the answer, the snapshot and
    the page alike; `with_publication` means approved and not withdrawn; review dates apply
    to answers in service (not taken down), in every list that counts them."""
    now = timezone.now()
    embargoed, _, _ = published(question="Embargoed?")
    PublishedAnswer.objects.filter(answer=embargoed).update(live_from=now + timedelta(days=1))
    taken_down, _, _ = published(question="Taken down?")
    PublishedAnswer.objects.filter(answer=taken_down).update(
        live_from=now - timedelta(days=2),
        take_down_at=now - timedelta(minutes=1),
        take_down_reason="Test: the season ended.",
    )
    live, _, _ = published(question="Live?")
    Answer.objects.update(next_review_due=now.date() - timedelta(days=1))
    states = {}
    for answer in (embargoed, taken_down, live):
        answer = Answer.objects.select_related("publication").get(pk=answer.pk)
        states[answer.question.text] = (
            answer.publication.public_state(),
            answer.is_live,
            answer.has_publication,
            answer.publication.gone_reason(),
        )
    assert states == {
        "Embargoed?": ("embargoed", False, True, ""),
        "Taken down?": (
            "taken_down",
            False,
            True,
            "This answer was taken down: Test: the season ended.",
        ),
        "Live?": ("live", True, True, ""),
    }
    assert list(Answer.objects.live()) == [live]
    assert set(Answer.objects.with_publication()) == {embargoed, taken_down, live}
    assert set(Answer.objects.review_overdue()) == {embargoed, live}
    Answer.objects.update(next_review_due=now.date() + timedelta(days=3))
    assert set(Answer.objects.review_due_within(30)) == {embargoed, live}
    page = login(make_editor()).get(answer_url("change", embargoed)).content.decode()
    assert "Public version: scheduled to go live" in page and "Public version: live" not in page
    page = login(make_editor()).get(answer_url("change", taken_down)).content.decode()
    assert "Public version: taken down" in page


def test_a_long_comment_is_kept_whole_in_the_audit_trail():
    answer, _ = submitted()
    comment = "Please check the dose wording in the second paragraph. " * 10
    answer.request_changes(by=make_clinician(), comment=comment)
    assert answer.history.first().history_change_reason == f"Changes requested: {comment.strip()}"


def test_refusals_say_who_may_act_now():
    writer = make_writer()
    answer = make_answer(writers=[writer])
    clinician = make_clinician()
    assert answer.refusals(Answer.Action.SUBMIT, writer) == []
    assert answer.refusals(Answer.Action.APPROVE, clinician) == [
        "This answer is not waiting for medical review: it is draft."
    ]
    answer.submit(by=writer)
    assert answer.refusals(Answer.Action.APPROVE, clinician) == []
    assert answer.refusals(Answer.Action.EDIT, writer) == [
        "This answer is in medical review and cannot be changed until the clinician finishes."
    ]


def test_differs_from_publication_follows_the_content():
    answer, writer, _ = published()
    assert not answer.differs_from_publication
    answer.lead = "A new draft [1]."
    answer.save()
    assert answer.differs_from_publication


def test_a_revision_made_outside_the_admin_keeps_question_sections_and_citations():
    """The model's own reversion registration (not only the admin's) follows the question,
    the sections and the citations: the shell, an import and a task keep whole versions."""
    answer = make_answer()
    with reversion.create_revision():
        answer.save()
    kept = {
        (version.content_type.model, version.object_id)
        for version in Version.objects.get_for_object(answer).first().revision.version_set.all()
    }
    assert ("question", str(answer.question_id)) in kept
    assert {("section", str(pk)) for pk in answer.sections.values_list("pk", flat=True)} <= kept
    assert {("citation", str(pk)) for pk in answer.citations.values_list("pk", flat=True)} <= kept


def test_a_shell_save_of_a_published_section_needs_approval_again():
    """No path can change what was approved without the admin saying so: a `.save()` in the
    shell skips every form, and the answer is still a draft that needs a clinician."""
    answer, writer, _ = published()
    section = answer.ordered_sections()[0]
    section.body = section.body + " A sentence added in the shell."
    section.save()
    answer.refresh_from_db()
    assert answer.is_draft and not answer.refusals("submit", writer)
    page = login(writer).get(answer_url("change", answer)).content.decode()
    assert "Draft (changed since it was approved)" in page
    assert "This draft differs from the public version." in page
    assert "Submit for medical review" in page
    assert "A sentence added in the shell." not in public_page(answer).content.decode()
    answer.submit(by=writer)
    assert status_of(answer) == Status.IN_REVIEW


def test_editing_is_the_one_way_code_changes_an_answer():
    """`Answer.editing()` checks who may edit, makes the block one version with its comment,
    and turns a published answer whose content changed into a draft again."""
    answer, writer, _ = published()
    versions = Version.objects.get_for_object(answer).count()
    with answer.editing(by=writer, comment="Test: reworded the short answer") as locked:
        locked.lead = "Test: a reworded short answer."
    answer.refresh_from_db()
    assert answer.status == Status.DRAFT and answer.lead == "Test: a reworded short answer."
    latest = Version.objects.get_for_object(answer).first()
    assert Version.objects.get_for_object(answer).count() == versions + 1
    assert latest.revision.comment == "Test: reworded the short answer"
    assert latest.revision.user == writer
    reasons = list(
        answer.history.order_by("-history_date").values_list("history_change_reason", flat=True)[:2]
    )
    assert reasons == ["Edited after publication: new draft", "Test: reworded the short answer"]

    in_review_answer, _ = submitted()
    for by in (writer, None):  # a person, or the shell
        with (
            pytest.raises(WorkflowError, match="in medical review"),
            in_review_answer.editing(by=by, comment="Test") as locked,
        ):
            locked.lead = "Never saved."
    assert Answer.objects.get(pk=in_review_answer.pk).lead != "Never saved."
    with (
        pytest.raises(WorkflowError, match="permission to change answers"),
        answer.editing(by=make_user(), comment="Test"),
    ):
        pass
