"""Preview links: a draft in medical review shown read-only to an outside reviewer, and
the comments they leave."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .choices import Action, AnswerStatus
from .errors import WorkflowError

OPENING_AUDIT_WINDOW = timedelta(hours=1)


class PreviewLink(models.Model):
    """A read-only, expiring, revocable link to a draft in medical review for an outside
    expert. Only a SHA-256 of the token is stored; the link shows the submitted content of
    one round of review (`revision`) and stops working when the answer leaves review, is
    submitted again (even unchanged: a new round needs a new link) or its content moves."""

    answer = models.ForeignKey(
        "answers.Answer", on_delete=models.CASCADE, related_name="preview_links"
    )
    revision = models.ForeignKey(
        "reversion.Revision", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    content_hash = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    reviewer_name = models.CharField(
        "for", max_length=150, blank=True, help_text="Who the link is for (optional)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Preview link {self.pk}" + (
            f" for {self.reviewer_name}" if self.reviewer_name else ""
        )

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()

    @classmethod
    def for_token(cls, token):
        if not token or len(token) > 100:
            return None
        return (
            cls.objects.select_related("answer__question__topic")
            .filter(token_hash=cls.hash_token(token))
            .first()
        )

    def problem(self, now=None) -> str:
        """Why the link does not open now (in words for the outside reviewer), or ""."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return "This preview link was revoked."
        if self.expires_at <= now:
            return "This preview link has expired."
        answer = self.answer
        if (
            answer.status != AnswerStatus.IN_REVIEW
            or self.revision_id is None
            or answer.submitted_revision_id != self.revision_id
            or answer.submitted_hash != self.content_hash
            or answer.content_hash() != self.content_hash
        ):
            return (
                "This draft has changed or is no longer in medical review, so the link no "
                "longer opens."
            )
        return ""

    def revoke(self, *, by):
        self.answer._refuse_unless_allowed(Action.REVOKE_PREVIEW, by)
        with transaction.atomic():
            link = PreviewLink.objects.select_for_update().get(pk=self.pk)
            if link.revoked_at is not None:
                raise WorkflowError("This link is already revoked.")
            link.revoked_at = timezone.now()
            link.revoked_by = by
            link.save(update_fields=["revoked_at", "revoked_by"])
            self.answer.record_event(by=by, reason=f"Preview link {link.pk} revoked")
        self.refresh_from_db()

    def record_opening(self, *, visitor):
        """Audit an opening once per visitor per hour (`visitor`: an opaque key for the
        browser, no address stored), however many requests the visitor makes: the link row is
        locked, so concurrent requests from one visitor record it once."""
        since = timezone.now() - OPENING_AUDIT_WINDOW
        reason = f"Preview link {self.pk} opened" + (
            f" (for {self.reviewer_name})" if self.reviewer_name else ""
        )
        with transaction.atomic():
            PreviewLink.objects.select_for_update().filter(pk=self.pk).first()
            seen = self.answer.history.filter(
                history_date__gte=since,
                history_change_reason=f"{reason} [visitor {visitor}]",
            ).exists()
            if not seen:
                self.answer.record_event(by=None, reason=f"{reason} [visitor {visitor}]")

    def add_comment(self, *, name, text):
        if self.problem():
            raise WorkflowError(self.problem())
        name, text = (name or "").strip(), (text or "").strip()
        if not (name and text):
            raise WorkflowError("Give your name and your comment.")
        comment = self.comments.create(name=name, text=text)
        self.answer.record_event(
            by=None, reason=f"Comment from outside reviewer {name} (preview link {self.pk})"
        )
        return comment


class PreviewComment(models.Model):
    """An outside reviewer's comment, left on the preview page, shown on the review page."""

    link = models.ForeignKey(PreviewLink, on_delete=models.CASCADE, related_name="comments")
    name = models.CharField(max_length=150)
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.name}: {self.text[:60]}"
