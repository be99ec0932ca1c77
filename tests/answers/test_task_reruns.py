"""The retraction watch and the notifications run again after their worker died (the lease
puts the task back: tests/ops/test_worker_faults.py kills a real worker for that): the
second run finishes what the first began and does nothing twice. The queue row is left as
a lost worker leaves it, READY with that worker's id, and the real worker takes it."""

import pytest
from django.core import mail
from django.db import transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from answers.notify import announce_notices
from answers.tasks import check_retractions
from citations import watch
from citations.models import ReferenceNotice, RetractionCheck
from notifications.models import Notification
from notifications.tasks import announce, send_notification_email
from tests.answers.test_retraction_watch import NOTICE, public_page, wakefield  # noqa: F401
from tests.factories import make_clinician, make_writer, publish_answer

worker_test = pytest.mark.django_db(transaction=True)


def as_left_by_a_dead_worker(result):
    """The task row after the lease of the worker running it expired."""
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.READY, worker_ids=["lost-worker"], started_at=timezone.now()
    )


@worker_test
def test_a_retraction_check_whose_worker_died_is_finished_by_its_rerun(
    groups,
    wakefield,  # noqa: F811 (the fixture imported above)
    run_worker,
):
    writer, clinician = make_writer(), make_clinician()
    answer = publish_answer(references={"1": wakefield}, writer=writer, clinician=clinician)
    run_worker()  # the approval's notifications
    result = check_retractions.enqueue()
    # What the first attempt did before its worker was killed: it started a run and
    # recorded the retraction, but neither showed it to readers nor told anyone.
    RetractionCheck.objects.create(attempt=1)
    watch._record(wakefield, watch._found_notices(wakefield))
    as_left_by_a_dead_worker(result)
    assert NOTICE not in public_page(answer).text

    run_worker()

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.worker_ids[0] == "lost-worker" and len(result.worker_ids) == 2
    [run] = RetractionCheck.objects.all()  # the interrupted one replaced, not left "Running"
    assert run.finished_at is not None and run.checked == 1
    assert NOTICE in public_page(answer).text
    told = Notification.objects.filter(kind="retraction")
    assert sorted(told.values_list("recipient", flat=True)) == sorted([writer.pk, clinician.pk])

    # Announcing the same notice again (a third run, or another run of the watch) tells
    # nobody twice.
    with_notice = list(ReferenceNotice.objects.all())
    with transaction.atomic():
        announce_notices(notices=with_notice)
    run_worker()
    assert told.count() == 2


@worker_test
def test_an_announcement_whose_worker_died_after_it_committed_makes_no_second_one(
    groups, run_worker, settings
):
    answer = publish_answer()
    run_worker()
    before = Notification.objects.count()
    sent = len(mail.outbox)
    result = announce.enqueue(about="answer", kind="withdrawn", answer_id=answer.pk)
    run_worker()
    made = Notification.objects.count() - before
    assert made > 0 and len(mail.outbox) == sent + made

    as_left_by_a_dead_worker(result)
    run_worker()

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == made
    assert Notification.objects.count() - before == made
    assert len(mail.outbox) == sent + made


@pytest.mark.django_db
def test_an_email_sent_again_carries_the_same_message_id(settings, groups):
    settings.SITE_URL = "https://answers.example.org"
    writer = make_writer(email="writer@example.org")
    answer = publish_answer(writer=writer)
    notification = Notification.objects.create(
        recipient=writer, kind="withdrawn", answer=answer, subject="Withdrawn", text="x", link="/"
    )
    send_notification_email.call(notification.pk)
    # A worker killed after the server took it but before the commit: sent again.
    Notification.objects.filter(pk=notification.pk).update(email_sent_at=None)
    send_notification_email.call(notification.pk)
    ids = [message.extra_headers["Message-ID"] for message in mail.outbox[-2:]]
    assert ids == [f"<notification-{notification.pk}@answers.example.org>"] * 2
