"""The glossary: plain definitions of the words patients meet in the answers. A definition
is medical content, so it goes through the same workflow as an answer: a writer drafts it,
submits it, and a clinician who did not write it signs it off with their password, bound to
the content they saw. The public reads only the signed-off columns (`public_*`), which a
writer's next draft never touches. django-simple-history keeps every version."""

import hashlib
import json
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from audit.models import ChainedRecord

from ..people import printed_name
from .approval import check_shown
from .errors import WorkflowError
from .fields import set_by_workflow
from .search import SynonymSet, parse_synonym_terms
from .signoffs import check_signature
from .workflow import WorkflowMixin

# A definition readers take in at a glance: one to three sentences.
MAX_DEFINITION_SENTENCES = 3
MAX_DEFINITION_CHARS = 600
GLOSSARY_SIGNOFF_MEANING = "Medically reviewed and approved (glossary definition)"
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


class TermStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In medical review"
    PUBLISHED = "published", "Published"


def split_other_names(text) -> list[str]:
    """ "heart attack, MI" → ["heart attack", "MI"]: commas or semicolons, blanks dropped."""
    return [name.strip() for name in re.split(r"[,;]", text or "") if name.strip()]


def validate_definition(text):
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write the definition: one to three plain sentences.")
    if len(text) > MAX_DEFINITION_CHARS:
        raise ValidationError(
            f"Keep the definition under {MAX_DEFINITION_CHARS} characters "
            f"(it has {len(text)}): one to three plain sentences."
        )
    if "\n" in text.strip():
        raise ValidationError("Write the definition as one paragraph, without line breaks.")
    sentences = len(_SENTENCE_END.findall(text)) or 1
    if sentences > MAX_DEFINITION_SENTENCES:
        raise ValidationError(
            f"Keep the definition to {MAX_DEFINITION_SENTENCES} sentences at most "
            f"(it has {sentences})."
        )


def validate_other_names(term, other_names):
    """A term and its other names become a search synonym set once signed off: they must
    make one (no name twice, however spelt; each a word or short phrase)."""
    if split_other_names(other_names):
        parse_synonym_terms(", ".join([term.strip(), *split_other_names(other_names)]))


class GlossaryTermQuerySet(models.QuerySet):
    def public(self):
        """Terms a clinician signed off and no editor took down: what readers see."""
        return self.exclude(approved_at=None).exclude(public_definition="")

    def waiting_for_review(self):
        return self.filter(status=TermStatus.IN_REVIEW)


class GlossaryTerm(WorkflowMixin, models.Model):
    term = models.CharField(
        max_length=100, help_text="The word as readers meet it, e.g. “ejection fraction”."
    )
    slug = models.SlugField(max_length=110, unique=True, editable=False)
    definition = models.TextField(
        help_text="One to three plain sentences a patient understands, without the term itself "
        "where you can."
    )
    other_names = models.CharField(
        max_length=300,
        blank=True,
        help_text="Other words for the same thing, separated by commas (“EF”). Search finds "
        "the answers using any of them.",
    )
    status = models.CharField(
        max_length=20, choices=TermStatus, default=TermStatus.DRAFT, editable=False
    )
    review_comment = models.TextField(
        "clinician's comment",
        blank=True,
        editable=False,
        help_text="What the clinician asked to change, shown until it is submitted again.",
    )
    submitted_by = set_by_workflow(settings.AUTH_USER_MODEL)
    submitted_hash = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # What readers see: written only by `approve` (and cleared by `withdraw`).
    public_term = models.CharField(max_length=100, blank=True, editable=False)
    public_definition = models.TextField(blank=True, editable=False)
    public_other_names = models.CharField(max_length=300, blank=True, editable=False)
    approved_by = set_by_workflow(settings.AUTH_USER_MODEL)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_hash = models.CharField(max_length=64, blank=True, editable=False)

    history = HistoricalRecords(verbose_name="glossary term version", bases=[ChainedRecord])
    objects = GlossaryTermQuerySet.as_manager()

    class Meta:
        ordering = [Lower("term")]
        permissions = [
            ("submit_glossaryterm", "Can submit a glossary term for medical review"),
            ("review_glossaryterm", "Can approve a glossary term or request changes"),
            ("withdraw_glossaryterm", "Can take a glossary term off the public site"),
        ]
        constraints = [
            models.UniqueConstraint(Lower("term"), name="glossary_term_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(status__in=TermStatus.values), name="glossary_term_status"
            ),
        ]

    def __str__(self):
        return self.term

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = _free_slug(self.term, exclude=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("glossary") + f"#{self.slug}"

    def clean(self):
        if self.status == TermStatus.IN_REVIEW and self.pk:
            stored = GlossaryTerm.objects.filter(pk=self.pk).first()
            if stored and stored.content_hash() != self.content_hash():
                raise ValidationError(IN_REVIEW_NOT_EDITABLE)
        try:
            validate_definition(self.definition)
        except ValidationError as error:
            raise ValidationError({"definition": error.messages}) from None
        try:
            validate_other_names(self.term, self.other_names)
        except ValidationError as error:
            raise ValidationError({"other_names": error.messages}) from None
        clash = GlossaryTerm.objects.filter(term__iexact=self.term.strip()).exclude(pk=self.pk)
        if clash.exists():
            raise ValidationError({"term": "This term is already in the glossary."})

    # ------------------------------------------------------------------ state

    def content_hash(self) -> str:
        """SHA-256 of what a clinician signs: the term, its definition and other names."""
        payload = json.dumps(
            [self.term.strip(), self.definition.strip(), split_other_names(self.other_names)],
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def is_public(self) -> bool:
        return self.approved_at is not None and bool(self.public_definition)

    @property
    def differs_from_publication(self) -> bool:
        return self.is_public and self.content_hash() != self.approved_hash

    @property
    def is_draft(self) -> bool:
        """Not in review and not exactly what readers see: a writer may submit it."""
        if self.status == TermStatus.IN_REVIEW:
            return False
        return not self.is_public or self.differs_from_publication

    def contributors_since_publication(self) -> set[int]:
        """Everyone who changed the wording since its last sign-off, and who submitted it:
        none of them may sign it off. Versions that only moved it through the workflow (a
        clinician sending it back, say) changed no wording and do not count."""
        people = set()
        previous = None
        versions = self.history.order_by("history_date", "history_id").values_list(
            "history_date", "history_user", "term", "definition", "other_names"
        )
        for when, user, *wording in versions:
            changed = wording != previous
            previous = wording
            if changed and user is not None and (not self.approved_at or when > self.approved_at):
                people.add(user)
        if self.submitted_by_id:
            people.add(self.submitted_by_id)
        return people

    def refusals(self, action, user) -> list[str]:
        """Why `user` may not do `action` ("edit", "submit", "review", "withdraw") now."""
        status = self.get_status_display().lower()
        if action == "edit":
            if not user.has_perm("answers.change_glossaryterm"):
                return ["You do not have permission to change glossary terms."]
            if self.status == TermStatus.IN_REVIEW:
                return [IN_REVIEW_NOT_EDITABLE]
        elif action == "submit":
            if not user.has_perm("answers.submit_glossaryterm"):
                return ["You do not have permission to submit glossary terms for review."]
            if not self.is_draft:
                return [f"Only a draft can be submitted; this term is {status}."]
        elif action == "review":
            if not user.has_perm("answers.review_glossaryterm"):
                return ["Only medical reviewers approve definitions or request changes."]
            if self.status != TermStatus.IN_REVIEW:
                return [f"This term is not waiting for medical review: it is {status}."]
        elif action == "approve":
            problems = self.refusals("review", user)
            if problems:
                return problems
            if user.pk in self.contributors_since_publication():
                return [
                    "You wrote or changed this definition, so another clinician must sign it off."
                ]
        elif action == "withdraw":
            if not user.has_perm("answers.withdraw_glossaryterm"):
                return ["Only editors take glossary terms off the public site."]
            if not self.is_public:
                return ["This term is not on the public site."]
        return []

    # ------------------------------------------------------------ transitions

    def submit(self, *, by):
        """Writer: send the definition to medical review, bound to its wording now."""
        with transaction.atomic():
            term = self._locked()
            term._refuse_unless_allowed("submit", by)
            try:
                validate_definition(term.definition)
                validate_other_names(term.term, term.other_names)
            except ValidationError as error:
                raise WorkflowError(error.messages) from None
            term.status = TermStatus.IN_REVIEW
            term.submitted_by = by
            term.submitted_hash = term.content_hash()
            term.review_comment = ""
            term._record(
                by=by,
                reason="Submitted for medical review",
                update_fields=[
                    "status",
                    "submitted_by",
                    "submitted_hash",
                    "review_comment",
                    "updated_at",
                ],
            )
            self.refresh_from_db()

    def request_changes(self, *, by, comment):
        comment = (comment or "").strip()
        with transaction.atomic():
            term = self._locked()
            term._refuse_unless_allowed("review", by)
            if not comment:
                raise WorkflowError("Say what to change: the writer sees your comment.")
            term.status = TermStatus.PUBLISHED if term.is_public else TermStatus.DRAFT
            term.review_comment = comment
            term._record(
                by=by,
                reason=f"Changes requested: {comment}",
                update_fields=["status", "review_comment", "updated_at"],
            )
            self.refresh_from_db()

    def approve(self, *, by, password, shown_hash, comment=""):
        """Clinician: sign off exactly the wording the page showed (`shown_hash`) with their
        password; readers then see it. Nothing is signed if it moved since submission."""
        with transaction.atomic():
            term = self._locked()
            term._refuse_unless_allowed("approve", by)
            current = term.content_hash()
            check_shown(shown_hash, current)
            if current != term.submitted_hash:
                raise WorkflowError(
                    "This definition changed after it was submitted: send it back so the "
                    "writer submits the version to review."
                )
            check_signature(by, password)
            now = timezone.now()
            GlossarySignOff.objects.create(
                term=term,
                reviewer=by,
                signer_name=printed_name(by),
                meaning=GLOSSARY_SIGNOFF_MEANING,
                created_at=now,
                content_hash=current,
                comment=(comment or "").strip(),
            )
            term.status = TermStatus.PUBLISHED
            term.public_term = term.term.strip()
            term.public_definition = term.definition.strip()
            term.public_other_names = ", ".join(split_other_names(term.other_names))
            term.approved_by, term.approved_at, term.approved_hash = by, now, current
            term.review_comment = ""
            self._sync_synonyms(term)
            term._record(
                by=by,
                reason=f"Approved by {printed_name(by)} (content {current[:12]})",
                update_fields=[
                    "status",
                    "public_term",
                    "public_definition",
                    "public_other_names",
                    "approved_by",
                    "approved_at",
                    "approved_hash",
                    "review_comment",
                    "updated_at",
                ],
            )
            self.refresh_from_db()

    def _sync_synonyms(self, term):
        """Its signed-off names, as one search synonym set (none while it is not public)."""
        note = f"glossary:{term.slug}"
        SynonymSet.objects.filter(source=SynonymSet.Source.GLOSSARY, source_note=note).delete()
        if term.public_definition and term.public_other_names:
            SynonymSet.objects.create(
                terms=", ".join([term.public_term, *split_other_names(term.public_other_names)]),
                source=SynonymSet.Source.GLOSSARY,
                source_note=note,
            )

    def withdraw(self, *, by, reason):
        reason = (reason or "").strip()
        with transaction.atomic():
            term = self._locked()
            term._refuse_unless_allowed("withdraw", by)
            if not reason:
                raise WorkflowError("Give the reason for taking the term down.")
            term.public_term = term.public_definition = term.public_other_names = ""
            term.approved_at, term.approved_hash = None, ""
            if term.status == TermStatus.PUBLISHED:
                term.status = TermStatus.DRAFT
            self._sync_synonyms(term)
            term._record(
                by=by,
                reason=f"Taken off the public site: {reason}",
                update_fields=[
                    "status",
                    "public_term",
                    "public_definition",
                    "public_other_names",
                    "approved_at",
                    "approved_hash",
                    "updated_at",
                ],
            )
            self.refresh_from_db()


IN_REVIEW_NOT_EDITABLE = (
    "This term is in medical review and cannot be changed until the clinician finishes."
)


def _free_slug(term, *, exclude=None):
    base = slugify(term)[:100] or "term"
    slug, n = base, 2
    while GlossaryTerm.objects.filter(slug=slug).exclude(pk=exclude).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


class GlossarySignOff(ChainedRecord):
    """A clinician's signature on one definition's exact wording (its SHA-256)."""

    audit_when, audit_who, audit_subject = "created_at", "signer_name", "term_id"

    term = models.ForeignKey(GlossaryTerm, on_delete=models.CASCADE, related_name="signoffs")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="glossary_signoffs"
    )
    signer_name = models.CharField("signed by", max_length=260)
    meaning = models.CharField("meaning of the signature", max_length=100)
    created_at = models.DateTimeField()
    content_hash = models.CharField("SHA-256 of the approved wording", max_length=64)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "glossary sign-off"

    def __str__(self):
        return f"{self.term} signed by {self.signer_name}"
