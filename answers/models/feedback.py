"""What people say about an answer: readers' feedback on the published version, and the
clinician's comments on parts of a draft with the replies to them."""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateformat import format as date_format

from notifications.models import NotificationKind
from notifications.tasks import announce
from ops.tasks import enqueue_on_commit

from ..people import display_name
from .choices import Action, FeedbackKind
from .errors import WorkflowError
from .fields import set_by_workflow


class FeedbackOutcome(models.TextChoices):
    FIXED = "fixed", "Fixed in a new version"
    NO_CHANGE = "no_change", "No change needed"
    DUPLICATE = "duplicate", "Duplicate of another report"


class ReaderFeedback(models.Model):
    """A reader's "Was this helpful?" vote (with what was missing, if they said) or problem
    report, tied to the version they saw. A problem report is worked like a ticket: assigned,
    annotated, passed to the answer's writers as a comment, and closed with an outcome."""

    Kind = FeedbackKind
    Outcome = FeedbackOutcome

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
    resolved = models.BooleanField("closed", default=False)
    assigned_to = set_by_workflow(settings.AUTH_USER_MODEL, related_name="assigned_reports")
    notes = models.TextField("editors' notes", blank=True, editable=False)
    passed_to_writers_at = models.DateTimeField(null=True, blank=True, editable=False)
    outcome = models.CharField(max_length=20, choices=FeedbackOutcome, blank=True, editable=False)
    fixed_in = set_by_workflow("answers.SignOff", help_text="The approved version that fixed it.")
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_by = set_by_workflow(settings.AUTH_USER_MODEL)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "reader feedback"
        verbose_name_plural = "reader feedback"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FeedbackKind.values),
                name="feedback_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(resolved=True, outcome__in=FeedbackOutcome.values),
                name="feedback_outcome_only_when_closed",
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

    def add_what_was_missing(self, text):
        """A reader who answered No says what was missing (once, within the hour: the
        public view checks the signed link)."""
        text = (text or "").strip()
        if self.kind != FeedbackKind.NOT_HELPFUL or not text:
            return False
        return bool(
            ReaderFeedback.objects.filter(pk=self.pk, message="").update(message=text[:2000])
        )

    # ------------------------------------------------------------ the queue

    def _work(self, by):
        if not by.has_perm("answers.change_readerfeedback"):
            raise WorkflowError("Only editors work on reader reports.")
        if self.kind != FeedbackKind.PROBLEM:
            raise WorkflowError("Only a problem report is worked on; votes are counted.")
        locked = ReaderFeedback.objects.select_for_update().get(pk=self.pk)
        if locked.resolved:
            raise WorkflowError("This report is closed.")
        return locked

    def _note(self, report, by, text):
        stamp = date_format(timezone.localtime(), "j M Y, H:i T")  # as My work writes it
        line = f"{stamp}, {display_name(by)}: {text}"
        report.notes = f"{report.notes}\n{line}".strip()

    def assign(self, *, by, to):
        with transaction.atomic():
            report = self._work(by)
            if to is not None and not (to.is_active and to.is_staff):
                raise WorkflowError(f"{display_name(to)} cannot work on the desk.")
            report.assigned_to = to
            self._note(report, by, f"assigned to {display_name(to)}" if to else "unassigned")
            report.save(update_fields=["assigned_to", "notes"])
        self.refresh_from_db()

    def annotate(self, *, by, note):
        note = (note or "").strip()
        if not note:
            raise WorkflowError("Write the note first: it is empty.")
        with transaction.atomic():
            report = self._work(by)
            self._note(report, by, note)
            report.save(update_fields=["notes"])
        self.refresh_from_db()

    def pass_to_writers(self, *, by):
        """The report becomes a comment on the answer, where its writers work."""
        with transaction.atomic():
            report = self._work(by)
            if report.passed_to_writers_at:
                raise WorkflowError("This report was already passed to the writers.")
            ReviewComment.objects.create(
                answer_id=report.answer_id,
                part=READER_REPORT,
                author=by,
                text=f"A reader reported a problem: {report.message}",
            )
            report.passed_to_writers_at = timezone.now()
            self._note(report, by, "passed to the writers as a comment on the answer")
            report.save(update_fields=["passed_to_writers_at", "notes"])
        self.refresh_from_db()

    def close(self, *, by, outcome, fixed_in=None, duplicate_of=None):
        outcome = FeedbackOutcome(outcome)
        with transaction.atomic():
            report = self._work(by)
            if outcome == FeedbackOutcome.FIXED:
                if fixed_in is None or fixed_in.answer_id != report.answer_id:
                    raise WorkflowError("Choose the approved version that fixed it.")
                if fixed_in.created_at < report.created_at:
                    raise WorkflowError(
                        "That version was approved before the report: choose a later one."
                    )
            if outcome == FeedbackOutcome.DUPLICATE and (
                duplicate_of is None
                or duplicate_of.pk == report.pk
                or duplicate_of.answer_id != report.answer_id
            ):
                raise WorkflowError("Choose the other report of this answer it repeats.")
            report.outcome = outcome
            report.fixed_in = fixed_in if outcome == FeedbackOutcome.FIXED else None
            report.duplicate_of = duplicate_of if outcome == FeedbackOutcome.DUPLICATE else None
            report.resolved, report.closed_at, report.closed_by = True, timezone.now(), by
            self._note(report, by, f"closed: {outcome.label.lower()}")
            report.save(
                update_fields=[
                    "outcome",
                    "fixed_in",
                    "duplicate_of",
                    "resolved",
                    "closed_at",
                    "closed_by",
                    "notes",
                ]
            )
        self.refresh_from_db()


READER_REPORT = "Reader report"


class ProblemReportManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=FeedbackKind.PROBLEM)


class ProblemReport(ReaderFeedback):
    """The problem reports alone: the editors' queue (votes are counted, not worked)."""

    objects = ProblemReportManager()

    class Meta:
        proxy = True
        verbose_name = "reader problem report"


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
    def is_on_lead(self):
        return self.section_id is None and self.part == self.LEAD

    @property
    def has_place(self):
        """It has a field to stand beside: the short answer, or a section still there."""
        return self.section_id is not None or self.is_on_lead

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
                raise WorkflowError(already_resolved(comment))
            comment.resolved_at = timezone.now()
            comment.resolved_by = by
            comment.save(update_fields=["resolved_at", "resolved_by"])
        self.refresh_from_db()


def already_resolved(comment):
    """Who resolved it and when, so a second person pressing the button knows why not."""
    who = display_name(comment.resolved_by) if comment.resolved_by else "someone"
    when = date_format(timezone.localtime(comment.resolved_at), "j M Y H:i")
    return f"This comment was already resolved by {who} on {when}."


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
