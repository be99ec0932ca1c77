from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for medical review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved and published"
    WITHDRAWN = "withdrawn", "Withdrawn"
    REVIEW_DUE_30 = "review_due_30", "Review due in 30 days"
    REVIEW_DUE_7 = "review_due_7", "Review due in 7 days"
    REVIEW_OVERDUE = "review_overdue", "Review overdue"
    PROBLEM_REPORTED = "problem_reported", "Reader reported a problem"
    RETRACTION = "retraction", "Cited study retracted or under concern"
    LINK_BROKEN = "link_broken", "A link stopped working"
    RECALLED = "recalled", "Taken back before review"


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_user(self, user):
        return self.filter(recipient=user)

    def email_pending(self):
        return self.filter(email_sent_at__isnull=True, email_failed=False, done_at__isnull=True)

    def not_done(self):
        return self.filter(done_at__isnull=True)

    def mark_done(self, *, why, now=None):
        """What these notifications ask for is no longer to do (the review they announce
        was approved, sent back or given to someone else): they leave the unread count and
        an email not yet sent is not sent. Returns how many were marked."""
        now = now or timezone.now()
        return self.not_done().update(
            done_at=now, done_reason=why[:300], read_at=Coalesce(F("read_at"), Value(now))
        )


class Notification(models.Model):
    """One message to one person about one answer: the text says what happened, who did
    it and what to do, with the comment itself; the link opens the answer."""

    Kind = NotificationKind

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=NotificationKind)
    answer = models.ForeignKey(
        "answers.Answer", on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who acted; empty for readers and scheduled reminders.",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    link = models.CharField(max_length=500, help_text="Path of the page to open, on this site.")
    done_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When what it asked for stopped being to do (e.g. the review it announced "
        "was approved, sent back or reassigned).",
    )
    done_reason = models.CharField(max_length=300, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.TextField(blank=True)
    email_failed = models.BooleanField(
        default=False, help_text="Every attempt failed: the email is not tried again."
    )
    event = models.CharField(
        max_length=100,
        blank=True,
        db_index=True,
        help_text="The event that made it (the announcing task's id, or a key such as "
        "retraction:notice:answer): announcing the same event again makes none again.",
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            ),
        ]

    def __str__(self):
        return self.subject

    @property
    def url(self):
        return settings.SITE_URL.rstrip("/") + self.link


class NotificationOptOut(models.Model):
    """A kind of notification a user turned off (in the list and by email)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_opt_outs"
    )
    kind = models.CharField(max_length=30, choices=NotificationKind)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="opt_out_once_per_kind"),
            models.CheckConstraint(
                condition=Q(kind__in=NotificationKind.values), name="opt_out_kind_valid"
            ),
        ]

    def __str__(self):
        return f"{self.user}: no “{self.get_kind_display()}”"


class ReviewReminder(models.Model):
    """A review reminder already sent: one per answer, kind and due date, however often
    the daily job runs."""

    answer = models.ForeignKey(
        "answers.Answer", on_delete=models.CASCADE, related_name="review_reminders"
    )
    kind = models.CharField(max_length=30, choices=NotificationKind)
    due_date = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "kind", "due_date"], name="review_reminder_once"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.answer} (due {self.due_date})"
