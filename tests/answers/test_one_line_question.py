"""A question is one line on every path (issue 17, item 5): it is the page heading and the
subject of every notification email, where a line break would break or inject a header.
And the email task never crashes on a header value: it cleans the subject, or records why
the email cannot be sent."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from answers.importing import import_article
from answers.models import ONE_LINE, Question
from notifications.models import Notification
from notifications.tasks import send_notification_email
from tests.factories import (
    draft,
    login,
    make_answer,
    make_editor,
    make_topic,
    make_writer,
    save_answer,
)

pytestmark = pytest.mark.django_db

BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x85", "\u2028", "\u2029", "\x1c"]


@pytest.mark.parametrize("line_break", BREAKS)
def test_the_admin_form_refuses_a_crafted_post_with_a_line_break(line_break):
    answer, writer = draft(question="Is tea safe?")
    crafted = f"Is tea safe?{line_break}Bcc: everyone@example.com"
    response = save_answer(login(writer), answer, question_text=crafted)
    assert ONE_LINE in response.content.decode()
    assert Question.objects.get(pk=answer.question_id).text == "Is tea safe?"


@pytest.mark.parametrize("line_break", BREAKS)
def test_full_clean_in_the_shell_refuses_a_line_break(line_break):
    question = Question(text=f"Is tea{line_break}safe?", slug="tea", topic=make_topic())
    with pytest.raises(ValidationError) as refused:
        question.full_clean()
    assert refused.value.message_dict["text"] == [ONE_LINE]


def test_a_one_line_question_passes_full_clean():
    Question(text="Is tea — or coffee — safe?", slug="tea", topic=make_topic()).full_clean()


def test_an_import_refuses_a_question_with_a_line_separator():
    article = (
        "Is tea\u2028safe?\n\nYes, for most people.\n\nWhat the research says\n\nA trial.\n"
    ).encode()
    report = import_article(article, filename="tea.txt", author=make_editor(), topic_name="Food")
    assert any(ONE_LINE in error for error in report.errors), report.errors
    assert not Question.objects.exists()


def _notification(*, subject, email="writer@example.com"):
    recipient = make_writer(email=email)
    return Notification.objects.create(
        recipient=recipient,
        kind="changes_requested",
        answer=make_answer(),
        subject=subject,
        text="Someone asked for changes.",
        link="/admin/",
    )


@pytest.mark.parametrize("line_break", BREAKS)
def test_the_email_task_cleans_a_subject_with_a_line_break(line_break, smtp_server):
    # A question stored before validation existed, or written straight to the database.
    notification = _notification(subject=f"Changes requested: Is tea{line_break}safe?")
    assert send_notification_email.call(notification.pk) == "sent"
    [email] = smtp_server.messages
    assert email["Subject"] == "Changes requested: Is tea safe?"
    assert "Bcc" not in email
    notification.refresh_from_db()
    assert notification.email_sent_at is not None


def test_an_email_that_cannot_be_built_is_recorded_as_failed_not_left_pending(smtp_server):
    notification = _notification(subject="Fine", email="writer@example.com\nBcc: x@example.com")
    assert send_notification_email.call(notification.pk) == "failed"
    notification.refresh_from_db()
    assert notification.email_failed and notification.email_sent_at is None
    assert notification.email_error.startswith("ValueError")
    assert notification.email_attempts == 1
    assert not Notification.objects.email_pending().filter(pk=notification.pk).exists()
    assert smtp_server.messages == []
    # Running it again (a retry, a second worker) sends nothing and does not crash.
    assert send_notification_email.call(notification.pk) == "nothing to send"


# PostgreSQL stores no NUL character in text, so no notification can hold one.
@given(subject=st.text(st.characters(exclude_characters="\x00"), max_size=300))
@hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_no_subject_crashes_the_email_task(subject, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    first = Notification.objects.first() or _notification(subject="First")
    notification = Notification.objects.create(
        recipient=first.recipient, kind=first.kind, answer=first.answer, subject=subject
    )
    outcome = send_notification_email.call(notification.pk)
    notification.refresh_from_db()
    assert outcome in ("sent", "failed")
    assert (notification.email_sent_at is not None) != notification.email_failed
    if outcome == "sent":
        assert "\n" not in mail.outbox[-1].subject and "\r" not in mail.outbox[-1].subject
