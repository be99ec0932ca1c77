"""Notifications for real: the transition commits, the worker runs the tasks it enqueued,
the in-admin list has the notification and the email arrives at an SMTP server started
here, with the comment itself and the link. Never to the person who acted; each kind can
be turned off; a failed send is retried and never undoes the transition."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from answers.models import Answer, PublishedAnswer
from answers.roles import EDITORS
from notifications.models import Notification, NotificationOptOut, ReviewReminder
from notifications.tasks import announce
from tests.factories import (
    answer_url,
    draft,
    in_review,
    login,
    make_clinician,
    make_editor,
    make_user,
    make_writer,
    published,
)

worker_test = pytest.mark.django_db(transaction=True)
COMMENT = "Say how often the side effect happens, with the number from study [1]."


def kinds_for(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


@worker_test
def test_changes_requested_reaches_the_writer_with_the_comment(groups, run_worker, smtp_server):
    answer, writer = in_review()
    clinician = make_clinician(display_name="Dr Reviewer")
    run_worker()
    smtp_server.messages.clear()

    answer.request_changes(by=clinician, comment=COMMENT)
    assert not Notification.objects.filter(kind="changes_requested").exists()  # the worker's job
    run_worker()

    [notification] = Notification.objects.filter(kind="changes_requested")
    assert notification.recipient == writer
    assert notification.actor == clinician
    assert COMMENT in notification.text and "Dr Reviewer" in notification.text
    assert notification.link == answer_url("change", answer)
    assert notification.email_sent_at is not None
    [email] = smtp_server.messages
    assert email.envelope_to == [writer.email]
    assert email["Subject"] == "Changes requested: Does the test pass?"
    body = email.get_content()
    assert COMMENT in body
    assert f"http://127.0.0.1:8000{answer_url('change', answer)}" in body
    assert smtp_server.to(clinician.email) == []  # never to the person who acted


@worker_test
def test_submitted_goes_to_the_assigned_clinician_or_every_eligible_reviewer(
    groups, run_worker, smtp_server
):
    chosen, other = make_clinician(), make_clinician()
    answer, writer = draft(question="Assigned?")
    answer.submit(by=writer, reviewer=chosen)
    run_worker()
    assert kinds_for(chosen) == ["submitted"] and kinds_for(other) == []
    assert "asked you to review it" in Notification.objects.get(recipient=chosen).text

    writing_clinician = make_clinician()
    open_answer, _ = draft(question="Open to all?", writer=writer)
    open_answer.writers.add(writing_clinician)
    open_answer.submit(by=writer)
    run_worker()
    to = set(Notification.objects.filter(answer=open_answer).values_list("recipient", flat=True))
    assert to == {chosen.pk, other.pk}
    assert {m.envelope_to[0] for m in smtp_server.messages} == {chosen.email, other.email}
    assert len(smtp_server.to(chosen.email)) == 2


@worker_test
def test_reassigning_tells_the_new_clinician(groups, run_worker, smtp_server):
    answer, writer = in_review()
    editor, clinician = make_editor(), make_clinician()
    run_worker()
    Notification.objects.all().delete()
    answer.assign_reviewer(by=editor, reviewer=clinician)
    run_worker()
    [notification] = Notification.objects.all()
    assert (notification.recipient, notification.kind) == (clinician, "submitted")
    assert notification.link == answer_url("review", answer)


@worker_test
def test_approved_and_withdrawn_go_to_the_writers_and_the_reviewer(groups, run_worker, smtp_server):
    clinician, editor = make_clinician(), make_editor()
    answer, writer, _ = published(clinician=clinician)
    run_worker()
    assert "approved" in kinds_for(writer)
    assert "approved" not in kinds_for(clinician)  # who acted

    answer.withdraw(by=editor, reason="The guidance it follows was replaced.")
    run_worker()
    assert "withdrawn" in kinds_for(writer) and "withdrawn" in kinds_for(clinician)
    assert "withdrawn" not in kinds_for(editor)
    [email] = [m for m in smtp_server.to(clinician.email) if m["Subject"].startswith("Withdrawn")]
    assert "The guidance it follows was replaced." in email.get_content()


@worker_test
def test_a_kind_turned_off_is_not_sent(groups, run_worker, smtp_server):
    answer, writer = in_review()
    NotificationOptOut.objects.create(user=writer, kind="changes_requested")
    answer.request_changes(by=make_clinician(), comment=COMMENT)
    run_worker()
    assert kinds_for(writer) == []
    assert smtp_server.to(writer.email) == []


@worker_test
def test_a_failed_send_is_retried(groups, run_worker, smtp_server):
    answer, writer = in_review()
    run_worker()
    smtp_server.refuse = 1  # the server answers 451 once
    answer.request_changes(by=make_clinician(), comment=COMMENT)
    run_worker()
    [notification] = Notification.objects.filter(kind="changes_requested")
    assert notification.email_attempts == 2
    assert notification.email_sent_at is not None and notification.email_error == ""
    assert len(smtp_server.to(writer.email)) == 1


@worker_test
def test_a_mail_server_down_never_blocks_the_transition(groups, run_worker, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    settings.NOTIFICATION_RETRY_SECONDS = 0
    settings.NOTIFICATION_EMAIL_ATTEMPTS = 3
    answer, writer = in_review()
    answer.request_changes(by=make_clinician(), comment=COMMENT)
    assert Answer.objects.get(pk=answer.pk).status == Answer.Status.DRAFT
    run_worker()
    [notification] = Notification.objects.filter(kind="changes_requested")
    assert notification.email_attempts == 3 and notification.email_failed
    assert "ConnectionRefusedError" in notification.email_error
    assert notification.read_at is None  # still in the writer's list


@worker_test
def test_review_reminders_go_once_to_the_last_reviewer_and_editors(groups, run_worker, smtp_server):
    clinician, editor = make_clinician(), make_editor()
    answer, writer, _ = published(clinician=clinician)
    today = timezone.localdate()
    for days, kind in [(25, "review_due_30"), (5, "review_due_7"), (-1, "review_overdue")]:
        Answer.objects.filter(pk=answer.pk).update(next_review_due=today + timedelta(days=days))
        PublishedAnswer.objects.filter(answer=answer).update(
            next_review_due=today + timedelta(days=days)
        )
        for _ in range(2):  # the daily job may run twice: one reminder
            call_command("send_review_reminders", stdout=StringIO())
        run_worker()
        assert ReviewReminder.objects.filter(answer=answer, kind=kind).count() == 1
        for person in (clinician, editor):
            assert kinds_for(person).count(kind) == 1
        assert kind not in kinds_for(writer)
    subjects = [m["Subject"] for m in smtp_server.to(editor.email)]
    assert "Review overdue: Does the test pass?" in subjects


@worker_test
def test_a_reader_problem_is_sent_to_the_editors(groups, run_worker, smtp_server, client):
    answer, writer, clinician = published()
    editor = make_editor()
    make_user(group=EDITORS, email="")  # no address: listed in the admin, no email
    run_worker()
    response = client.post(
        f"/questions/{answer.question.slug}/feedback/",
        {"kind": "problem", "message": "The dose in the second section looks wrong."},
    )
    assert response.status_code == 302
    run_worker()
    assert kinds_for(editor) == ["problem_reported"]
    [email] = smtp_server.to(editor.email)
    assert "The dose in the second section looks wrong." in email.get_content()
    assert Notification.objects.filter(kind="problem_reported").count() == 2


@worker_test
def test_the_notification_list_shows_only_mine_and_opening_marks_it_read(groups, run_worker):
    answer, writer = in_review()
    other_writer = make_writer()
    answer.request_changes(by=make_clinician(), comment=COMMENT)
    run_worker()
    [notification] = Notification.objects.filter(recipient=writer)
    page = login(other_writer).get("/admin/notifications/notification/")
    assert list(page.context["cl"].result_list) == []
    client = login(writer)
    page = client.get("/admin/")
    assert "1 unread notification" in page.content.decode()
    assert "Notifications (1 unread)" in page.content.decode()
    page = client.get("/admin/notifications/notification/")
    assert list(page.context["cl"].result_list) == [notification]
    assert COMMENT in page.content.decode()
    opened = client.get(f"/admin/notifications/notification/{notification.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == notification.link
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert (
        login(other_writer)
        .get(f"/admin/notifications/notification/{notification.pk}/open/")
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_each_user_turns_kinds_off_on_the_settings_page():
    writer = make_writer()
    client = login(writer)
    url = "/admin/notifications/notification/preferences/"
    page = client.get(url)
    assert page.status_code == 200 and "Changes requested" in page.content.decode()
    everything_but = ["submitted", "approved", "withdrawn"]
    client.post(url, {"kinds": everything_but})
    off = set(NotificationOptOut.objects.filter(user=writer).values_list("kind", flat=True))
    assert "changes_requested" in off and "approved" not in off
    client.post(url, {"kinds": everything_but + ["changes_requested"]})
    assert not NotificationOptOut.objects.filter(user=writer, kind="changes_requested").exists()


@pytest.mark.django_db
def test_mark_all_read():
    writer = make_writer()
    answer, _ = draft(writer=writer)
    Notification.objects.create(
        recipient=writer, kind="approved", answer=answer, subject="s", text="t", link="/"
    )
    login(writer).post("/admin/notifications/notification/read-all/")
    assert not Notification.objects.unread().exists()


def test_an_event_about_an_unconfigured_subject_says_what_to_configure(settings):
    settings.NOTIFICATION_ANNOUNCERS = {}
    with pytest.raises(ImproperlyConfigured, match="NOTIFICATION_ANNOUNCERS"):
        announce.call(about="answer", kind="submitted", answer_id=1)
