"""The editorial domain: topics, questions, answers and their sections, and the review workflow.

Every change of `Answer.status` happens in one of the transition methods below
(`submit`, `request_changes`, `approve`, `withdraw`, `note_edit`, `revert_to`); each
locks the row, checks the starting state and the actor's rights, and raises
`WorkflowError` otherwise.
"""

import hashlib
import json
import secrets
from datetime import datetime, time, timedelta
from enum import StrEnum

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import connections, models, router, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Value
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from reversion.errors import RevertError
from reversion.models import Version
from simple_history.models import HistoricalRecords

from citations.identifiers import validate_orcid
from citations.models import Reference, ReferenceNotice
from notifications.models import NotificationKind
from notifications.tasks import announce
from ops.tasks import enqueue_on_commit

from .articles import disclaimer_for
from .checklist import review_checklist
from .people import display_name, printed_name
from .publishing import change_log, snapshot_fields
from .roles import MEDICAL_REVIEWERS

# What every answer says, in this order, unless its topic's editors set another structure.
HOUSE_STRUCTURE = (
    ("What the research says", "prose"),
    ("What to ask your doctor", "questions"),
)


def unique_slug(model, text, *, length, fallback, exclude_pk=None):
    """A slug of `text` no other row of `model` has: "name", then "name-2", "name-3"..."""
    base = slugify(text)[:length].strip("-") or fallback
    slug, n = base, 2
    others = model.objects.exclude(pk=exclude_pk)
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def check_signature(user, password):
    """A sign-off is an electronic signature: the signer's own password, or nothing is signed."""
    if not password or not user.check_password(password):
        raise SignatureRefused(WRONG_SIGNATURE)


class WorkflowError(Exception):
    """A transition was refused. `problems` lists every reason, in words a writer understands."""

    def __init__(self, problems):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(" ".join(self.problems))


class SignatureRefused(WorkflowError):
    """The password given as a signature was not the signer's: nothing was signed."""


# What a clinician's sign-off means, recorded with each one (21 CFR Part 11 asks that an
# electronic signature show the signer's printed name, the time and the meaning).
SIGNOFF_MEANING = "Medically reviewed and approved"
WRONG_SIGNATURE = (
    "The password was not right, so nothing was signed and nothing was published. "
    "Type the password you sign in with."
)


class Topic(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("topic", args=[self.slug])

    @property
    def disclaimer(self):
        return disclaimer_for(self.name)

    def section_structure(self) -> list[tuple[str, str]]:
        """The (heading, kind) pairs a new answer in this topic starts with: the topic's own
        structure if its editors set one, else the house structure."""
        own = [(s.heading, s.kind) for s in self.structure.all()]
        return own or list(HOUSE_STRUCTURE)


@reversion.register()
class Question(models.Model):
    text = models.CharField("question", max_length=300, help_text="The patient's own wording.")
    slug = models.SlugField(max_length=120, unique=True)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="questions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["text"]

    def __str__(self):
        return self.text

    @staticmethod
    def unique_slug_for(text, *, exclude_pk=None):
        return unique_slug(Question, text, length=100, fallback="question", exclude_pk=exclude_pk)


class Contributor(models.Model):
    """How a writer or clinician is named in public bylines."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contributor"
    )
    display_name = models.CharField(max_length=150)
    credentials = models.CharField(
        max_length=100,
        blank=True,
        help_text='Post-nominal letters shown after the name, e.g. "MD".',
    )
    role_title = models.CharField("role or title", max_length=150, blank=True)
    bio = models.TextField("short bio", blank=True)
    orcid = models.CharField(
        "ORCID iD",
        max_length=19,
        blank=True,
        validators=[validate_orcid],
        help_text="0000-0000-0000-0000",
    )
    conflicts_of_interest = models.TextField(
        "declared conflicts of interest",
        blank=True,
        help_text="As the person declared them. Write “None declared” if they declared none; "
        "left empty, their public page says no declaration is on file.",
    )
    slug = models.SlugField(
        max_length=160,
        unique=True,
        blank=True,
        help_text="Their public page: /contributors/<slug>/. Made from the name when left empty.",
    )

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return self.byline_name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self.unique_slug_for(self.display_name, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("contributor", args=[self.slug])

    @staticmethod
    def unique_slug_for(name, *, exclude_pk=None):
        return unique_slug(
            Contributor, name, length=150, fallback="contributor", exclude_pk=exclude_pk
        )

    @property
    def byline_name(self):
        return f"{self.display_name}, {self.credentials}" if self.credentials else self.display_name


class AnswerQuerySet(models.QuerySet):
    def published(self):
        """Answers the public can read: approved and not withdrawn."""
        return self.filter(publication__isnull=False, publication__withdrawn_at__isnull=True)

    def awaiting_review(self):
        return self.filter(status=Answer.Status.IN_REVIEW)

    def awaiting_review_by(self, user):
        """In review, assigned to `user` or to nobody, and not written or edited by `user`
        (who may not sign off their own work)."""
        return (
            self.awaiting_review()
            .filter(Q(assigned_reviewer=user) | Q(assigned_reviewer__isnull=True))
            .exclude(writers=user)
            .exclude(submitted_by=user)
        )

    def unassigned_reviews(self):
        return self.awaiting_review().filter(assigned_reviewer__isnull=True)

    def review_overdue(self, *, today=None):
        today = today or timezone.localdate()
        taken_down = Q(publication__take_down_at__lte=timezone.now())
        return self.published().filter(next_review_due__lt=today).exclude(taken_down)

    def review_due_within(self, days, *, today=None):
        """Published answers whose next review falls in the coming `days` (not yet overdue)."""
        today = today or timezone.localdate()
        return self.published().filter(
            next_review_due__gte=today, next_review_due__lte=today + timedelta(days=days)
        )

    def written_by(self, user):
        return self.filter(writers=user)

    def changes_requested_of(self, user):
        """Drafts a clinician sent back to `user` (a writer) with a comment."""
        return self.written_by(user).filter(status=Answer.Status.DRAFT).exclude(review_comment="")

    def drafts_of(self, user):
        """`user`'s drafts not waiting on a clinician's comment (those are listed apart)."""
        return self.written_by(user).filter(status=Answer.Status.DRAFT, review_comment="")

    def citing_unhandled_notice(self):
        """Answers citing a study with a retraction, withdrawal or expression of concern
        that no clinician has yet recorded how it was handled."""
        return self.filter(Exists(_unhandled_notices()))

    def with_notice_flag(self):
        return self.annotate(has_unhandled_notice=Exists(_unhandled_notices()))


def _unhandled_notices():
    return (
        ReferenceNotice.objects.blocking()
        .unhandled()
        .filter(reference__citations__answer=OuterRef("pk"))
    )


class Action(StrEnum):
    """What a person may try to do with an answer; `Answer.refusals` says whether they may now."""

    SUBMIT = "submit"
    REQUEST_CHANGES = "request_changes"
    APPROVE = "approve"
    WITHDRAW = "withdraw"
    EDIT = "edit"  # change the content, including restoring an earlier version
    ASSIGN = "assign"  # choose the clinician who reviews it
    CONFIRM_ACCURATE = "confirm_accurate"  # re-sign the published content unchanged
    SCHEDULE = "schedule"  # change or cancel a scheduled go-live or take-down
    SHARE_PREVIEW = "share_preview"  # create or revoke a preview link for an outside reviewer


NOT_YOUR_SIGN_OFF = "You wrote or edited this answer, so another clinician must sign it off."
FIRST_PUBLISHED = "First published"
CHANGE_SUMMARY_MAX = 200


def medical_reviewers():
    """Active users in the Medical reviewers group (by name: roles.py defines it)."""
    from django.contrib.auth import get_user_model  # the user model is ready only at call time

    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=MEDICAL_REVIEWERS)
        .select_related("contributor")
        .order_by("contributor__display_name", "username")
        .distinct()
    )


class AnswerStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In medical review"
    PUBLISHED = "published", "Published"


class Certainty(models.TextChoices):
    """GRADE's four levels of certainty of evidence, with what each means to a reader."""

    HIGH = "high", "High"
    MODERATE = "moderate", "Moderate"
    LOW = "low", "Low"
    VERY_LOW = "very_low", "Very low"

    @property
    def plain_words(self):
        return CERTAINTY_PLAIN_WORDS[self]


# GRADE's own explanations (Balshem et al., J Clin Epidemiol 2011;64:401-6), in plain words.
CERTAINTY_PLAIN_WORDS = {
    Certainty.HIGH: "We are very confident in this answer: further research is very unlikely "
    "to change it.",
    Certainty.MODERATE: "We are fairly confident in this answer, but further research could "
    "change it.",
    Certainty.LOW: "Our confidence in this answer is limited: further research is likely to "
    "change it.",
    Certainty.VERY_LOW: "We are very uncertain about this answer: the evidence is weak or scarce.",
}


@reversion.register(follow=["question", "sections", "citations"])
class Answer(models.Model):
    """One answer per question. django-reversion keeps each saved version with its question,
    sections and citations (never the shared references themselves)."""

    Status = AnswerStatus
    Action = Action
    Certainty = Certainty

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="answer")
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
        help_text="How sure the evidence lets us be, in GRADE's four levels. The writer "
        "proposes it; the clinician confirms or changes it at approval.",
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
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    submitted_hash = models.CharField(max_length=64, blank=True, editable=False)
    assigned_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="reviews_assigned",
        help_text="The clinician asked to review it; empty: any medical reviewer.",
    )
    submitted_revision = models.ForeignKey(
        "reversion.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
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
        citations = sorted(self.citations.select_related("reference"), key=lambda c: int(c.label))
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
    def is_live(self) -> bool:
        publication = getattr(self, "publication", None)
        return publication is not None and publication.withdrawn_at is None

    @property
    def is_editable(self) -> bool:
        return self.status != self.Status.IN_REVIEW

    @property
    def differs_from_publication(self) -> bool:
        """Whether the content is not what the public snapshot was approved as (or there is
        no snapshot): a published answer in this state is a new draft."""
        publication = getattr(self, "publication", None)
        return publication is None or publication.content_hash != self.content_hash()

    def refusals(self, action, user) -> list[str]:
        """Why `user` may not take `action` on this answer now; empty when they may.
        The transitions raise these, the admin shows them: the rules live here only.
        What the content itself lacks is the checklist's job (`answers.checklist`)."""
        action = Action(action)
        status = self.get_status_display().lower()
        if action == Action.SUBMIT:
            if not user.has_perm("answers.submit_answer"):
                return ["You do not have permission to submit answers for medical review."]
            if self.status != self.Status.DRAFT and not self.is_taken_down:
                return [f"Only a draft can be submitted; this answer is {status}."]
        elif action in (Action.REQUEST_CHANGES, Action.APPROVE):
            if not user.has_perm("answers.review_answer"):
                return ["Only medical reviewers approve answers or request changes."]
            if self.status != self.Status.IN_REVIEW:
                return [f"This answer is not waiting for medical review: it is {status}."]
            if action == Action.APPROVE:
                if user.pk in self.contributors_since_publication():
                    return [NOT_YOUR_SIGN_OFF]
                changed = self.references_changed_since_publication().get(user.pk)
                if changed:
                    cited = ", ".join(f"[{label}]" for label in changed)
                    return [
                        f"You changed reference {cited} cited by this answer since it was last "
                        "published, so another clinician must sign it off."
                    ]
        elif action == Action.WITHDRAW:
            if not user.has_perm("answers.withdraw_answer"):
                return ["Only editors withdraw answers."]
            if not self.is_live:
                return [
                    "Only a published answer can be withdrawn: this one is not on the public site."
                ]
        elif action == Action.ASSIGN:
            if not user.has_perm("answers.assign_reviewer"):
                return ["Only editors and medical reviewers choose who reviews an answer."]
            if self.status != self.Status.IN_REVIEW:
                return [f"Only an answer in medical review can be assigned; this one is {status}."]
        elif action == Action.CONFIRM_ACCURATE:
            return self._confirm_accurate_refusals(user)
        elif action == Action.SCHEDULE:
            if not user.has_perm("answers.withdraw_answer"):
                return ["Only editors change or cancel what is scheduled."]
            if not self.is_live:
                return ["Only a published answer has a schedule: this one is not published."]
        elif action == Action.SHARE_PREVIEW:
            if not (
                user.has_perm("answers.review_answer") or user.has_perm("answers.withdraw_answer")
            ):
                return ["Only clinicians and editors share a draft with an outside reviewer."]
            if self.status != self.Status.IN_REVIEW:
                return [f"Only an answer in medical review can be shared: this one is {status}."]
        elif action == Action.EDIT:
            if not user.has_perm("answers.change_answer"):
                return ["You do not have permission to change answers."]
            if not self.is_editable:
                return [
                    "This answer is in medical review and cannot be changed until the "
                    "clinician finishes."
                ]
        return []

    def _confirm_accurate_refusals(self, user) -> list[str]:
        if not user.has_perm("answers.review_answer"):
            return ["Only medical reviewers confirm that an answer is still accurate."]
        publication = getattr(self, "publication", None)
        if self.status != self.Status.PUBLISHED or not self.is_live or publication.is_taken_down():
            return [
                "Only a published answer on the public site can be confirmed as still accurate."
            ]
        if self.differs_from_publication:
            return [
                "The draft differs from the published version: review the changes and approve "
                "them instead."
            ]
        if user.pk in self.contributors_since_publication():
            return [NOT_YOUR_SIGN_OFF]
        if self.references_changed_since_publication().get(user.pk):
            return [
                "You changed a reference this answer cites since it was last published, so "
                "another clinician must confirm it."
            ]
        return []

    @property
    def is_taken_down(self) -> bool:
        """Published, but its scheduled take-down time has passed (no job changed the status)."""
        publication = getattr(self, "publication", None)
        return publication is not None and publication.is_taken_down()

    def _refuse_unless_allowed(self, action, user):
        refusals = self.refusals(action, user)
        if refusals:
            raise WorkflowError(refusals)

    # --- transitions ---------------------------------------------------------

    def _locked(self):
        """Re-read this answer under a row lock, so two people acting at once cannot both pass."""
        return Answer.objects.select_for_update().get(pk=self.pk)

    def _record(self, *, by, reason):
        self._change_reason = reason
        self._history_user = by
        self.save()

    def reviewer_candidates(self, *, also_excluding=()):
        """Medical reviewers who may sign this answer off: not its writers or editors."""
        excluded = self.contributors_since_publication() | {u.pk for u in also_excluding if u}
        return medical_reviewers().exclude(pk__in=excluded)

    def _reviewer_refusals(self, reviewer, *, submitter=None) -> list[str]:
        if not medical_reviewers().filter(pk=reviewer.pk).exists():
            return [f"{display_name(reviewer)} is not a medical reviewer: choose a clinician."]
        if not self.reviewer_candidates(also_excluding=[submitter]).filter(pk=reviewer.pk).exists():
            return [
                f"{display_name(reviewer)} wrote or edited this answer, so cannot sign it off: "
                "choose another clinician."
            ]
        return []

    def _round_robin_reviewer(self, *, submitter):
        """The eligible clinician with the fewest answers waiting for them (then the
        longest-standing account): spreads reviews without anyone choosing."""
        waiting = Count(
            "reviews_assigned", filter=Q(reviews_assigned__status=AnswerStatus.IN_REVIEW)
        )
        eligible = self.reviewer_candidates(also_excluding=[submitter]).values("pk")
        User = type(submitter)
        return (
            User.objects.filter(pk__in=eligible)
            .annotate(waiting=waiting)
            .order_by("waiting", "pk")
            .first()
        )

    def _announce(self, kind, *, by, **details):
        """Notify the people concerned once this transaction commits (`answers.notify`)."""
        enqueue_on_commit(
            announce,
            about="answer",
            kind=kind.value,
            answer_id=self.pk,
            actor_id=by.pk if by else None,
            **details,
        )

    def record_event(self, *, by, reason):
        """An audit log entry for something that changed no column of the answer (a preview
        link opened, a schedule changed): `updated_at` stays, so no open editor is refused."""
        self._change_reason = reason
        self._history_user = by
        self.save(update_fields=["status"])

    def submit(self, *, by, reviewer=None, confirm_unresolved=False):
        """Writer: send a draft to medical review, bound to its content as it stands now,
        for `reviewer` (a clinician who did not write it) or any medical reviewer.
        Clinician's comments still unresolved must be confirmed (`confirm_unresolved`)."""
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.SUBMIT, by)
            problems = review_checklist(answer).blocking_submission()
            if reviewer is not None:
                problems += answer._reviewer_refusals(reviewer, submitter=by)
            unresolved = list(answer.review_comments.filter(resolved_at__isnull=True))
            if unresolved and not confirm_unresolved:
                problems.append(
                    f"{len(unresolved)} of the clinician's comments "
                    f"{'is' if len(unresolved) == 1 else 'are'} not resolved: "
                    + "; ".join(f"{c.part}: “{c.excerpt}”" for c in unresolved)
                    + ". Resolve them, or confirm that you submit it with them unresolved."
                )
            if problems:
                raise WorkflowError(problems)
            if reviewer is None and settings.REVIEW_ROUND_ROBIN:
                reviewer = answer._round_robin_reviewer(submitter=by)
            answer.assigned_reviewer = reviewer
            with reversion.create_revision():
                reversion.set_user(by)
                reversion.set_comment("Submitted for medical review")
                reversion.add_to_revision(answer)
            answer.status = self.Status.IN_REVIEW
            answer.submitted_at = timezone.now()
            answer.submitted_by = by
            answer.submitted_hash = answer.content_hash()
            answer.submitted_revision = Version.objects.get_for_object(answer).first().revision
            answer.review_comment = ""
            to = f" (assigned to {display_name(reviewer)})" if reviewer else ""
            answer._record(by=by, reason=f"Submitted for medical review{to}")
            answer._announce(NotificationKind.SUBMITTED, by=by)
            self.refresh_from_db()

    def assign_reviewer(self, *, by, reviewer):
        """Editor or clinician: give an answer in review to `reviewer`, or back to every
        medical reviewer (None)."""
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.ASSIGN, by)
            if reviewer is not None:
                problems = answer._reviewer_refusals(reviewer)
                if problems:
                    raise WorkflowError(problems)
            if reviewer == answer.assigned_reviewer:
                return
            answer.assigned_reviewer = reviewer
            if reviewer is None:
                reason = "Review unassigned: any medical reviewer may review it"
            else:
                reason = f"Review assigned to {display_name(reviewer)}"
            answer._record(by=by, reason=reason)
            if reviewer is not None:
                answer._announce(NotificationKind.SUBMITTED, by=by, reassigned=True)
            self.refresh_from_db()

    def request_changes(self, *, by, comment, section_comments=()):
        """Clinician: send the answer back to its writers with a comment they must address,
        and optionally comments on parts: `section_comments` pairs a Section (None: the
        short answer) with a text; each is kept with the revision it was made on."""
        comment = (comment or "").strip()
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.REQUEST_CHANGES, by)
            if not comment:
                raise WorkflowError("Say what needs to change: the comment is required.")
            for section, text in section_comments:
                if not (text or "").strip():
                    continue
                if section is not None and section.answer_id != answer.pk:
                    raise WorkflowError("That section belongs to another answer.")
                ReviewComment.objects.create(
                    answer=answer,
                    section=section,
                    part=section.heading if section is not None else ReviewComment.LEAD,
                    revision=answer.submitted_revision,
                    author=by,
                    text=text.strip(),
                )
            answer.status = self.Status.DRAFT
            answer.review_comment = comment
            answer._record(by=by, reason=f"Changes requested: {comment}")
            answer._announce(NotificationKind.CHANGES_REQUESTED, by=by, comment=comment)
            self.refresh_from_db()

    def approve(
        self,
        *,
        by,
        password,
        sources_checked,
        wording_safe,
        comment="",
        next_review_due=None,
        go_live_at=None,
        change_summary="",
        is_correction=False,
        certainty=None,
        certainty_reason=None,
    ):
        """Clinician: sign off the exact content submitted and publish it, now or at
        `go_live_at` (an embargo), due for review on `next_review_due` (default: the interval).
        The clinician's password is their electronic signature, checked here so that no path
        signs without it. `change_summary` (what changed, for the public change log) is
        required when it is republished; `certainty`/`certainty_reason`, when given, confirm
        or change the writer's proposal."""
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.APPROVE, by)
            check_signature(by, password)
            problems = answer._schedule_problems(
                next_review_due=next_review_due, go_live_at=go_live_at
            )
            if not (sources_checked and wording_safe):
                problems.append(
                    "Confirm both checks: you checked the sources, and the wording is safe for patients."
                )
            if answer.content_hash() != answer.submitted_hash:
                problems.append(
                    "The content changed after it was submitted. Send it back so the writer can resubmit it."
                )
            problems += review_checklist(answer).blocking_approval()
            change_summary, change_problems = answer._change_note(change_summary, is_correction)
            problems += change_problems + answer._certainty_problems(certainty, certainty_reason)
            if problems:
                raise WorkflowError(problems)
            revision, content_hash = answer._confirm_certainty(certainty, certainty_reason, by=by)
            now = timezone.now()
            signoff = SignOff.record(
                answer=answer,
                by=by,
                at=now,
                revision=revision,
                content_hash=content_hash,
                comment=comment,
                change_summary=change_summary,
                is_correction=bool(is_correction),
            )
            answer.status = self.Status.PUBLISHED
            answer.last_reviewed_at = now
            answer.next_review_due = next_review_due or (now + settings.REVIEW_INTERVAL).date()
            answer.review_comment = ""
            when = (
                f" (goes live {timezone.localtime(go_live_at):%d %b %Y %H:%M})"
                if go_live_at
                else ""
            )
            answer._record(
                by=by,
                reason=f"Approved and published{when}" + (f": {comment}" if comment else ""),
            )
            PublishedAnswer.publish(answer, signoff=signoff, live_from=go_live_at)
            answer._announce(NotificationKind.APPROVED, by=by, comment=comment.strip())
            self.refresh_from_db()
            return signoff

    def _schedule_problems(self, *, next_review_due=None, go_live_at=None) -> list[str]:
        """What is wrong with a review date or go-live time chosen at sign-off."""
        problems = []
        today = timezone.localdate()
        if next_review_due is not None:
            latest = today + settings.REVIEW_INTERVAL
            if not today < next_review_due <= latest:
                problems.append(
                    f"The next review must be after today and no later than {latest:%d %b %Y} "
                    f"({settings.REVIEW_INTERVAL.days} days)."
                )
        if go_live_at is not None:
            publication = getattr(self, "publication", None)
            if go_live_at <= timezone.now():
                problems.append("Go live at must be in the future: leave it empty to publish now.")
            elif publication is not None and publication.is_public():
                problems.append(
                    "This answer is on the public site now: a new version replaces it when "
                    "approved, so it cannot wait for a go-live time."
                )
        return problems

    def confirm_accurate(
        self,
        *,
        by,
        password,
        sources_checked=True,
        wording_safe=True,
        next_review_due=None,
        comment="",
    ):
        """Clinician: re-sign the published content unchanged (no writer round trip): a new
        sign-off bound to the same content hash and a new revision, new review dates and a
        public snapshot rebuilt with the new reviewer and date."""
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.CONFIRM_ACCURATE, by)
            check_signature(by, password)
            problems = answer._schedule_problems(next_review_due=next_review_due)
            if not (sources_checked and wording_safe):
                problems.append(
                    "Confirm both checks: you checked the sources, and the wording is safe for patients."
                )
            problems += review_checklist(answer).blocking_approval()
            if problems:
                raise WorkflowError(problems)
            with reversion.create_revision():
                reversion.set_user(by)
                reversion.set_comment("Confirmed still accurate")
                reversion.add_to_revision(answer)
            revision = Version.objects.get_for_object(answer).first().revision
            now = timezone.now()
            signoff = SignOff.record(
                answer=answer,
                by=by,
                at=now,
                revision=revision,
                content_hash=answer.publication.content_hash,
                comment=comment,
            )
            answer.last_reviewed_at = now
            answer.next_review_due = next_review_due or (now + settings.REVIEW_INTERVAL).date()
            answer._record(
                by=by,
                reason="Confirmed still accurate" + (f": {comment.strip()}" if comment else ""),
            )
            PublishedAnswer.publish(answer, signoff=signoff, live_from=answer.publication.live_from)
            self.refresh_from_db()
            return signoff

    def reschedule(self, *, by, go_live_at=None, take_down_at=None, take_down_reason=""):
        """Editor: set, move or cancel the go-live (only before it) and the take-down (only
        before it). None cancels: a cancelled embargo goes live now. The reason is shown to
        readers after the take-down."""
        take_down_reason = (take_down_reason or "").strip()
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.SCHEDULE, by)
            publication = PublishedAnswer.objects.select_for_update().get(answer=answer)
            now = timezone.now()
            problems = []
            changes = []
            if publication.live_from > now:
                if go_live_at is not None and go_live_at <= now:
                    problems.append(
                        "Go live at must be in the future: leave it empty to publish now."
                    )
                new_live_from = go_live_at or now
                if new_live_from != publication.live_from:
                    changes.append(
                        f"go live {timezone.localtime(new_live_from):%d %b %Y %H:%M}"
                        if go_live_at
                        else "embargo cancelled, live now"
                    )
                    publication.live_from = new_live_from
            elif go_live_at is not None and go_live_at != publication.live_from:
                problems.append("This answer is already live: its go-live time cannot change.")
            if publication.is_taken_down(now):
                if take_down_at != publication.take_down_at:
                    problems.append(
                        "This answer was already taken down: submit it for medical review to "
                        "publish it again."
                    )
            elif take_down_at is not None:
                if take_down_at <= now or take_down_at <= publication.live_from:
                    problems.append("Take down at must be in the future, after it goes live.")
                if not take_down_reason:
                    problems.append("Say why it is taken down: readers see the reason.")
                if (take_down_at, take_down_reason) != (
                    publication.take_down_at,
                    publication.take_down_reason,
                ):
                    changes.append(
                        f"take down {timezone.localtime(take_down_at):%d %b %Y %H:%M}: "
                        f"{take_down_reason}"
                    )
                publication.take_down_at = take_down_at
                publication.take_down_reason = take_down_reason
                publication.take_down_by = by
            elif publication.take_down_at is not None:
                changes.append("take-down cancelled")
                publication.take_down_at = None
                publication.take_down_reason = ""
                publication.take_down_by = None
            if publication.take_down_at and publication.take_down_at <= publication.live_from:
                problems.append("Take down at must be after the answer goes live.")
            if problems:
                raise WorkflowError(problems)
            if not changes:
                return []
            publication.save()
            answer.record_event(by=by, reason="Schedule changed: " + "; ".join(changes))
            self.refresh_from_db()
            return changes

    def create_preview_link(self, *, by, reviewer_name=""):
        """A read-only link to the submitted draft for an outside reviewer. Returns the link
        and its token: only a hash is stored, so the address is shown once."""
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.SHARE_PREVIEW, by)
            token = secrets.token_urlsafe(32)
            link = PreviewLink.objects.create(
                answer=answer,
                revision=answer.submitted_revision,
                content_hash=answer.submitted_hash,
                token_hash=PreviewLink.hash_token(token),
                reviewer_name=(reviewer_name or "").strip(),
                created_by=by,
                expires_at=timezone.now() + timedelta(days=settings.PREVIEW_LINK_DAYS),
            )
            for_whom = f" for {link.reviewer_name}" if link.reviewer_name else ""
            answer.record_event(by=by, reason=f"Preview link {link.pk} created{for_whom}")
            return link, token

    def _change_note(self, summary, is_correction):
        """The public change log's line for this approval, and what is wrong with it."""
        summary = " ".join((summary or "").split())
        if not PublishedAnswer.objects.filter(answer=self).exists():
            if is_correction:
                return summary, ["A first publication has nothing to correct: untick “Correction”."]
            return FIRST_PUBLISHED, []
        if not summary:
            return summary, [
                "Say in one line what changed since the last published version: readers see it "
                "in the answer's change log."
            ]
        if len(summary) > CHANGE_SUMMARY_MAX:
            return summary, [f"Keep the summary of changes to {CHANGE_SUMMARY_MAX} characters."]
        return summary, []

    def _certainty_problems(self, level, reason):
        if level is None and reason is None:
            return []
        if level not in Certainty.values:
            return ["Choose the certainty of the evidence: high, moderate, low or very low."]
        if not (reason or "").strip():
            return ["Say in one plain sentence why the evidence has this certainty."]
        return []

    def _confirm_certainty(self, level, reason, *, by):
        """The revision and hash the sign-off binds: the submitted ones, or, when the clinician
        changed the certainty statement, a new revision recording their change."""
        reason = " ".join((reason or "").split())
        if level is None or (level, reason) == (self.certainty, self.certainty_reason):
            return self.submitted_revision, self.submitted_hash
        self.certainty, self.certainty_reason = level, reason
        with reversion.create_revision():
            reversion.set_user(by)
            reversion.set_comment("Certainty of evidence changed by the clinician at approval")
            self._record(by=by, reason="Certainty of evidence changed at approval")
        return Version.objects.get_for_object(self).first().revision, self.content_hash()

    def withdraw(self, *, by, reason):
        """Editor: take the public page down (it answers 410 Gone); the content stays as a draft.
        A draft in medical review goes back to draft too: the withdrawal stands until a writer
        resubmits and a clinician, shown the reason, approves again."""
        reason = (reason or "").strip()
        with transaction.atomic():
            answer = self._locked()
            publication = PublishedAnswer.objects.select_for_update().filter(answer=answer).first()
            answer._refuse_unless_allowed(Action.WITHDRAW, by)
            if not reason:
                raise WorkflowError("Say why it is withdrawn: the reason is required.")
            publication.withdrawn_at = timezone.now()
            publication.withdrawn_by = by
            publication.withdrawn_reason = reason
            publication.save()
            answer.status = self.Status.DRAFT
            answer._record(by=by, reason=f"Withdrawn: {reason}")
            answer._announce(NotificationKind.WITHDRAWN, by=by, comment=reason)
            self.refresh_from_db()

    def note_edit(self, *, by):
        """After a save: a published answer whose content no longer matches what was
        approved becomes a draft again (the public keeps the approved snapshot)."""
        with transaction.atomic():
            answer = self._locked()
            if answer.status != self.Status.PUBLISHED or not answer.differs_from_publication:
                return
            answer.status = self.Status.DRAFT
            answer._record(by=by, reason="Edited after publication: new draft")
            self.refresh_from_db()

    def revert_to(self, version, *, by):
        """Restore the content of an earlier version as a new draft revision.
        The public page keeps showing the approved snapshot until a clinician approves again."""
        if version.object_id != str(self.pk) or version.content_type.model_class() is not Answer:
            raise WorkflowError("That version belongs to another answer.")
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.EDIT, by)
            when = timezone.localtime(version.revision.date_created).strftime("%d %b %Y %H:%M")
            with reversion.create_revision():
                try:
                    version.revision.revert(delete=True)
                except RevertError as error:
                    raise WorkflowError(f"That version cannot be restored: {error}") from error
                answer = Answer.objects.get(pk=answer.pk)
                reversion.set_user(by)
                reversion.set_comment(f"Reverted to the version of {when}")
                reversion.add_to_revision(answer)
            if answer.status == self.Status.PUBLISHED and answer.differs_from_publication:
                answer.status = self.Status.DRAFT
            # django-reversion saves raw, which django-simple-history skips: record it here.
            answer._record(by=by, reason=f"Reverted to the version of {when}")
            self.refresh_from_db()


class SectionKind(models.TextChoices):
    PROSE = "prose", "Prose"
    QUESTIONS = "questions", "List of questions"


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
        "“… for MS [9].” or “[2, 5]”. For a list of questions, one “- ” line per question.",
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


class TopicSection(models.Model):
    """One section of the structure new answers in a topic start with."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="structure")
    position = models.PositiveSmallIntegerField(default=0)
    heading = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=SectionKind, default=SectionKind.PROSE)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "section new answers start with"
        verbose_name_plural = "sections new answers start with"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SectionKind.values), name="topic_section_kind_valid"
            ),
        ]

    def __str__(self):
        return self.heading


class SignOff(models.Model):
    """A clinician's approval, bound to the exact content approved (revision and SHA-256):
    an electronic signature, given with their password, recording their printed name, the
    time and what it means."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="signoffs")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signoffs"
    )
    signer_name = models.CharField(
        "signed by",
        max_length=260,
        help_text="The signer's printed name with credentials, as it stood when they signed.",
    )
    meaning = models.CharField("meaning of the signature", max_length=100)
    revision = models.ForeignKey(
        "reversion.Revision", on_delete=models.PROTECT, related_name="signoffs"
    )
    content_hash = models.CharField("SHA-256 of the approved content", max_length=64)
    sources_checked = models.BooleanField()
    wording_safe = models.BooleanField()
    comment = models.TextField(blank=True)
    change_summary = models.CharField(
        "what changed",
        max_length=200,
        blank=True,
        help_text="One line for the public change log, written by the clinician.",
    )
    is_correction = models.BooleanField(
        "correction",
        default=False,
        help_text="This version corrects an error in the previous one: flagged to readers.",
    )
    created_at = models.DateTimeField("signed at", default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"
        constraints = [
            models.CheckConstraint(
                condition=Q(sources_checked=True, wording_safe=True),
                name="signoff_checklist_confirmed",
            ),
            models.CheckConstraint(
                condition=~Q(signer_name="") & ~Q(meaning=""),
                name="signoff_signer_and_meaning_recorded",
            ),
        ]

    def __str__(self):
        return f"{self.meaning} by {self.signer_name} on {self.created_at:%d %b %Y}"

    @classmethod
    def record(cls, *, answer, by, at, revision, content_hash, comment="", **details):
        """The signature of `by` (whose password the caller checked) on exactly this content."""
        return cls.objects.create(
            answer=answer,
            reviewer=by,
            signer_name=printed_name(by),
            meaning=SIGNOFF_MEANING,
            created_at=at,
            revision=revision,
            content_hash=content_hash,
            sources_checked=True,
            wording_safe=True,
            comment=(comment or "").strip(),
            **details,
        )


class PublishedAnswerQuerySet(models.QuerySet):
    """The public side's queries, built once for its pages, API, search, feeds and sitemaps."""

    LISTING_FIELDS = (
        "slug",
        "question",
        "first_published_at",
        "approved_at",
        "next_review_due",
        "topic__name",
        "topic__slug",
    )

    def live(self, *, now=None):
        """What the public sees at `now`: not withdrawn, gone live, not yet taken down. Time
        is a condition of the query, so nothing waits for a job to run."""
        return self.filter(self.live_condition(now=now))

    @staticmethod
    def live_condition(prefix="", *, now=None):
        now = now or timezone.now()
        return (
            Q(**{f"{prefix}withdrawn_at__isnull": True})
            & Q(**{f"{prefix}live_from__lte": now})
            & (
                Q(**{f"{prefix}take_down_at__isnull": True})
                | Q(**{f"{prefix}take_down_at__gt": now})
            )
        )

    def scheduled(self, *, now=None):
        """Publications with a go-live or take-down still to come."""
        now = now or timezone.now()
        return self.filter(withdrawn_at__isnull=True).filter(
            Q(live_from__gt=now) | Q(take_down_at__gt=now)
        )

    def next_scheduled_change(self, *, now=None):
        """The earliest future go-live or take-down among these publications, or None: a
        cache of a page listing them must not outlive it."""
        now = now or timezone.now()
        live_scheduled = self.filter(withdrawn_at__isnull=True)
        moments = [
            live_scheduled.filter(live_from__gt=now).aggregate(m=models.Min("live_from"))["m"],
            live_scheduled.filter(take_down_at__gt=now).aggregate(m=models.Min("take_down_at"))[
                "m"
            ],
        ]
        moments = [m for m in moments if m is not None]
        return min(moments, default=None)

    def next_overdue_notice(self, *, today=None):
        """The start of the next day on which a live page starts telling readers its review
        is overdue (OVERDUE_NOTICE_GRACE_DAYS after it was due), or None: a cached page must
        not outlive it."""
        grace = settings.OVERDUE_NOTICE_GRACE_DAYS
        if grace is None:
            return None
        today = today or timezone.localdate()
        due = self.filter(
            withdrawn_at__isnull=True, next_review_due__gte=today - timedelta(days=grace)
        ).aggregate(m=models.Min("next_review_due"))["m"]
        if due is None:
            return None
        first_day = due + timedelta(days=grace + 1)
        return timezone.make_aware(datetime.combine(first_day, time.min))

    def listing(self, *extra_fields):
        """Live publications with what a list of links shows: never the big HTML columns."""
        return (
            self.live()
            .select_related("topic")
            .only(*self.LISTING_FIELDS, *extra_fields)
            .annotate(
                lead_text=KeyTextTransform("lead_text", "data"),
                approved_topic_name=KeyTextTransform("name", KeyTransform("topic", "data")),
            )
        )

    def for_slug(self, slug):
        """The publication at this address, live or withdrawn, with its topic; else None."""
        return self.select_related("topic").filter(slug=slug).first()

    def live_topics(self):
        """Topics with at least one live answer, with how many and when last reviewed."""
        live = self.live_condition("publications__")
        return Topic.objects.annotate(
            answer_count=Count("publications", filter=live),
            last_reviewed=Max("publications__approved_at", filter=live),
        ).filter(answer_count__gt=0)


SEARCH_CONFIG = "english"


def search_document(question, lead, text):
    """The weighted full-text document of a snapshot: question above lead above sections."""
    return (
        SearchVector(question, weight="A", config=SEARCH_CONFIG)
        + SearchVector(lead, weight="B", config=SEARCH_CONFIG)
        + SearchVector(text, weight="C", config=SEARCH_CONFIG)
    )


def search_document_of_columns():
    """`search_document` from a row's own columns, for recomputing rows in bulk."""
    return search_document(F("question"), KeyTextTransform("lead_text", "data"), F("search_text"))


class PublishedAnswer(models.Model):
    """The public snapshot of an approved answer, rendered when a clinician signs it off.
    Public pages read only this, never the draft rows."""

    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="publication")
    signoff = models.ForeignKey(SignOff, on_delete=models.PROTECT, related_name="+")
    slug = models.SlugField(max_length=120, unique=True)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="publications")
    question = models.CharField(max_length=300)
    lead_html = models.TextField()
    body_html = models.TextField()
    references_html = models.TextField()
    search_text = models.TextField(help_text="Plain text of the lead and sections, for search.")
    data = models.JSONField(help_text="Structured content for the API and structured data.")
    content_hash = models.CharField(max_length=64)
    first_published_at = models.DateTimeField()
    approved_at = models.DateTimeField()
    next_review_due = models.DateField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True)
    live_from = models.DateTimeField(
        "go live at",
        default=timezone.now,
        help_text="The public sees the answer from this moment (an embargo when in the future).",
    )
    take_down_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Time-limited guidance: from this moment the page answers 410 with the reason.",
    )
    take_down_reason = models.TextField(blank=True)
    take_down_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    search_vector = SearchVectorField(
        null=True,
        editable=False,
        help_text="On PostgreSQL, the search document kept by save() (GIN-indexed); "
        "empty elsewhere.",
    )

    objects = PublishedAnswerQuerySet.as_manager()

    class Meta:
        ordering = ["-approved_at"]
        indexes = [
            models.Index(fields=["topic", "-approved_at"]),
            # Home, feed and API list read the newest live snapshots: without this, each
            # request scans every row (the HTML columns make that 60 kB a row).
            models.Index(
                fields=["-approved_at", "id"],
                condition=Q(withdrawn_at__isnull=True),
                name="publishedanswer_live_recent",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(take_down_at__isnull=True) | Q(take_down_at__gt=models.F("live_from")),
                name="publication_take_down_after_go_live",
            ),
        ]

    def __str__(self):
        return self.question

    def save(self, *args, **kwargs):
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        if connections[using].vendor == "postgresql":
            self.search_vector = search_document(
                Value(self.question),
                Value((self.data or {}).get("lead_text", "")),
                Value(self.search_text),
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("question", args=[self.slug])

    def is_embargoed(self, now=None) -> bool:
        return self.live_from > (now or timezone.now())

    def is_taken_down(self, now=None) -> bool:
        return self.take_down_at is not None and self.take_down_at <= (now or timezone.now())

    def is_public(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.withdrawn_at is None and not self.is_embargoed(now) and not self.is_taken_down(now)
        )

    def next_scheduled_change(self, now=None):
        """This page's next go-live or take-down, or None: its cache must not outlive it."""
        now = now or timezone.now()
        if self.withdrawn_at is not None:
            return None
        moments = [m for m in (self.live_from, self.take_down_at) if m is not None and m > now]
        return min(moments, default=None)

    def is_overdue_for_readers(self, today=None) -> bool:
        """Whether readers are told the review is overdue (after the grace period setting)."""
        grace = settings.OVERDUE_NOTICE_GRACE_DAYS
        if grace is None:
            return False
        today = today or timezone.localdate()
        return today > self.next_review_due + timedelta(days=grace)

    @property
    def state(self) -> str:
        if self.withdrawn_at is not None:
            return "Withdrawn"
        if self.is_embargoed():
            return "Scheduled to go live"
        if self.is_taken_down():
            return "Taken down"
        if self.take_down_at is not None:
            return "Live, take-down scheduled"
        return "Live"

    @classmethod
    def build(cls, answer, *, reviewer=None, approved_at=None, next_review_due=None):
        """An unsaved snapshot of the answer's current content: the clinician's preview."""
        return cls(
            answer=answer,
            **snapshot_fields(
                answer,
                reviewer=reviewer,
                approved_at=approved_at,
                next_review_due=next_review_due,
            ),
        )

    @classmethod
    def publish(cls, answer, *, signoff, live_from=None):
        """Replace the answer's public snapshot with its signed-off content, public from
        `live_from` (default: the sign-off). A take-down still to come is kept."""
        snapshot = cls.build(
            answer,
            reviewer=signoff.reviewer,
            approved_at=signoff.created_at,
            next_review_due=answer.next_review_due,
        )
        if snapshot.content_hash != signoff.content_hash:
            raise ValueError("The content to publish is not the content signed off.")
        snapshot.data["changes"] = change_log(
            answer.signoffs.select_related("reviewer__contributor").order_by("-created_at")
        )
        previous = cls.objects.filter(answer=answer).first()
        if previous is not None:
            snapshot.pk = previous.pk
            snapshot.first_published_at = previous.first_published_at
            # A re-approved answer keeps its public address, even if the draft's slug changed.
            snapshot.slug = previous.slug
            if (
                previous.take_down_at
                and not previous.is_taken_down()
                and not previous.withdrawn_at
                and previous.take_down_at > (live_from or signoff.created_at)
            ):
                snapshot.take_down_at = previous.take_down_at
                snapshot.take_down_reason = previous.take_down_reason
                snapshot.take_down_by = previous.take_down_by
        snapshot.live_from = live_from or signoff.created_at
        snapshot.signoff = signoff
        snapshot.save()
        return snapshot


class FeedbackKind(models.TextChoices):
    HELPFUL = "helpful", "Helpful"
    NOT_HELPFUL = "not_helpful", "Not helpful"
    PROBLEM = "problem", "Problem reported"


class ReaderFeedback(models.Model):
    """A reader's "Was this helpful? / Report a problem", tied to the version they saw."""

    Kind = FeedbackKind

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="feedback")
    signoff = models.ForeignKey(
        SignOff,
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

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="review_comments")
    section = models.ForeignKey(
        Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="review_comments"
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

    @staticmethod
    def _check_may_take_part(user):
        if not (user.has_perm("answers.change_answer") or user.has_perm("answers.review_answer")):
            raise WorkflowError(
                "Only the answer's writers, editors and clinicians take part in its comments."
            )

    def reply(self, *, by, text):
        self._check_may_take_part(by)
        text = (text or "").strip()
        if not text:
            raise WorkflowError("Write a reply first: it is empty.")
        return self.replies.create(author=by, text=text)

    def resolve(self, *, by):
        self._check_may_take_part(by)
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


class PreviewLink(models.Model):
    """A read-only, expiring, revocable link to a draft in medical review for an outside
    expert. Only a SHA-256 of the token is stored; the link shows the submitted content and
    stops working if the answer leaves review or its content is no longer the submitted one."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="preview_links")
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
            answer.status != Answer.Status.IN_REVIEW
            or answer.submitted_hash != self.content_hash
            or answer.content_hash() != self.content_hash
        ):
            return (
                "This draft has changed or is no longer in medical review, so the link no "
                "longer opens."
            )
        return ""

    def revoke(self, *, by):
        if not (by.has_perm("answers.review_answer") or by.has_perm("answers.withdraw_answer")):
            raise WorkflowError("Only clinicians and editors revoke preview links.")
        with transaction.atomic():
            link = PreviewLink.objects.select_for_update().get(pk=self.pk)
            if link.revoked_at is not None:
                raise WorkflowError("This link is already revoked.")
            link.revoked_at = timezone.now()
            link.revoked_by = by
            link.save(update_fields=["revoked_at", "revoked_by"])
            self.answer.record_event(by=by, reason=f"Preview link {link.pk} revoked")
        self.refresh_from_db()

    def record_opening(self):
        self.answer.record_event(
            by=None,
            reason=f"Preview link {self.pk} opened"
            + (f" (for {self.reviewer_name})" if self.reviewer_name else ""),
        )

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


class SitePage(models.Model):
    """An editor-managed page about the publisher (about us, editorial policy, funding…).
    Editors publish it directly; django-simple-history keeps every version and who made it."""

    slug = models.SlugField(
        max_length=60, unique=True, help_text="Its address: /about/<slug>/ (“about-us”)."
    )
    title = models.CharField(max_length=150)
    summary = models.CharField(
        max_length=300, blank=True, help_text="One line shown in the list of these pages."
    )
    body = models.TextField(help_text="Markdown.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the list.")
    is_published = models.BooleanField(
        "published",
        default=False,
        help_text="Shown to the public. Write only what is true of the publisher.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(verbose_name="site page version")

    class Meta:
        ordering = ["position", "title"]
        verbose_name = "about page"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("site_page", args=[self.slug])
