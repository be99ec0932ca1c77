"""Email delivery. A send that fails is recorded on the notification and tried again
later by re-enqueueing this task with a growing delay (the database queue does not retry
by itself); after NOTIFICATION_EMAIL_ATTEMPTS attempts it is marked failed and stays in
the in-admin list."""

import logging
from datetime import timedelta
from smtplib import SMTPException
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notification

logger = logging.getLogger(__name__)


def announcer(about):
    """Who is concerned by an event, and what they are told, is the content app's business:
    settings.NOTIFICATION_ANNOUNCERS names its function by dotted path, so this app never
    imports the content apps (an import-linter contract) and the wiring is in one place."""
    try:
        path = settings.NOTIFICATION_ANNOUNCERS[about]
    except KeyError:
        raise ImproperlyConfigured(
            f"No announcer for {about!r} notifications: add it to NOTIFICATION_ANNOUNCERS."
        ) from None
    return import_string(path)


@task(takes_context=True)
def announce(context=None, *, about, event_key="", **event):
    """Create the notifications of one event through the announcer registered for `about`;
    returns how many there are. Idempotent: they carry the event's key (`event_key`, else
    this task's id), so announcing it again, or this task run again after its worker died,
    creates none again and only enqueues the emails still unsent. `context` is None when
    called directly (`.call()`)."""
    key = event_key or (str(context.task_result.id) if context else "")
    if key:
        made = Notification.objects.filter(event=key)
        if made.exists():
            for pk in made.email_pending().values_list("pk", flat=True):
                send_notification_email.enqueue(pk)  # a second one sends nothing
            return made.count()
    return len(announcer(about)(event=key, **event))


def email_body(notification) -> str:
    preferences = settings.SITE_URL.rstrip("/") + reverse("admin:notifications_preferences")
    return (
        f"{notification.text}\n\n"
        f"Open the answer: {notification.url}\n\n"
        f"--\nYou receive this because of your role on the editorial desk. "
        f"Choose which notifications you get: {preferences}\n"
    )


def one_line(value) -> str:
    """A header value as one line: every run of whitespace (line breaks, Unicode line and
    paragraph separators included) becomes one space, and other control characters go."""
    text = " ".join(str(value).split())
    return "".join(c for c in text if c.isprintable() or c == " ")


def _record_failure(notification, error, *, final):
    notification.email_error = f"{type(error).__name__}: {error}"[:2000]
    notification.email_failed = final
    notification.save(update_fields=["email_attempts", "email_error", "email_failed"])
    logger.warning(
        "Notification %s: email not sent (attempt %s): %s",
        notification.pk,
        notification.email_attempts,
        notification.email_error,
    )


def message_id(notification) -> str:
    """The same for every attempt at one notification's email."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<notification-{notification.pk}@{domain}>"


@task
def send_notification_email(notification_id):
    """Send one notification by email; idempotent (a sent one is not sent again). The row
    stays locked while the mail server takes the message, so two runs never both send; a
    worker killed between the server's "accepted" and the commit sends it again on the
    rerun, with the same Message-ID, which mail clients show once."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.email_sent_at or notification.email_failed:
            return "nothing to send"
        if notification.done_at:
            return "no longer to do"
        if not notification.recipient.email:
            return "no email address"
        notification.email_attempts += 1
        try:
            EmailMessage(
                one_line(notification.subject),
                email_body(notification),
                None,  # DEFAULT_FROM_EMAIL
                [notification.recipient.email],
                headers={"Message-ID": message_id(notification)},
            ).send()
        except (SMTPException, OSError) as error:
            attempts_left = notification.email_attempts < settings.NOTIFICATION_EMAIL_ATTEMPTS
            _record_failure(notification, error, final=not attempts_left)
            if not attempts_left:
                return "failed"
            delay = settings.NOTIFICATION_RETRY_SECONDS * 2 ** (notification.email_attempts - 1)
            run_after = timezone.now() + timedelta(seconds=delay)
            transaction.on_commit(
                lambda: send_notification_email.using(run_after=run_after).enqueue(notification_id)
            )
            return "retry scheduled"
        except (ValueError, TypeError) as error:
            # The message itself cannot be built (a header value or address Python's email
            # package refuses): trying again would fail the same way.
            _record_failure(notification, error, final=True)
            return "failed"
        notification.email_sent_at = timezone.now()
        notification.email_error = ""
        notification.save(update_fields=["email_attempts", "email_error", "email_sent_at"])
        return "sent"
