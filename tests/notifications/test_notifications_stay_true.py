"""Notifications that stay true (issue 17, item 4): a "Waiting for your review" item is
done once the answer is approved, sent back, withdrawn or reassigned; the changes-requested
notice carries the comments on parts; the withdrawal notice tells nobody to "edit it"; and
a resubmission goes back to the clinician who asked for the changes."""

import pytest

from answers.models import Answer
from notifications.models import Notification
from notifications.tasks import send_notification_email
from tests.factories import (
    answer_url,
    approve,
    draft,
    in_review,
    login,
    make_clinician,
    make_editor,
    published,
)

worker_test = pytest.mark.django_db(transaction=True)


def waiting(answer, user=None):
    found = Notification.objects.filter(answer=answer, kind="submitted")
    return found.filter(recipient=user) if user else found


@worker_test
def test_approving_marks_every_waiting_for_review_item_done(groups, run_worker, smtp_server):
    approver, other = make_clinician(display_name="Dr Approver"), make_clinician()
    answer, _ = in_review()
    run_worker()
    assert waiting(answer).count() == 2 and not waiting(answer).exclude(done_at=None).exists()

    approve(answer, approver)
    for notification in waiting(answer):
        assert notification.done_at is not None
        assert notification.done_reason == "Approved by Dr Approver"
        assert notification.read_at is not None  # out of the unread count
    assert Notification.objects.for_user(other).unread().count() == 0
    # The list says why it is done.
    page = login(other).get("/admin/notifications/notification/").content.decode()
    assert "Done:" in page and "Approved by Dr Approver" in page


@worker_test
def test_sending_back_marks_the_item_done(groups, run_worker, smtp_server):
    clinician = make_clinician(display_name="Dr Back")
    answer, _ = in_review()
    run_worker()
    answer.request_changes(by=clinician, comment="Add the dose.")
    [notification] = waiting(answer)
    assert notification.done_reason == "Sent back to the writers by Dr Back"


@worker_test
def test_withdrawing_an_answer_in_review_marks_the_item_done(groups, run_worker, smtp_server):
    answer, writer, clinician = published()
    editor = make_editor(display_name="Ed")
    answer.lead += " More."
    answer.save()
    answer.note_edit(by=writer)
    answer.submit(by=writer, reviewer=clinician)
    run_worker()
    assert waiting(answer, clinician).filter(done_at=None).exists()
    answer.withdraw(by=editor, reason="Outdated.")
    assert set(waiting(answer, clinician).values_list("done_reason", flat=True)) == {
        "Withdrawn by Ed"
    }


@worker_test
def test_reassigning_marks_the_old_items_done_and_tells_the_new_clinician(
    groups, run_worker, smtp_server
):
    first, second = make_clinician(), make_clinician(display_name="Dr Second")
    editor = make_editor(display_name="Ed")
    answer, writer = draft()
    answer.submit(by=writer, reviewer=first)
    run_worker()
    answer.assign_reviewer(by=editor, reviewer=second)
    run_worker()
    [old] = waiting(answer, first)
    assert old.done_reason == "Review assigned to Dr Second by Ed"
    [new] = waiting(answer, second)
    assert new.done_at is None and new.read_at is None


@worker_test
def test_an_item_done_before_the_worker_ran_is_not_created_nor_emailed(
    groups, run_worker, smtp_server
):
    clinician = make_clinician()
    answer, _ = in_review()
    approve(answer, clinician)  # before the worker announced the submission
    run_worker()
    assert not waiting(answer).exists()
    assert not [m for m in smtp_server.messages if m["Subject"].startswith("Waiting")]


@worker_test
def test_a_done_item_whose_email_is_still_queued_is_not_emailed(groups, smtp_server):
    clinician = make_clinician()
    answer, _ = in_review()
    notification = Notification.objects.create(
        recipient=clinician, kind="submitted", answer=answer, subject="Waiting", text="t", link="/"
    )
    approve(answer, make_clinician())
    assert send_notification_email.call(notification.pk) == "no longer to do"
    assert smtp_server.messages == []
    assert not Notification.objects.email_pending().exists()


@worker_test
def test_changes_requested_carries_the_comments_on_parts(groups, run_worker, smtp_server):
    answer, writer = in_review(lead="Take it daily.")
    section = answer.ordered_sections()[0]
    run_worker()
    answer.request_changes(
        by=make_clinician(),
        comment="Two things to fix.",
        section_comments=[(None, "Say which dose."), (section, "Cite the 2023 trial.")],
    )
    run_worker()
    [notification] = Notification.objects.filter(kind="changes_requested")
    assert "Two things to fix." in notification.text
    assert "- Short answer: Say which dose." in notification.text
    assert f"- {section.heading}: Cite the 2023 trial." in notification.text
    [email] = smtp_server.to(writer.email)
    assert "Cite the 2023 trial." in email.get_content()
    assert "Say which dose." in email.get_content()


@worker_test
def test_the_withdrawal_notice_tells_no_clinician_to_edit_it(groups, run_worker, smtp_server):
    answer, writer, clinician = published()
    answer.withdraw(by=make_editor(), reason="Outdated.")
    run_worker()
    [notification] = Notification.objects.filter(kind="withdrawn", recipient=clinician)
    assert "edit it" not in notification.text
    assert "a writer revises it" in notification.text


# ---- a resubmission goes back to the clinician who asked for the changes


def sent_back(*, by):
    answer, writer = in_review()
    answer.request_changes(by=by, comment="Add the dose.")
    answer.refresh_from_db()
    return answer, writer


@pytest.mark.django_db
def test_a_resubmission_goes_back_to_the_clinician_who_asked():
    asked, _other = make_clinician(), make_clinician()
    answer, writer = sent_back(by=asked)
    assert answer.changes_requested_by == asked
    assert answer.changes_requested_revision == answer.submitted_revision
    answer.submit(by=writer)
    assert Answer.objects.get(pk=answer.pk).assigned_reviewer == asked


@worker_test
def test_only_that_clinician_is_told_of_the_resubmission(groups, run_worker, smtp_server):
    asked, other = make_clinician(), make_clinician()
    answer, writer = sent_back(by=asked)
    run_worker()
    answer.submit(by=writer)
    run_worker()
    [notification] = waiting(answer).filter(done_at=None)
    assert notification.recipient == asked
    assert "after you sent it back" in notification.text
    assert not waiting(answer, other).filter(done_at=None).exists()


@pytest.mark.django_db
def test_the_writer_may_name_another_clinician_or_anyone():
    asked, other = make_clinician(), make_clinician()
    answer, writer = sent_back(by=asked)
    answer.submit(by=writer, reviewer=other)
    assert Answer.objects.get(pk=answer.pk).assigned_reviewer == other

    answer, writer = sent_back(by=asked)
    answer.submit(by=writer, any_reviewer=True)
    assert Answer.objects.get(pk=answer.pk).assigned_reviewer is None


@pytest.mark.django_db
def test_the_submit_form_preselects_that_clinician_and_any_means_anyone():
    asked = make_clinician(display_name="Dr Asked")
    answer, writer = sent_back(by=asked)
    client = login(writer)
    page = client.get(answer_url("change", answer)).content.decode()
    assert f'<option value="{asked.pk}" selected>Dr Asked</option>' in page
    assert "Dr Asked asked for the changes, so it goes back to them" in page
    client.post(answer_url("submit", answer), {"reviewer": "any"})
    assert Answer.objects.get(pk=answer.pk).assigned_reviewer is None


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["left", "became_writer"])
def test_not_to_a_clinician_who_is_no_longer_eligible(change):
    asked = make_clinician()
    answer, writer = sent_back(by=asked)
    if change == "left":
        asked.is_active = False
        asked.save()
    else:
        answer.writers.add(asked)
    answer.submit(by=writer)
    assert Answer.objects.get(pk=answer.pk).assigned_reviewer is None


@pytest.mark.django_db
def test_approval_forgets_who_sent_it_back():
    asked = make_clinician()
    answer, writer = sent_back(by=asked)
    answer.submit(by=writer)
    approve(answer, asked)
    answer.refresh_from_db()
    assert answer.changes_requested_by is None and answer.changes_requested_revision is None
