"""The answer: its content, the hash a clinician signs, its queries, and its sections.

Every change of `Answer.status` happens in a transition method (`submit`, `request_changes`,
`approve`, `withdraw`, `note_edit`, `revert_to`: `transitions.py` and `approval.py`); each
locks the row, checks the starting state and the actor's rights (`rules.py`), and raises
`WorkflowError` otherwise.
"""

import hashlib
import json
from datetime import timedelta

import reversion
from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version
from simple_history.models import HistoricalRecords

from audit.models import ChainedRecord
from citations.models import Reference, ReferenceNotice

from .approval import AnswerApproval
from .choices import Action, AnswerStatus, Certainty, SectionKind
from .fields import set_by_workflow
from .publication import PublishedAnswer
from .releases import AnswerReleases
from .routes import waiting_for
from .rules import AnswerRules
from .transitions import AnswerTransitions
from .workflow import WorkflowMixin


class AnswerQuerySet(models.QuerySet):
    def with_publication(self):
        """Answers with an approved snapshot that was not withdrawn (`Answer.has_publication`):
        live, or waiting to go live, or taken down at a scheduled time."""
        return self.filter(publication__isnull=False, publication__withdrawn_at__isnull=True)

    def live(self, *, now=None):
        """Answers the public reads at `now` (`Answer.is_live`): the one live condition."""
        return self.filter(PublishedAnswer.objects.live_condition("publication__", now=now))

    def in_service(self, *, now=None):
        """Answers whose approval still stands for readers, now or at their go-live: what
        review dates apply to (a taken-down or withdrawn answer has no review due)."""
        taken_down = Q(publication__take_down_at__lte=now or timezone.now())
        return self.with_publication().exclude(taken_down)

    def awaiting_review(self):
        return self.filter(status=AnswerStatus.IN_REVIEW)

    def awaiting_review_by(self, user):
        """In review and not written or submitted by `user` (who may not sign off their own
        work); on a topic without a review route, assigned to `user` or to nobody; on a
        route, at a step of one of `user`'s groups they have not taken a step of already
        (whoever the answer is assigned to)."""
        mine = self.awaiting_review().exclude(writers=user).exclude(submitted_by=user)
        unrouted = Q(question__topic__review_steps__isnull=True) & (
            Q(assigned_reviewer=user) | Q(assigned_reviewer__isnull=True)
        )
        candidates = (
            mine.filter(question__topic__review_steps__group__user=user)
            .select_related("question")
            .distinct()
        )
        routed = waiting_for(user, candidates)
        return mine.filter(Q(pk__in=mine.filter(unrouted).values("pk")) | Q(pk__in=routed))

    def unassigned_reviews(self):
        return self.awaiting_review().filter(assigned_reviewer__isnull=True)

    def review_overdue(self, *, today=None):
        today = today or timezone.localdate()
        return self.in_service().filter(next_review_due__lt=today)

    def review_due_within(self, days, *, today=None):
        """Published answers whose next review falls in the coming `days` (not yet overdue)."""
        today = today or timezone.localdate()
        return self.in_service().filter(
            next_review_due__gte=today, next_review_due__lte=today + timedelta(days=days)
        )

    def written_by(self, user):
        return self.filter(writers=user)

    def changes_requested_of(self, user):
        """Drafts a clinician sent back to `user` (a writer) with a comment."""
        return self.written_by(user).filter(status=AnswerStatus.DRAFT).exclude(review_comment="")

    def drafts_of(self, user):
        """`user`'s drafts not waiting on a clinician's comment (those are listed apart)."""
        return self.written_by(user).filter(status=AnswerStatus.DRAFT, review_comment="")

    def citing_unhandled_notice(self):
        """Answers citing a study with a retraction, withdrawal or expression of concern
        that no clinician has yet recorded how it was handled."""
        return self.filter(Exists(_unhandled_notices()))

    def with_notice_flag(self):
        return self.annotate(has_unhandled_notice=Exists(_unhandled_notices()))

    def scheduled_changes(self, *, now=None):
        """Published answers with a go-live or take-down still to come, annotated with
        both moments and the next one (`next_change_at`), without reading the snapshot."""
        now = now or timezone.now()
        go_live, take_down = F("publication__live_from"), F("publication__take_down_at")
        return (
            self.with_publication()
            .filter(Q(publication__live_from__gt=now) | Q(publication__take_down_at__gt=now))
            .annotate(
                scheduled_go_live=go_live,
                scheduled_take_down=take_down,
                next_change_at=models.Case(
                    models.When(publication__live_from__gt=now, then=go_live), default=take_down
                ),
            )
        )


def _unhandled_notices():
    return (
        ReferenceNotice.objects.blocking()
        .unhandled()
        .filter(reference__citations__answer=OuterRef("pk"))
    )


@reversion.register(follow=["question", "sections", "citations"])
class Answer(
    AnswerRules, AnswerTransitions, AnswerApproval, AnswerReleases, WorkflowMixin, models.Model
):
    """One answer per question. django-reversion keeps each saved version with its question,
    sections and citations (never the shared references themselves)."""

    Status = AnswerStatus
    Action = Action
    Certainty = Certainty

    question = models.OneToOneField(
        "answers.Question", on_delete=models.CASCADE, related_name="answer"
    )
    lead = models.TextField(
        "short answer",
        blank=True,
        help_text="The plain-language answer patients read first. Separate paragraphs with a blank line.",
    )
    certainty = models.CharField(
        "certainty of evidence",
        max_length=20,
        choices=Certainty,
        blank=True,
        help_text="How sure the evidence lets us be, in GRADE's four levels, or “Not yet "
        "graded” when nobody has graded it (readers are told so). The writer proposes it; "
        "the clinician confirms or changes it at approval.",
    )
    certainty_reason = models.CharField(
        "why this certainty",
        max_length=300,
        blank=True,
        help_text="One plain sentence for readers, e.g. “Several large, well-run trials found "
        "the same result.”",
    )
    status = models.CharField(
        max_length=20,
        choices=AnswerStatus,
        default=AnswerStatus.DRAFT,
        editable=False,
        db_index=True,
    )
    writers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="written_answers", blank=True
    )
    review_comment = models.TextField(
        "clinician's comment",
        blank=True,
        editable=False,
        help_text="What the medical reviewer asked to change, shown to writers until they resubmit.",
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_by = set_by_workflow(settings.AUTH_USER_MODEL)
    submitted_hash = models.CharField(max_length=64, blank=True, editable=False)
    assigned_reviewer = set_by_workflow(
        settings.AUTH_USER_MODEL,
        related_name="reviews_assigned",
        help_text="The clinician asked to review it; empty: any medical reviewer.",
    )
    submitted_revision = set_by_workflow("reversion.Revision")
    review_opened_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When a clinician first opened the submitted version's review page: from "
        "then on the writer cannot take it back.",
    )
    review_opened_by = set_by_workflow(settings.AUTH_USER_MODEL)
    changes_requested_by = set_by_workflow(
        settings.AUTH_USER_MODEL,
        help_text="The clinician who last sent it back: a resubmission goes to them.",
    )
    changes_requested_revision = set_by_workflow(
        "reversion.Revision",
        help_text="The version the clinician last sent back: the review page compares the "
        "resubmission with it.",
    )
    last_reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_review_due = models.DateField(null=True, blank=True, editable=False)
    article_final_newline = models.BooleanField(
        default=True,
        editable=False,
        help_text="Whether the imported plain-text article ended with a line break, "
        "so exporting it gives back the same bytes.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "created_at",
            "lead",
            "submitted_hash",
            "article_final_newline",
        ],
        verbose_name="audit log entry",
        verbose_name_plural="audit log",
        bases=[ChainedRecord],
    )
    objects = AnswerQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        permissions = [
            ("submit_answer", "Can submit answers for medical review"),
            ("review_answer", "Can approve answers or request changes (medical review)"),
            ("withdraw_answer", "Can withdraw published answers"),
            ("assign_reviewer", "Can choose the clinician who reviews an answer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AnswerStatus.values),
                name="answer_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(certainty__in=["", *Certainty.values]),
                name="answer_certainty_valid",
            ),
        ]

    def __str__(self):
        return self.question.text

    def get_absolute_url(self):
        return reverse("question", args=[self.question.slug])

    # --- content -------------------------------------------------------------

    def ordered_sections(self):
        return sorted(self.sections.all(), key=lambda s: (s.position, s.pk or 0))

    def canonical_content(self) -> dict:
        """Everything a clinician signs off, in a stable shape: what the content hash covers."""
        # A read-only page prefetches the citations with their references (admin/loading.py):
        # the hash is then computed as often as the page needs without another query.
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("citations")
        rows = prefetched if prefetched is not None else self.citations.select_related("reference")
        citations = sorted(rows, key=lambda c: int(c.label))
        content = {
            "question": self.question.text,
            "topic": self.question.topic.name,
            "lead": self.lead,
            "sections": [
                {"heading": s.heading, "kind": s.kind, "body": s.body}
                for s in self.ordered_sections()
            ],
            "citations": [
                {
                    "label": c.label,
                    "reference": c.reference_id,
                    "csl": c.reference.to_csl(),
                    "retracted": c.reference.retracted,
                }
                for c in citations
            ],
        }
        # Only when set, so answers approved before certainty existed keep their hash.
        if self.certainty or self.certainty_reason:
            content["certainty"] = {"level": self.certainty, "reason": self.certainty_reason}
        return content

    def content_hash(self) -> str:
        payload = json.dumps(
            self.canonical_content(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def contributors_since_publication(self) -> set[int]:
        """Ids of the users who wrote this answer or changed it since it was last approved."""
        ids = set(self.writers.values_list("pk", flat=True))
        versions = Version.objects.get_for_object(self)
        publication = getattr(self, "publication", None)
        if publication is not None:
            versions = versions.filter(revision__date_created__gt=publication.approved_at)
        ids.update(versions.exclude(revision__user=None).values_list("revision__user", flat=True))
        if self.submitted_by_id:
            ids.add(self.submitted_by_id)
        return ids

    def _since_publication(self):
        """When the content the next sign-off covers began: the last approval, else creation."""
        publication = getattr(self, "publication", None)
        return publication.approved_at if publication is not None else self.created_at

    def references_changed_since_publication(self) -> dict[int, list[str]]:
        """Users who changed a reference this answer cites since it was last approved (its
        words go out under the answer's sign-off too), with the citation labels they touched."""
        labels = dict(self.citations.values_list("reference_id", "label"))
        changes = (
            Reference.history.filter(id__in=labels, history_date__gt=self._since_publication())
            .exclude(history_user=None)
            .values_list("history_user", "id")
        )
        changed: dict[int, list[str]] = {}
        for user_id, reference_id in changes:
            label = labels[reference_id]
            if label not in changed.setdefault(user_id, []):
                changed[user_id].append(label)
        return {user: sorted(found, key=int) for user, found in changed.items()}

    @property
    def has_publication(self) -> bool:
        """An approved snapshot that was not withdrawn: live, embargoed or taken down."""
        publication = getattr(self, "publication", None)
        return publication is not None and publication.withdrawn_at is None

    @property
    def is_live(self) -> bool:
        """The public reads it now (`PublishedAnswer.is_live`)."""
        publication = getattr(self, "publication", None)
        return publication is not None and publication.is_live()

    @property
    def is_editable(self) -> bool:
        """Not while a clinician reviews it, nor while its sign-off waits for a release."""
        return self.status not in (self.Status.IN_REVIEW, self.Status.APPROVED)

    @property
    def is_draft(self) -> bool:
        """A draft, or a published answer whose content is no longer what was approved,
        whatever path changed its rows (the admin, an import, a command, a shell `.save()`):
        either way it needs a clinician's approval before the public sees it."""
        if self.status == self.Status.DRAFT:
            return True
        return self.status == self.Status.PUBLISHED and self.differs_from_publication

    @property
    def differs_from_publication(self) -> bool:
        """Whether the content is not what the public snapshot was approved as (or there is
        no snapshot): a published answer in this state is a new draft."""
        publication = getattr(self, "publication", None)
        return publication is None or publication.content_hash != self.content_hash()

    @property
    def is_taken_down(self) -> bool:
        """Published, but its scheduled take-down time has passed (no job changed the status)."""
        publication = getattr(self, "publication", None)
        return publication is not None and publication.is_taken_down()


@reversion.register()
class Section(models.Model):
    Kind = SectionKind

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    heading = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=SectionKind, default=SectionKind.PROSE)
    body = models.TextField(
        blank=True,
        help_text="Markdown. Cite with the reference's label in brackets before the full stop: "
        "“… for MS [9].” or “[2, 5]”. For a list of questions, one “- ” line per question. "
        "For “When to get help”, the level lines “See a doctor soon:”, “Get help today:” and "
        "“Call the emergency number now:” (least to most urgent, any you need), each followed "
        "by its signs, one “- ” line each; the page shows the site's emergency number.",
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SectionKind.values), name="section_kind_valid"
            ),
        ]

    def __str__(self):
        return self.heading
