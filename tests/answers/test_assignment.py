"""Choosing who reviews an answer: at submission (a named clinician, or every medical
reviewer, or round-robin), reassigning it, and the "waiting for my review" list."""

import pytest

from answers.models import Action, Answer, WorkflowError
from tests.factories import (
    draft,
    in_review,
    make_clinician,
    make_editor,
)

pytestmark = pytest.mark.django_db


def fresh(answer):
    return Answer.objects.get(pk=answer.pk)


def test_submitting_to_a_named_clinician_assigns_it_and_the_audit_log_says_so():
    answer, writer = draft()
    chosen, other = make_clinician(display_name="Dr Chosen"), make_clinician()
    answer.submit(by=writer, reviewer=chosen)
    answer = fresh(answer)
    assert answer.assigned_reviewer == chosen
    assert answer.history.first().history_change_reason == (
        "Submitted for medical review (assigned to Dr Chosen)"
    )
    assert list(Answer.objects.awaiting_review_by(chosen)) == [answer]
    assert list(Answer.objects.awaiting_review_by(other)) == []
    assert list(Answer.objects.unassigned_reviews()) == []


def test_submitting_without_a_clinician_leaves_it_to_every_reviewer_who_did_not_write_it():
    writing_clinician = make_clinician()
    answer, writer = draft()
    answer.writers.add(writing_clinician)
    first, second = make_clinician(), make_clinician()
    answer.submit(by=writer)
    assert fresh(answer).assigned_reviewer is None
    assert list(Answer.objects.unassigned_reviews()) == [answer]
    for clinician in (first, second):
        assert list(Answer.objects.awaiting_review_by(clinician)) == [answer]
    assert list(Answer.objects.awaiting_review_by(writing_clinician)) == []
    assert list(answer.reviewer_candidates()) == sorted(
        [first, second], key=lambda u: u.contributor.display_name
    )


@pytest.mark.parametrize("who", ["writer_clinician", "writer", "editor"])
def test_the_reviewer_named_must_be_a_clinician_who_did_not_write_it(who):
    answer, writer = draft()
    writer_clinician = make_clinician(display_name="Dr Wrote")
    answer.writers.add(writer_clinician)
    reviewer = {
        "writer_clinician": writer_clinician,
        "writer": writer,
        "editor": make_editor(display_name="Ed Itor"),
    }[who]
    with pytest.raises(WorkflowError) as refused:
        answer.submit(by=writer, reviewer=reviewer)
    expected = "cannot sign it off" if who == "writer_clinician" else "is not a medical reviewer"
    assert expected in str(refused.value)
    assert fresh(answer).status == Answer.Status.DRAFT


def test_round_robin_gives_it_to_the_eligible_clinician_with_the_fewest_waiting(settings):
    settings.REVIEW_ROUND_ROBIN = True
    busy, free = make_clinician(), make_clinician()
    first, writer = draft(question="First?")
    first.submit(by=writer, reviewer=busy)
    second, _ = draft(question="Second?", writer=writer)
    second.submit(by=writer)
    assert fresh(second).assigned_reviewer == free
    third, _ = draft(question="Third?", writer=writer)
    third.writers.add(free)  # free wrote it: not eligible
    third.submit(by=writer)
    assert fresh(third).assigned_reviewer == busy


def test_round_robin_is_off_by_default():
    make_clinician()
    answer, writer = in_review()
    assert fresh(answer).assigned_reviewer is None


def test_editors_and_clinicians_reassign_writers_do_not():
    answer, writer = in_review()
    editor, clinician, other = make_editor(), make_clinician(), make_clinician(display_name="Dr O")
    assert answer.refusals(Action.ASSIGN, writer) == [
        "Only editors and medical reviewers choose who reviews an answer."
    ]
    with pytest.raises(WorkflowError):
        answer.assign_reviewer(by=writer, reviewer=clinician)
    answer.assign_reviewer(by=editor, reviewer=other)
    assert fresh(answer).assigned_reviewer == other
    assert answer.history.first().history_change_reason == "Review assigned to Dr O"
    answer.assign_reviewer(by=clinician, reviewer=clinician)
    assert fresh(answer).assigned_reviewer == clinician
    answer.assign_reviewer(by=editor, reviewer=None)
    assert fresh(answer).assigned_reviewer is None
    assert answer.history.first().history_change_reason.startswith("Review unassigned")


def test_only_an_answer_in_review_is_assigned():
    answer, writer = draft()
    with pytest.raises(WorkflowError) as refused:
        answer.assign_reviewer(by=make_editor(), reviewer=make_clinician())
    assert "Only an answer in medical review can be assigned" in str(refused.value)


def test_reassigning_to_its_writer_is_refused():
    writer_clinician = make_clinician()
    answer, writer = draft()
    answer.writers.add(writer_clinician)
    answer.submit(by=writer)
    with pytest.raises(WorkflowError):
        answer.assign_reviewer(by=make_editor(), reviewer=writer_clinician)
    assert fresh(answer).assigned_reviewer is None


# ---------------------------------------------------------------- the admin
