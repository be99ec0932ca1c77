"""What people say about an answer: readers' feedback on the published version, and the
clinician's comments on parts of a draft with the replies to them."""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from notifications.models import NotificationKind
from notifications.tasks import announce
from ops.tasks import enqueue_on_commit

from .choices import Action, FeedbackKind
from .errors import WorkflowError


class ReaderFeedback(models.Model):
    """A reader's "Was this helpful? / Report a problem", tied to the version they saw."""

    Kind = FeedbackKind

    answer = models.ForeignKey("answers.Answer", on_delete=models.CASCADE, related_name="feedback")
    signoff = models.ForeignKey(
        "answers.SignOff",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="The approved version the reader was looking at.",
    )
    content_hash = models.CharField(max_length=64)
    kind = models.CharField(max_length=20, choices=FeedbackKind)
    message = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "reader feedback"
        verbose_name_plural = "reader feedback"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FeedbackKind.values),
                name="feedback_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.answer}"

    @classmethod
    def record(cls, *, publication, kind, message=""):
        """Keep a reader's feedback on the version they saw; a reported problem is sent to
        the editors once it is saved."""
        with transaction.atomic():
            feedback = cls.objects.create(
                answer_id=publication.answer_id,
                signoff_id=publication.signoff_id,
                content_hash=publication.content_hash,
                kind=kind,
                message=message.strip(),
            )
            if kind == FeedbackKind.PROBLEM:
                enqueue_on_commit(
                    announce,
                    about="answer",
                    kind=NotificationKind.PROBLEM_REPORTED.value,
                    answer_id=publication.answer_id,
                    actor_id=None,
                    comment=feedback.message,
                )
        return feedback


class ReviewComment(models.Model):
    """A clinician's comment on one part of an answer (a section, or the short answer),
    made when requesting changes and kept with the revision it was made on."""

    LEAD = "Short answer"

    answer = models.ForeignKey(
        "answers.Answer", on_delete=models.CASCADE, related_name="review_comments"
    )
    section = models.ForeignKey(
        "answers.Section",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_comments",
    )
    part = models.CharField(
        max_length=200, help_text="The section's heading when commented on, or “Short answer”."
    )
    revision = models.ForeignKey(
        "reversion.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The version the comment was made on.",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.part}: {self.excerpt}"

    @property
    def excerpt(self):
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    def reply(self, *, by, text):
        self.answer._refuse_unless_allowed(Action.DISCUSS, by)
        text = (text or "").strip()
        if not text:
            raise WorkflowError("Write a reply first: it is empty.")
        return self.replies.create(author=by, text=text)

    def resolve(self, *, by):
        self.answer._refuse_unless_allowed(Action.DISCUSS, by)
        with transaction.atomic():
            comment = ReviewComment.objects.select_for_update().get(pk=self.pk)
            if comment.resolved_at is not None:
                raise WorkflowError("This comment is already resolved.")
            comment.resolved_at = timezone.now()
            comment.resolved_by = by
            comment.save(update_fields=["resolved_at", "resolved_by"])
        self.refresh_from_db()


class ReviewCommentReply(models.Model):
    comment = models.ForeignKey(ReviewComment, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "review comment replies"

    def __str__(self):
        return f"Reply to {self.comment.part}"
