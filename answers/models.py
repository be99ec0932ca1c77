"""The editorial domain: topics, questions, answers and their sections, and the review workflow.

Every change of `Answer.status` happens in one of the transition methods below
(`submit`, `request_changes`, `approve`, `withdraw`, `note_edit`, `revert_to`); each
locks the row, checks the starting state and the actor's rights, and raises
`WorkflowError` otherwise.
"""

import hashlib
import json
from enum import StrEnum

import reversion
from django.conf import settings
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import connections, models, router, transaction
from django.db.models import Count, F, Max, Q, Value
from django.db.models.fields.json import KeyTextTransform
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from reversion.errors import RevertError
from reversion.models import Version
from simple_history.models import HistoricalRecords

from citations.identifiers import validate_orcid
from citations.models import Reference

from .articles import disclaimer_for
from .checklist import review_checklist
from .people import display_name
from .publishing import snapshot_fields


class WorkflowError(Exception):
    """A transition was refused. `problems` lists every reason, in words a writer understands."""

    def __init__(self, problems):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(" ".join(self.problems))


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
        base = slugify(text)[:100].strip("-") or "question"
        slug, n = base, 2
        others = Question.objects.exclude(pk=exclude_pk)
        while others.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug


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

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return self.byline_name

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
        """In review and not written or edited by `user` (who may not sign off their own work)."""
        return self.awaiting_review().exclude(writers=user).exclude(submitted_by=user)

    def review_overdue(self, *, today=None):
        today = today or timezone.localdate()
        return self.published().filter(next_review_due__lt=today)


class Action(StrEnum):
    """What a person may try to do with an answer; `Answer.refusals` says whether they may now."""

    SUBMIT = "submit"
    REQUEST_CHANGES = "request_changes"
    APPROVE = "approve"
    WITHDRAW = "withdraw"
    EDIT = "edit"  # change the content, including restoring an earlier version


NOT_YOUR_SIGN_OFF = "You wrote or edited this answer, so another clinician must sign it off."


class AnswerStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In medical review"
    PUBLISHED = "published", "Published"


@reversion.register(follow=["question", "sections", "citations"])
class Answer(models.Model):
    """One answer per question. django-reversion keeps each saved version with its question,
    sections and citations (never the shared references themselves)."""

    Status = AnswerStatus
    Action = Action

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="answer")
    lead = models.TextField(
        "short answer",
        blank=True,
        help_text="The plain-language answer patients read first. Separate paragraphs with a blank line.",
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
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AnswerStatus.values),
                name="answer_status_valid",
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
        return {
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
            if self.status != self.Status.DRAFT:
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
        elif action == Action.EDIT:
            if not user.has_perm("answers.change_answer"):
                return ["You do not have permission to change answers."]
            if not self.is_editable:
                return [
                    "This answer is in medical review and cannot be changed until the "
                    "clinician finishes."
                ]
        return []

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

    def submit(self, *, by):
        """Writer: send a draft to medical review, bound to its content as it stands now."""
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.SUBMIT, by)
            problems = review_checklist(answer).blocking_submission()
            if problems:
                raise WorkflowError(problems)
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
            answer._record(by=by, reason="Submitted for medical review")
            self.refresh_from_db()

    def request_changes(self, *, by, comment):
        """Clinician: send the answer back to its writers with a comment they must address."""
        comment = (comment or "").strip()
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.REQUEST_CHANGES, by)
            if not comment:
                raise WorkflowError("Say what needs to change: the comment is required.")
            answer.status = self.Status.DRAFT
            answer.review_comment = comment
            answer._record(by=by, reason=f"Changes requested: {comment}")
            self.refresh_from_db()

    def approve(self, *, by, sources_checked, wording_safe, comment=""):
        """Clinician: sign off the exact content submitted and publish it."""
        with transaction.atomic():
            answer = self._locked()
            answer._refuse_unless_allowed(Action.APPROVE, by)
            problems = []
            if not (sources_checked and wording_safe):
                problems.append(
                    "Confirm both checks: you checked the sources, and the wording is safe for patients."
                )
            if answer.content_hash() != answer.submitted_hash:
                problems.append(
                    "The content changed after it was submitted. Send it back so the writer can resubmit it."
                )
            problems += review_checklist(answer).blocking_approval()
            if problems:
                raise WorkflowError(problems)
            now = timezone.now()
            signoff = SignOff.objects.create(
                answer=answer,
                reviewer=by,
                revision=answer.submitted_revision,
                content_hash=answer.submitted_hash,
                sources_checked=True,
                wording_safe=True,
                comment=comment.strip(),
            )
            answer.status = self.Status.PUBLISHED
            answer.last_reviewed_at = now
            answer.next_review_due = (now + settings.REVIEW_INTERVAL).date()
            answer.review_comment = ""
            answer._record(
                by=by, reason="Approved and published" + (f": {comment}" if comment else "")
            )
            PublishedAnswer.publish(answer, signoff=signoff)
            self.refresh_from_db()
            return signoff

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


class SignOff(models.Model):
    """A clinician's approval, bound to the exact content approved (revision and SHA-256)."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="signoffs")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signoffs"
    )
    revision = models.ForeignKey(
        "reversion.Revision", on_delete=models.PROTECT, related_name="signoffs"
    )
    content_hash = models.CharField("SHA-256 of the approved content", max_length=64)
    sources_checked = models.BooleanField()
    wording_safe = models.BooleanField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"
        constraints = [
            models.CheckConstraint(
                condition=Q(sources_checked=True, wording_safe=True),
                name="signoff_checklist_confirmed",
            ),
        ]

    def __str__(self):
        return f"Signed off by {display_name(self.reviewer)} on {self.created_at:%d %b %Y}"


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

    def live(self):
        return self.filter(withdrawn_at__isnull=True)

    def listing(self, *extra_fields):
        """Live publications with what a list of links shows: never the big HTML columns."""
        return (
            self.live()
            .select_related("topic")
            .only(*self.LISTING_FIELDS, *extra_fields)
            .annotate(lead_text=KeyTextTransform("lead_text", "data"))
        )

    def for_slug(self, slug):
        """The publication at this address, live or withdrawn, with its topic; else None."""
        return self.select_related("topic").filter(slug=slug).first()

    def live_topics(self):
        """Topics with at least one live answer, with how many and when last reviewed."""
        live = Q(publications__withdrawn_at__isnull=True)
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
    def publish(cls, answer, *, signoff):
        """Replace the answer's public snapshot with its signed-off content."""
        snapshot = cls.build(
            answer,
            reviewer=signoff.reviewer,
            approved_at=signoff.created_at,
            next_review_due=answer.next_review_due,
        )
        if snapshot.content_hash != signoff.content_hash:
            raise ValueError("The content to publish is not the content signed off.")
        previous = cls.objects.filter(answer=answer).first()
        if previous is not None:
            snapshot.pk = previous.pk
            snapshot.first_published_at = previous.first_published_at
            # A re-approved answer keeps its public address, even if the draft's slug changed.
            snapshot.slug = previous.slug
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
