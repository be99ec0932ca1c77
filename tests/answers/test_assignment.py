"""Choosing who reviews an answer: at submission (a named clinician, or every medical
reviewer, or round-robin), reassigning it, and the "waiting for my review" list."""

import pytest

from answers.models import Action, Answer, WorkflowError
from tests.factories import (
    answer_url,
    draft,
    in_review,
    login,
    make_clinician,
    make_editor,
    make_user,
    messages_of,
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


def test_the_submit_step_lists_the_clinicians_who_did_not_write_it():
    writer_clinician = make_clinician(display_name="Dr Wrote")
    answer, writer = draft()
    answer.writers.add(writer_clinician)
    make_clinician(display_name="Dr Free")
    page = login(writer).get(answer_url("change", answer))
    assert page.context["submit_reviewer_options"] == [
        (str(page.context["submit_reviewer_options"][0][0]), "Dr Free")
    ]
    html = page.content.decode()
    assert 'name="reviewer"' in html and "Any medical reviewer" in html
    assert "Dr Wrote</option>" not in html


def test_submitting_from_the_admin_with_a_clinician_assigns_it():
    answer, writer = draft()
    chosen = make_clinician()
    response = login(writer).post(
        answer_url("submit", answer), {"reviewer": str(chosen.pk)}, follow=True
    )
    assert fresh(answer).assigned_reviewer == chosen
    assert any("Sent for medical review" in m for m in messages_of(response))


def test_submitting_from_the_admin_naming_nobody_real_is_refused():
    answer, writer = draft()
    response = login(writer).post(answer_url("submit", answer), {"reviewer": "99999"}, follow=True)
    assert fresh(answer).status == Answer.Status.DRAFT
    assert any("does not exist" in m for m in messages_of(response))


@pytest.mark.parametrize(
    ("role", "allowed"), [("editor", True), ("clinician", True), ("writer", False)]
)
def test_the_reassign_button_per_role(role, allowed):
    answer, writer = in_review()
    target = make_clinician(display_name="Dr Target")
    user = {"editor": make_editor, "clinician": make_clinician, "writer": lambda: writer}[role]()
    client = login(user)
    page = client.get(answer_url("change", answer))
    assert ("Reassign</button>" in page.content.decode()) is allowed
    response = client.post(answer_url("assign", answer), {"reviewer": str(target.pk)}, follow=True)
    assert (fresh(answer).assigned_reviewer == target) is allowed
    if allowed:
        assert "Assigned to Dr Target, who has been notified." in messages_of(response)
    else:
        assert any("The reviewer was not changed" in m for m in messages_of(response))


def test_waiting_for_my_review_filter_means_mine_or_unassigned():
    clinician, other = make_clinician(), make_clinician()
    mine, writer = draft(question="Mine?")
    mine.submit(by=writer, reviewer=clinician)
    theirs, _ = draft(question="Theirs?", writer=writer)
    theirs.submit(by=writer, reviewer=other)
    anyones, _ = draft(question="Anyone's?", writer=writer)
    anyones.submit(by=writer)
    page = login(clinician).get("/admin/answers/answer/?review=mine")
    shown = {a.question.text for a in page.context["cl"].result_list}
    assert shown == {"Mine?", "Anyone's?"}
    page = login(make_editor()).get("/admin/answers/answer/?review=unassigned")
    assert [a.question.text for a in page.context["cl"].result_list] == ["Anyone's?"]


def test_an_admin_superuser_sees_no_error_on_the_list():
    assert login(make_user(superuser=True)).get("/admin/answers/answer/").status_code == 200
