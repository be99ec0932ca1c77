"""Releases: held sign-offs, publishing all or none (at the set time too), taking back."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import TestCase
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from answers.models import (
    Answer,
    HistoricalAnswer,
    PublishedAnswer,
    Question,
    Release,
    ReleaseError,
    ReleaseEvent,
    WorkflowError,
)
from answers.tasks import publish_due_releases
from citations.models import ReferenceNotice
from tests.factories import (
    approve,
    in_review,
    make_clinician,
    make_editor,
    make_writer,
    public_page,
    published,
    status_of,
)

pytestmark = pytest.mark.django_db
Status = Answer.Status


def make_release(editor, *answers, name="Guideline update", publish_at=None):
    release = Release.objects.create(name=name, created_by=editor)
    for answer in answers:
        release.add(answer, by=editor)
    if publish_at:
        release.schedule(publish_at, by=editor)
    return release


def held(question, release, editor, **kwargs):
    """An answer in `release`, submitted and signed off: held for the release."""
    answer, _ = in_review(question=question, **kwargs)
    release.add(answer, by=editor)
    approve(answer)
    answer.refresh_from_db()
    return answer


def is_public(answer) -> bool:
    return public_page(answer).status_code == 200


def test_a_sign_off_in_an_open_release_is_held_not_published():
    editor = make_editor()
    release = make_release(editor)
    answer = held("Held?", release, editor)

    assert answer.status == Status.APPROVED
    assert not PublishedAnswer.objects.filter(answer=answer).exists()
    assert not is_public(answer)
    member = release.members.get()
    assert member.signoff == answer.signoffs.get()
    entry = HistoricalAnswer.objects.filter(id=answer.pk).order_by("-history_id").first()
    assert entry.history_change_reason.startswith(
        "Approved, waiting for release “Guideline update”"
    )


def test_held_content_cannot_change_and_cannot_take_a_go_live_time():
    editor = make_editor()
    release = make_release(editor)
    answer, writer = in_review(question="Locked?")
    release.add(answer, by=editor)
    with pytest.raises(WorkflowError, match="goes live with release"):
        approve(answer, go_live_at=timezone.now() + timedelta(days=1))
    approve(answer)
    answer.refresh_from_db()
    with (
        pytest.raises(WorkflowError, match="waits for its release"),
        answer.editing(by=writer, comment="A late change"),
    ):
        pass
    with pytest.raises(WorkflowError, match="Only a draft can be submitted"):
        answer.submit(by=writer)


def test_publish_on_command_publishes_every_member_together_with_one_purge(settings):
    settings.PURGE_BACKENDS = {"edge": {"BACKEND": "ops.purge.URLPurgeBackend"}}
    settings.PURGE_REPEAT_SECONDS = 0
    editor = make_editor()
    release = make_release(editor)
    first, second = held("First?", release, editor), held("Second?", release, editor)
    before = DBTaskResult.objects.filter(task_path="ops.purge.purge").count()

    with TestCase.captureOnCommitCallbacks(execute=True):
        publications = release.publish(by=editor)

    assert len(publications) == 2
    assert status_of(first) == status_of(second) == Status.PUBLISHED
    assert is_public(first) and is_public(second)
    purges = DBTaskResult.objects.filter(task_path="ops.purge.purge")
    assert purges.count() - before == 1  # one purge for the whole release
    urls = purges.order_by("-enqueued_at").first().args_kwargs["kwargs"]["urls"]
    assert any(first.question.slug in u for u in urls)
    assert any(second.question.slug in u for u in urls)
    release.refresh_from_db()
    assert release.state == Release.State.PUBLISHED and release.published_by == editor
    event = release.events.get(kind=ReleaseEvent.Kind.PUBLISHED)
    assert {a["answer"] for a in event.answers} == {first.pk, second.pk}
    assert release.members.filter(pending=True).count() == 0


def test_a_blocked_checklist_in_one_member_publishes_none_and_says_why():
    editor = make_editor()
    release = make_release(editor)
    fine = held("Fine?", release, editor)
    blocked = held("Blocked?", release, editor)
    reference = blocked.citations.get().reference
    ReferenceNotice.objects.create(
        reference=reference, kind="retraction", source="test", notice_doi="10.5555/notice.9"
    )

    with pytest.raises(ReleaseError) as refused:
        release.publish(by=editor)

    assert "“Blocked?”: blocked by its checklist" in str(refused.value)
    assert "Fine?" not in str(refused.value)
    assert status_of(fine) == status_of(blocked) == Status.APPROVED
    assert not PublishedAnswer.objects.exists()
    release.refresh_from_db()
    assert release.is_open
    assert [f["question"] for f in release.last_failure] == ["Blocked?"]
    assert release.events.filter(kind=ReleaseEvent.Kind.PUBLISH_FAILED).exists()


def test_members_not_signed_off_or_changed_since_are_named():
    editor = make_editor()
    release = make_release(editor)
    changed = held("Changed?", release, editor)
    waiting, _ = in_review(question="Waiting?")
    release.add(waiting, by=editor)
    reference = changed.citations.get().reference
    reference.title = "Test reference, title corrected"
    reference.save()

    with pytest.raises(ReleaseError) as refused:
        release.publish(by=editor)

    reasons = {f.pk: reason for f, reason in refused.value.failures}
    assert "in medical review" in reasons[waiting.pk]
    assert "content changed since the clinician signed it off" in reasons[changed.pk]
    assert not PublishedAnswer.objects.exists()


def test_a_real_failure_while_publishing_one_member_rolls_back_the_others():
    """Not a pre-check: the second snapshot cannot be written (its address is taken by
    another answer's public page), so the first, already written, is rolled back too."""
    editor = make_editor()
    release = make_release(editor)
    first = held("First of two?", release, editor)
    second = held("Second of two?", release, editor)
    other = published(question="Other?")[0]
    # The other answer keeps its public address when its question's slug changes...
    Question.objects.filter(pk=other.question_id).update(slug="other-new")
    # ...and the second member's question takes that old address.
    taken = PublishedAnswer.objects.get(answer=other).slug
    Question.objects.filter(pk=second.question_id).update(slug=taken)

    with pytest.raises(ReleaseError) as refused:
        release.publish(by=editor)

    assert refused.value.failures[0][0].pk == second.pk
    assert "could not be published" in str(refused.value)
    assert not PublishedAnswer.objects.filter(answer__in=[first, second]).exists()
    assert status_of(first) == Status.APPROVED
    assert Release.objects.get(pk=release.pk).is_open


@pytest.mark.django_db(transaction=True)
def test_the_set_time_publishes_it_through_the_task_worker(groups, run_worker):
    editor = make_editor()
    go_live = timezone.now() + timedelta(hours=2)
    release = make_release(editor)
    first, second = held("Early?", release, editor), held("Late?", release, editor)
    release.schedule(go_live, by=editor)

    run_worker()  # before the time: the task waits
    assert status_of(first) == Status.APPROVED
    with time_machine.travel(go_live + timedelta(seconds=5), tick=False):
        run_worker()
        assert is_public(first) and is_public(second)
    release.refresh_from_db()
    assert release.state == Release.State.PUBLISHED
    assert release.published_by is None
    assert "at the set time" in release.events.get(kind="published").detail


def test_the_task_records_a_failure_and_publishes_nothing():
    editor = make_editor()
    release = make_release(editor)
    held("Signed?", release, editor)
    unsigned, _ = in_review(question="Unsigned?")
    release.add(unsigned, by=editor)
    release.publish_at = timezone.now() - timedelta(minutes=1)
    release.save()

    result = publish_due_releases.call()

    assert result["failed"] == 1 and "Unsigned?" in result["summary"]
    assert not PublishedAnswer.objects.exists()


def test_publishing_twice_publishes_once_and_says_so():
    editor = make_editor()
    release = make_release(editor)
    held("Once?", release, editor)
    release.publish(by=editor)
    with pytest.raises(ReleaseError, match="already published"):
        Release.objects.get(pk=release.pk).publish(by=editor)
    assert ReleaseEvent.objects.filter(kind="published").count() == 1


def test_only_editors_manage_releases():
    editor, writer, clinician = make_editor(), make_writer(), make_clinician()
    release = make_release(editor)
    answer = held("Who?", release, editor)
    for someone in (writer, clinician):
        with pytest.raises(ReleaseError, match="Only editors"):
            release.publish(by=someone)
        with pytest.raises(ReleaseError, match="Only editors"):
            release.add(answer, by=someone)
    assert status_of(answer) == Status.APPROVED


def test_an_answer_waits_for_one_release_at_a_time():
    editor = make_editor()
    answer, _ = in_review(question="Twice?")
    make_release(editor, answer, name="One")
    with pytest.raises(ReleaseError, match="already in release “One”"):
        make_release(editor, answer, name="Two")


def test_taking_an_answer_out_voids_its_held_sign_off():
    editor = make_editor()
    release = make_release(editor)
    answer = held("Out?", release, editor)
    release.remove(answer, by=editor)
    assert status_of(answer) == Status.DRAFT
    assert not PublishedAnswer.objects.exists()
    assert not release.members.exists()


def test_take_back_restores_previous_versions_and_withdraws_new_pages():
    editor = make_editor()
    old, writer, _ = published(question="Updated?")
    old_hash = PublishedAnswer.objects.get(answer=old).content_hash
    with old.editing(by=writer, comment="New guideline") as locked:
        locked.lead = "Yes, and now more often [1]."
        locked.save()
    old.submit(by=writer)
    release = make_release(editor, old)
    approve(old, change_summary="Test: the new guideline.")
    new = held("New?", release, editor)
    release.publish(by=editor)
    assert PublishedAnswer.objects.get(answer=old).content_hash != old_hash

    entries = release.take_back(by=editor, reason="The guideline was delayed")

    assert PublishedAnswer.objects.get(answer=old).content_hash == old_hash
    assert is_public(old)
    assert "now more often" not in public_page(old).content.decode()
    assert status_of(old) == Status.DRAFT
    assert public_page(new).status_code == 410
    assert status_of(new) == Status.DRAFT
    outcomes = {e["answer"]: e["outcome"] for e in entries}
    assert "previous public version" in outcomes[old.pk]
    assert "withdrawn" in outcomes[new.pk]
    release.refresh_from_db()
    assert release.state == Release.State.TAKEN_BACK
    assert release.events.filter(kind="taken_back").exists()
    with pytest.raises(ReleaseError, match="Only a published release"):
        release.take_back(by=editor, reason="again")


def test_the_command_publishes_by_name_or_says_why_not():
    editor = make_editor()
    release = make_release(editor, name="Spring update")
    unsigned, _ = in_review(question="Not yet?")
    release.add(unsigned, by=editor)
    with pytest.raises(CommandError, match="“Not yet\\?”: not yet signed off"):
        call_command("publish_release", "Spring update")
    with pytest.raises(CommandError, match="No release is named"):
        call_command("publish_release", "Autumn")
    release.remove(unsigned, by=editor)
    held("Signed now?", release, editor)
    call_command("publish_release", "Spring update")
    assert Release.objects.get(pk=release.pk).state == "published"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_editors_publishing_at_once_publish_it_once(groups):
    """Two connections publish the same release at the same moment: the row lock makes one
    wait for the other's commit, then it is told the release is already published."""
    import threading

    editor, other = make_editor(), make_editor()
    release = make_release(editor)
    held("Raced?", release, editor)
    start = threading.Barrier(2)
    results = []

    def publish(by):
        try:
            start.wait(10)
            Release.objects.get(pk=release.pk).publish(by=by)
            results.append("published")
        except ReleaseError as error:
            results.append(str(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish, args=(by,)) for by in (editor, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert len(results) == 2 and results.count("published") == 1
    assert "already published" in next(r for r in results if r != "published")
    assert ReleaseEvent.objects.filter(kind="published").count() == 1
    assert PublishedAnswer.objects.count() == 1
