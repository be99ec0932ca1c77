"""Review routes per topic: the route's rules, each separation of duties, quorums, the
comment-only step, voiding, and the default route (one clinician) unchanged."""

import threading
import time

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, connection, connections, transaction

from answers.models import (
    Action,
    Answer,
    PublishedAnswer,
    Quorum,
    ReviewStep,
    ReviewStepRecord,
    SignatureRefused,
    SignOff,
    StaleSignature,
    StepKind,
    WorkflowError,
    route_problems,
    step_labels,
)
from answers.notify import announce
from answers.roles import MEDICAL_REVIEWERS
from notifications.models import Notification
from tests.factories import (
    approve,
    in_review,
    make_clinician,
    make_editor,
    make_topic,
    make_user,
    make_writer,
    status_of,
)

pytestmark = pytest.mark.django_db

Status = Answer.Status


def lay_readers():
    group, _ = Group.objects.get_or_create(name="Lay readers")
    group.permissions.add(Permission.objects.get(codename="view_answer"))
    return group


def route(topic, *steps):
    """Steps as (group, kind, quorum), numbered in order."""
    for position, (group, kind, quorum) in enumerate(steps, start=1):
        ReviewStep.objects.create(
            topic=topic, position=position, group=group, kind=kind, quorum=quorum
        )
    return topic


def clinicians():
    return Group.objects.get(name=MEDICAL_REVIEWERS)


def routed(*steps, **kwargs):
    topic = route(make_topic(), *steps)
    return in_review(topic=topic, **kwargs)


def sign(answer, by, **overrides):
    answer.refresh_from_db()
    progress = answer.route_progress()
    step = progress.current.number if progress and progress.current else None
    return approve(answer, by, step=overrides.pop("step", step), **overrides)


def mark(answer, by, **overrides):
    answer.refresh_from_db()
    return answer.mark_reviewed(
        by=by,
        shown_hash=answer.content_hash(),
        step=overrides.pop("step", answer.route_progress().current.number),
        **overrides,
    )


def is_public(answer):
    return PublishedAnswer.objects.filter(answer=answer).exists()


# --- the route's own rules -------------------------------------------------------------


def test_no_steps_is_the_default_route():
    assert route_problems([]) == []
    answer, _ = in_review()
    assert answer.route_progress() is None


def test_the_last_step_must_be_a_clinicians_sign_off():
    topic = make_topic()
    lay = lay_readers()
    comment_last = [
        ReviewStep(topic=topic, position=1, group=clinicians(), kind=StepKind.SIGN_OFF),
        ReviewStep(topic=topic, position=2, group=lay, kind=StepKind.COMMENT),
    ]
    assert "The last step must be a sign-off" in route_problems(comment_last)[0]
    lay_signs_last = [ReviewStep(topic=topic, position=1, group=lay, kind=StepKind.SIGN_OFF)]
    assert "The last step must be a sign-off" in route_problems(lay_signs_last)[0]
    same_position = [
        ReviewStep(topic=topic, position=1, group=lay, kind=StepKind.COMMENT),
        ReviewStep(topic=topic, position=1, group=clinicians(), kind=StepKind.SIGN_OFF),
    ]
    assert "same position" in route_problems(same_position)[0]
    good = [
        ReviewStep(topic=topic, position=1, group=lay, kind=StepKind.COMMENT),
        ReviewStep(topic=topic, position=2, group=clinicians(), kind=StepKind.SIGN_OFF),
    ]
    assert route_problems(good) == []


def test_position_unique_per_topic_in_the_database():
    topic = make_topic()
    ReviewStep.objects.create(topic=topic, position=1, group=clinicians())
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewStep.objects.create(topic=topic, position=1, group=lay_readers())


def test_a_broken_route_is_refused_with_the_reason_and_nothing_is_signed():
    answer, _ = routed((lay_readers(), StepKind.SIGN_OFF, Quorum.ANY_ONE))
    reader = make_user(group="Lay readers")
    with pytest.raises(WorkflowError, match="cannot be followed.*Ask an editor"):
        sign(answer, reader)
    assert not ReviewStepRecord.objects.exists()
    assert status_of(answer) == Status.IN_REVIEW


# --- quorum "two different people" ------------------------------------------------------


def test_two_clinician_route_publishes_only_after_the_second_different_clinician():
    answer, writer = routed((clinicians(), StepKind.SIGN_OFF, Quorum.TWO_PEOPLE))
    first, second = make_clinician(), make_clinician()

    record = sign(answer, first)
    assert isinstance(record, ReviewStepRecord)
    assert record.content_hash == answer.submitted_hash
    assert record.meaning == "Signed off step 1 of 1: Medical reviewers"
    assert status_of(answer) == Status.IN_REVIEW
    assert not is_public(answer) and not SignOff.objects.exists()
    answer.refresh_from_db()
    assert answer.history.first().history_change_reason.startswith(
        "Signed off: Step 1 of 1: Medical reviewers (1 more person needed)"
    )

    with pytest.raises(WorkflowError, match="already took a step"):
        sign(answer, first)
    assert not is_public(answer)

    signoff = sign(answer, second, change_summary="")
    assert isinstance(signoff, SignOff) and signoff.reviewer == second
    assert status_of(answer) == Status.PUBLISHED
    publication = PublishedAnswer.objects.get(answer=answer)
    steps = ReviewStepRecord.objects.filter(answer=answer)
    assert {r.reviewer for r in steps} == {first, second}
    assert {r.content_hash for r in steps} == {signoff.content_hash, publication.content_hash}


def test_the_same_person_can_never_fill_a_two_people_step_in_the_database():
    answer, _ = routed((clinicians(), StepKind.SIGN_OFF, Quorum.TWO_PEOPLE))
    first = make_clinician()
    record = sign(answer, first)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewStepRecord.objects.create(
            answer=answer,
            step=record.step,
            position=1,
            group_name="Medical reviewers",
            kind=StepKind.SIGN_OFF,
            reviewer=first,
            signer_name="again",
            meaning="again",
            revision=record.revision,
            content_hash=record.content_hash,
        )


# --- separation of duties ---------------------------------------------------------------


def test_a_writer_takes_no_step_even_if_in_the_group():
    writer = make_writer()
    writer.groups.add(lay_readers(), clinicians())
    answer, _ = routed(
        (lay_readers(), StepKind.COMMENT, Quorum.ANY_ONE),
        (clinicians(), StepKind.SIGN_OFF, Quorum.ANY_ONE),
        writer=writer,
    )
    assert (
        "you cannot sign it off or take a step" in answer.refusals(Action.MARK_REVIEWED, writer)[0]
    )
    with pytest.raises(WorkflowError, match="cannot sign it off or take a step"):
        mark(answer, writer)
    mark(answer, make_user(group="Lay readers"))
    with pytest.raises(WorkflowError, match="cannot sign it off or take a step"):
        sign(answer, writer)
    assert not is_public(answer)


def test_no_one_signs_twice_across_steps():
    answer, _ = routed(
        (clinicians(), StepKind.SIGN_OFF, Quorum.ANY_ONE),
        (clinicians(), StepKind.SIGN_OFF, Quorum.ANY_ONE),
    )
    first = make_clinician()
    sign(answer, first)
    answer.refresh_from_db()
    assert answer.route_progress().label == "Step 2 of 2: Medical reviewers"
    with pytest.raises(WorkflowError, match="already took a step"):
        sign(answer, first)
    assert not is_public(answer)
    sign(answer, make_clinician())
    assert status_of(answer) == Status.PUBLISHED


def test_only_the_steps_group_takes_it():
    answer, _ = routed(
        (lay_readers(), StepKind.COMMENT, Quorum.ANY_ONE),
        (clinicians(), StepKind.SIGN_OFF, Quorum.ANY_ONE),
    )
    clinician = make_clinician()
    with pytest.raises(WorkflowError, match="only members of Lay readers"):
        mark(answer, clinician)
    with pytest.raises(WorkflowError, match="comment-only step"):
        sign(answer, clinician)
    assert not ReviewStepRecord.objects.exists()


def test_a_sign_off_step_needs_the_signers_password():
    answer, _ = routed((clinicians(), StepKind.SIGN_OFF, Quorum.TWO_PEOPLE))
    with pytest.raises(SignatureRefused):
        sign(answer, make_clinician(), password="wrong")
    assert not ReviewStepRecord.objects.exists()


def test_a_step_names_the_step_the_page_showed():
    answer, _ = routed(
        (clinicians(), StepKind.SIGN_OFF, Quorum.ANY_ONE),
        (clinicians(), StepKind.SIGN_OFF, Quorum.ANY_ONE),
    )
    with pytest.raises(StaleSignature, match="did not say which step"):
        sign(answer, make_clinician(), step=None)
    sign(answer, make_clinician())
    # A second clinician whose page still showed step 1 signs nothing on step 2.
    with pytest.raises(StaleSignature, match="moved on.*Step 2 of 2"):
        sign(answer, make_clinician(), step=1)
    assert not is_public(answer)


# --- comment-only steps -----------------------------------------------------------------


def test_a_comment_only_step_is_marked_reviewed_without_a_signature():
    answer, _ = routed(
        (lay_readers(), StepKind.COMMENT, Quorum.ANY_ONE),
        (clinicians(), StepKind.SIGN_OFF, Quorum.ANY_ONE),
    )
    assert step_labels([Answer.objects.get(pk=answer.pk)]) == {
        answer.pk: "Step 1 of 2: Lay readers"
    }
    reader = make_user(group="Lay readers")
    record = mark(answer, reader, comment="The second paragraph is hard to follow.")
    assert record.kind == StepKind.COMMENT
    assert record.comment == "The second paragraph is hard to follow."
    answer.refresh_from_db()
    assert answer.status == Status.IN_REVIEW and not is_public(answer)
    assert answer.history.first().history_change_reason.startswith(
        "Marked reviewed: Step 1 of 2: Lay readers (step complete, 1 to go)"
    )
    assert step_labels([answer]) == {answer.pk: "Step 2 of 2: Medical reviewers"}
    with pytest.raises(WorkflowError, match="sign-off step"):
        mark(answer, make_user(group="Lay readers"), step=2)
    sign(answer, make_clinician())
    assert status_of(answer) == Status.PUBLISHED


# --- voiding ----------------------------------------------------------------------------


def test_a_send_back_voids_the_steps_taken():
    answer, writer = routed((clinicians(), StepKind.SIGN_OFF, Quorum.TWO_PEOPLE))
    first = make_clinician()
    sign(answer, first)
    answer.request_changes(by=make_clinician(), comment="Say how often it happens.")
    with answer.editing(by=writer, comment="Added how often") as locked:
        locked.lead = "Yes, most of the time, in 9 of 10 runs [1]."
        locked.save()
    answer.submit(by=writer)
    answer.refresh_from_db()
    progress = answer.route_progress()
    assert progress.current.records == [] and progress.label == "Step 1 of 1: Medical reviewers"
    # The first clinician may sign the new submission again; one more is still needed after.
    sign(answer, first)
    assert status_of(answer) == Status.IN_REVIEW
    sign(answer, make_clinician())
    assert status_of(answer) == Status.PUBLISHED


def test_any_change_to_the_content_voids_the_steps_taken():
    answer, _ = routed((clinicians(), StepKind.SIGN_OFF, Quorum.TWO_PEOPLE))
    sign(answer, make_clinician())
    # A path that bypasses the rules (the shell's raw save) changes the words in review.
    section = answer.sections.first()
    section.body = "A study found it in most cases [1]."
    section.save()
    answer.refresh_from_db()
    assert answer.route_progress(content_hash=answer.content_hash()).current.records == []
    with pytest.raises(WorkflowError, match="content changed after it was submitted"):
        sign(answer, make_clinician())
    assert not is_public(answer)


def test_the_final_signer_cannot_change_the_certainty_others_signed():
    answer, _ = routed((clinicians(), StepKind.SIGN_OFF, Quorum.TWO_PEOPLE))
    sign(answer, make_clinician())
    with pytest.raises(WorkflowError, match="earlier steps"):
        sign(answer, make_clinician(), certainty="low", certainty_reason="Few small studies.")
    assert not is_public(answer)


# --- the default route ------------------------------------------------------------------


def test_default_route_publishes_on_one_clinicians_signature():
    answer, _ = in_review()
    approve(answer, make_clinician())
    assert status_of(answer) == Status.PUBLISHED
    assert not ReviewStepRecord.objects.exists()
    assert step_labels([Answer.objects.get(pk=answer.pk)]) == {}


def test_refusals_for_mark_reviewed_on_the_default_route():
    answer, _ = in_review()
    assert answer.refusals(Action.MARK_REVIEWED, make_clinician()) == [
        "This answer's topic has no comment-only review step."
    ]


# --- who is told ------------------------------------------------------------------------


def test_each_steps_group_is_told_when_it_is_their_turn():
    writer = make_writer()
    writer.groups.add(lay_readers())
    answer, _ = routed(
        (lay_readers(), StepKind.COMMENT, Quorum.ANY_ONE),
        (clinicians(), StepKind.SIGN_OFF, Quorum.ANY_ONE),
        writer=writer,
    )
    reader = make_user(group="Lay readers")
    clinician = make_clinician()
    make_editor()
    announce(kind="submitted", answer_id=answer.pk, actor_id=writer.pk)
    [notified] = Notification.objects.filter(kind="submitted")
    assert notified.recipient == reader  # not the writer, though a lay reader too
    assert "Step 1 of 2: Lay readers" in notified.subject
    mark(answer, reader)
    announce(kind="submitted", answer_id=answer.pk, actor_id=reader.pk, step=2)
    later = Notification.objects.filter(kind="submitted").exclude(pk=notified.pk)
    assert [n.recipient for n in later] == [clinician]
    assert "Step 2 of 2: Medical reviewers" in later[0].subject
    # A stale announcement (the route moved on) tells no one.
    assert announce(kind="submitted", answer_id=answer.pk, step=1) == []


# --- two people at once (PostgreSQL: each thread its own connection) --------------------


def at_once(answer, *signers, **overrides):
    """`signers` sign `answer` from pages drawn before any of them signed, in threads that
    all wait on the answer's row lock, held here until every thread is blocked on it."""
    answer.refresh_from_db()
    step = answer.route_progress().current.number
    shown = answer.content_hash()
    results, ready = [], threading.Barrier(len(signers) + 1)

    def signing(person):
        try:
            ready.wait(timeout=10)
            results.append(
                answer.approve(
                    by=person,
                    password="pw",
                    shown_hash=shown,
                    sources_checked=True,
                    wording_safe=True,
                    step=step,
                    **overrides,
                )
            )
        except WorkflowError as error:
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=signing, args=(person,)) for person in signers]
    with transaction.atomic():
        Answer.objects.select_for_update().get(pk=answer.pk)
        for thread in threads:
            thread.start()
        ready.wait(timeout=10)
        time.sleep(0.5)  # every thread is now waiting for the lock this transaction holds
    for thread in threads:
        thread.join(timeout=30)
    return results


def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite allows one writer at a time, so two cannot sign at once")


@pytest.mark.django_db(transaction=True)
def test_two_people_signing_the_same_any_one_step_at_once(groups):
    postgresql_only()
    answer, _ = routed(
        (clinicians(), StepKind.SIGN_OFF, Quorum.ANY_ONE),
        (clinicians(), StepKind.SIGN_OFF, Quorum.ANY_ONE),
    )
    first, second = make_clinician(), make_clinician()
    results = at_once(answer, first, second)
    taken = [r for r in results if isinstance(r, ReviewStepRecord)]
    refused = [r for r in results if isinstance(r, StaleSignature)]
    assert len(taken) == 1 and len(refused) == 1, results
    assert "moved on" in str(refused[0]) and "Step 2 of 2" in str(refused[0])
    assert ReviewStepRecord.objects.count() == 1
    assert status_of(answer) == Status.IN_REVIEW and not is_public(answer)


@pytest.mark.django_db(transaction=True)
def test_two_clinicians_signing_a_two_people_step_at_once_publish_once(groups):
    postgresql_only()
    answer, _ = routed((clinicians(), StepKind.SIGN_OFF, Quorum.TWO_PEOPLE))
    first, second = make_clinician(), make_clinician()
    results = at_once(answer, first, second)
    assert sorted(type(r).__name__ for r in results) == ["ReviewStepRecord", "SignOff"]
    assert ReviewStepRecord.objects.filter(answer=answer).count() == 2
    assert SignOff.objects.filter(answer=answer).count() == 1
    assert status_of(answer) == Status.PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_one_person_signing_twice_at_once_counts_once(groups):
    postgresql_only()
    answer, _ = routed((clinicians(), StepKind.SIGN_OFF, Quorum.TWO_PEOPLE))
    clinician = make_clinician()
    results = at_once(answer, clinician, clinician)
    refused = [r for r in results if isinstance(r, WorkflowError)]
    assert len(refused) == 1 and "already took a step" in str(refused[0]), results
    assert ReviewStepRecord.objects.filter(answer=answer).count() == 1
    assert status_of(answer) == Status.IN_REVIEW and not is_public(answer)


def test_a_comment_only_step_for_two_people_needs_two_different_readers():
    answer, _ = routed(
        (lay_readers(), StepKind.COMMENT, Quorum.TWO_PEOPLE),
        (clinicians(), StepKind.SIGN_OFF, Quorum.ANY_ONE),
    )
    first = make_user(group="Lay readers")
    mark(answer, first)
    answer.refresh_from_db()
    assert answer.route_progress().label == "Step 1 of 2: Lay readers"
    with pytest.raises(WorkflowError, match="already took a step"):
        mark(answer, first)
    mark(answer, make_user(group="Lay readers"))
    answer.refresh_from_db()
    assert answer.route_progress().label == "Step 2 of 2: Medical reviewers"


@pytest.mark.django_db(transaction=True)
def test_the_worker_tells_each_steps_group_in_turn(groups, run_worker, smtp_server):
    """Real tasks: the submission tells the first step's group, completing it the next's."""
    answer, writer = routed(
        (lay_readers(), StepKind.COMMENT, Quorum.ANY_ONE),
        (clinicians(), StepKind.SIGN_OFF, Quorum.ANY_ONE),
    )
    reader = make_user(group="Lay readers")
    clinician = make_clinician()
    run_worker()
    [first] = Notification.objects.filter(kind="submitted")
    assert first.recipient == reader and "Step 1 of 2: Lay readers" in first.subject
    mark(answer, reader, comment="Clear to me.")
    run_worker()
    first.refresh_from_db()
    assert first.done_at is not None  # the lay readers' turn is over
    [second] = Notification.objects.filter(kind="submitted", recipient=clinician)
    assert "Step 2 of 2: Medical reviewers" in second.subject
    assert "your group's turn" in second.text
    subjects = {" ".join(str(m["Subject"]).split()) for m in smtp_server.messages}
    assert subjects >= {first.subject, second.subject}


def test_a_named_specialist_group_may_give_the_last_signature():
    specialists = Group.objects.create(name="Test specialist reviewers")
    specialists.permissions.add(Permission.objects.get(codename="review_answer"))
    answer, _ = routed(
        (clinicians(), StepKind.SIGN_OFF, Quorum.ANY_ONE),
        (specialists, StepKind.SIGN_OFF, Quorum.ANY_ONE),
    )
    sign(answer, make_clinician())
    with pytest.raises(WorkflowError, match="only members of Test specialist reviewers"):
        sign(answer, make_clinician())
    specialist = make_clinician()
    specialist.groups.add(specialists)
    sign(answer, specialist, change_summary="")
    assert status_of(answer) == Status.PUBLISHED
    assert PublishedAnswer.objects.get(answer=answer).signoff.reviewer == specialist


def test_waiting_for_my_review_follows_the_route_not_the_round_robin():
    """Each person whose group's step is due finds the answer in "Waiting for my review"
    (the answer list's filter and My work), whoever it was assigned to; once they took a
    step, or while an earlier step is due, it is not theirs; a topic without a route still
    follows the assignment."""
    readers = lay_readers()
    reader = make_user(username="reader-on-route")
    reader.groups.add(readers)
    first, second, other = make_clinician(), make_clinician(), make_clinician()
    answer, writer = routed(
        (readers, StepKind.COMMENT, Quorum.ANY_ONE),
        (clinicians(), StepKind.SIGN_OFF, Quorum.TWO_PEOPLE),
    )
    Answer.objects.filter(pk=answer.pk).update(assigned_reviewer=other)
    unrouted, _ = in_review(question="Is the unrouted test answer assigned?")
    Answer.objects.filter(pk=unrouted.pk).update(assigned_reviewer=other)

    def waiting(user):
        return set(Answer.objects.awaiting_review_by(user).values_list("pk", flat=True))

    assert waiting(reader) == {answer.pk}
    assert waiting(first) == set() and waiting(second) == set()  # step 1 is the readers'
    assert waiting(other) == {unrouted.pk}
    assert waiting(writer) == set()

    mark(answer, reader)
    assert waiting(reader) == set()
    assert waiting(first) == {answer.pk} and waiting(second) == {answer.pk}
    assert answer.pk in waiting(other)  # a clinician too, as the step is any two of them

    sign(answer, first)
    assert waiting(first) == set()  # nobody takes two steps or signs twice
    assert waiting(second) == {answer.pk}
    sign(answer, second)
    assert waiting(second) == set()
