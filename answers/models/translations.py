"""Translations of an answer: made from one approved version of the English answer (its
sign-off), written and signed off in their own language through the same workflow as the
answer (draft, in medical review, published; the clinician's password bound to the content
hash; never by someone who wrote it), with their own public snapshot and history.

Citations and references are the source's: a translation's citation markers must be the
source version's, part by part, so the numbering and the reference list stay the same.
When the source is approved with new content, every translation is marked out of date in
the same transaction (`source_approved`); when the source is withdrawn, so are they
(`source_withdrawn`).
"""

import hashlib
import json
from contextlib import contextmanager

import reversion
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import connections, models, router, transaction
from django.db.models import F, Q, Value
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import override as language_override
from reversion.models import Version
from simple_history.models import HistoricalRecords

from audit.models import ChainedRecord
from citations.markers import CITATION_MARKER_RE, split_labels
from notifications.models import Notification, NotificationKind
from notifications.tasks import announce
from ops.tasks import enqueue_on_commit

from ..get_help import GET_HELP
from ..people import person, printed_name
from ..publishing import help_levels
from ..rendering import plain_text, render_markdown
from .choices import AnswerStatus, SectionKind, TranslationStatus
from .errors import WorkflowError
from .fields import set_by_workflow
from .publication import PublishedAnswer
from .signoffs import check_shown, check_signature
from .topics import TopicName
from .workflow import WorkflowMixin

TRANSLATION_SIGNOFF_MEANING = "Medically reviewed and approved (translation into {language})"
IN_REVIEW_NOT_EDITABLE = (
    "This translation is in medical review and cannot be changed until the clinician finishes."
)


def language_name(code) -> str:
    """A language's English name, as editors read it in the admin ("Spanish")."""
    return LANG_INFO.get(code, {}).get("name", code)


def marker_sequence(text) -> list[str]:
    """The citation labels of `text`, in the order cited, each as often as cited."""
    return [
        label
        for match in CITATION_MARKER_RE.finditer(text or "")
        for label in split_labels(match.group(1))
    ]


# ---------------------------------------------------------------- the source version


class SourceVersion:
    """The English answer exactly as one sign-off approved it, read from that sign-off's
    django-reversion revision: what a translation is made from and checked against."""

    def __init__(self, signoff):
        self.signoff = signoff
        answer_version = None
        question_version = None
        sections = []
        for version in signoff.revision.version_set.select_related("content_type"):
            model = version.content_type.model
            if model == "answer" and int(version.object_id) == signoff.answer_id:
                answer_version = version.field_dict
            elif model == "question":
                question_version = version.field_dict
            elif model == "section" and version.field_dict["answer_id"] == signoff.answer_id:
                sections.append((version.field_dict, int(version.object_id)))
        if answer_version is None or question_version is None:
            raise ValueError(f"Sign-off {signoff.pk} has no stored version of its answer.")
        self.question = question_version["text"]
        self.slug = question_version["slug"]
        self.lead = answer_version["lead"]
        self.sections = [
            {"heading": fields["heading"], "kind": fields["kind"], "body": fields["body"]}
            for fields, _ in sorted(sections, key=lambda item: (item[0]["position"], item[1]))
        ]
        self.content_hash = signoff.content_hash
        self.approved_at = signoff.created_at

    def parts(self) -> list[tuple[str, str]]:
        """(name, text) of each translatable part, as the translation's are named."""
        parts = [("question", self.question), ("lead", self.lead)]
        for index, section in enumerate(self.sections, start=1):
            parts.append((f"section-{index}-heading", section["heading"]))
            parts.append((f"section-{index}-body", section["body"]))
        return parts


def part_label(name) -> str:
    """How a writer reads a part's name: "section-2-body" → "section 2's text"."""
    if name == "question":
        return "the question"
    if name == "lead":
        return "the short answer"
    _, index, which = name.split("-")
    return f"section {index}'s {'heading' if which == 'heading' else 'text'}"


# ---------------------------------------------------------------- queries


class TranslationQuerySet(models.QuerySet):
    def in_language(self, language):
        return self.filter(language=language)

    def out_of_date(self):
        """Made from a source version that is no longer the approved one."""
        return self.filter(out_of_date_since__isnull=False)

    def awaiting_review(self):
        return self.filter(status=AnswerStatus.IN_REVIEW)

    def with_publication(self):
        return self.filter(publication__isnull=False, publication__withdrawn_at__isnull=True)

    def live(self):
        """Translations readers see: published, not withdrawn, their source live."""
        return self.with_publication().filter(
            PublishedAnswer.objects.live_condition("answer__publication__")
        )


# ---------------------------------------------------------------- the translation


@reversion.register(follow=["sections"])
class Translation(WorkflowMixin, models.Model):
    """One answer in one other language, made from the source version `source_signoff`
    approved. Its status moves only in the methods below."""

    Status = AnswerStatus

    answer = models.ForeignKey(
        "answers.Answer", on_delete=models.CASCADE, related_name="translations"
    )
    language = models.CharField(max_length=10, editable=False)
    source_signoff = models.ForeignKey(
        "answers.SignOff",
        on_delete=models.PROTECT,
        related_name="translations",
        editable=False,
        verbose_name="made from the source version",
        help_text="The approved English version this translation is made from.",
    )
    question_text = models.CharField("question", max_length=300, blank=True)
    slug = models.SlugField(
        max_length=120,
        blank=True,
        help_text="Its address in this language, e.g. /es/<slug>/. Made from the question "
        "when left empty.",
    )
    lead = models.TextField(
        "short answer",
        blank=True,
        help_text="Keep the source's citation markers, e.g. “[1]”: references are shared.",
    )
    status = models.CharField(
        max_length=20, choices=TranslationStatus, default=AnswerStatus.DRAFT, editable=False
    )
    out_of_date_since = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the English answer was approved again with new content: the "
        "translation is then being updated, and readers are told.",
    )
    writers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="written_translations", blank=True
    )
    review_comment = models.TextField("clinician's comment", blank=True, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_by = set_by_workflow(settings.AUTH_USER_MODEL)
    submitted_hash = models.CharField(max_length=64, blank=True, editable=False)
    submitted_revision = set_by_workflow("reversion.Revision")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(
        excluded_fields=["updated_at", "created_at", "lead", "submitted_hash"],
        verbose_name="translation audit log entry",
        verbose_name_plural="translation audit log",
        bases=[ChainedRecord],
    )
    objects = TranslationQuerySet.as_manager()

    class Meta:
        ordering = ["language", "-updated_at"]
        permissions = [
            ("submit_translation", "Can submit translations for medical review"),
            ("review_translation", "Can approve translations or request changes"),
            ("withdraw_translation", "Can withdraw published translations"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["answer", "language"], name="translation_one_per"),
            models.UniqueConstraint(
                fields=["language", "slug"],
                condition=~Q(slug=""),
                name="translation_slug_unique_per_language",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TranslationStatus.values), name="translation_status_valid"
            ),
            models.CheckConstraint(condition=~Q(language="en"), name="translation_not_english"),
        ]

    def __str__(self):
        return f"{self.answer} ({language_name(self.language)})"

    def save(self, *args, **kwargs):
        if not self.slug and self.question_text.strip():
            self.slug = self.free_slug(self.question_text)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("admin:answers_translation_change", args=[self.pk])

    def free_slug(self, text):
        base = slugify(text)[:110] or "answer"
        slug, n = base, 2
        taken = Translation.objects.filter(language=self.language).exclude(pk=self.pk)
        while taken.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    @property
    def language_name(self):
        return language_name(self.language)

    # ------------------------------------------------------------ content

    def ordered_sections(self):
        return sorted(self.sections.all(), key=lambda s: (s.position, s.pk or 0))

    def source(self) -> SourceVersion:
        return SourceVersion(self.source_signoff)

    def parts(self) -> list[tuple[str, str]]:
        parts = [("question", self.question_text), ("lead", self.lead)]
        for index, section in enumerate(self.ordered_sections(), start=1):
            parts.append((f"section-{index}-heading", section.heading))
            parts.append((f"section-{index}-body", section.body))
        return parts

    def canonical_content(self) -> dict:
        """What a clinician signs: the translated words and the source version they
        translate (its hash covers the citations and references they share)."""
        return {
            "language": self.language,
            "source": self.source_signoff.content_hash,
            "question": self.question_text,
            "lead": self.lead,
            "sections": [
                {"heading": s.heading, "kind": s.kind, "body": s.body}
                for s in self.ordered_sections()
            ],
        }

    def content_hash(self) -> str:
        payload = json.dumps(
            self.canonical_content(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def problems(self) -> list[str]:
        """What keeps this translation from review: missing words, a different shape than
        the source version, citation markers that are not the source's."""
        source = self.source()
        problems = []
        sections = self.ordered_sections()
        if len(sections) != len(source.sections):
            problems.append(
                f"The English version has {len(source.sections)} sections and this translation "
                f"has {len(sections)}: translate each section once, in the same order."
            )
        mine = dict(self.parts())
        for name, text in source.parts():
            if name not in mine:
                continue
            label = part_label(name)
            if text.strip() and not mine[name].strip():
                problems.append(f"Translate {label}: it is empty.")
                continue
            expected, found = sorted(marker_sequence(text)), sorted(marker_sequence(mine[name]))
            if expected != found:
                problems.append(
                    f"The citation markers in {label} are {_markers(found)}; the English "
                    f"version has {_markers(expected)}. Keep the same markers: the references "
                    "are shared."
                )
        for index, (section, source_section) in enumerate(
            zip(sections, source.sections, strict=False), start=1
        ):
            if section.kind != source_section["kind"]:
                problems.append(
                    f"Section {index} is a {section.get_kind_display().lower()} section; the "
                    "English version's is not: keep each section's kind."
                )
        if not self.slug:
            problems.append("Give the translation an address (slug).")
        elif (
            PublishedTranslation.objects.filter(language=self.language, slug=self.slug)
            .exclude(translation=self.pk)
            .exists()
        ):
            problems.append(
                f"Another {self.language_name} answer is published at /{self.language}/"
                f"questions/{self.slug}/: choose another address (slug)."
            )
        return problems

    # ------------------------------------------------------------ state

    @property
    def is_out_of_date(self) -> bool:
        return self.out_of_date_since is not None

    @property
    def has_publication(self) -> bool:
        publication = getattr(self, "publication", None)
        return publication is not None and publication.withdrawn_at is None

    @property
    def differs_from_publication(self) -> bool:
        publication = getattr(self, "publication", None)
        return publication is None or publication.content_hash != self.content_hash()

    @property
    def is_draft(self) -> bool:
        if self.status == AnswerStatus.DRAFT:
            return True
        return self.status == AnswerStatus.PUBLISHED and self.differs_from_publication

    def contributors_since_publication(self) -> set[int]:
        """Who wrote or changed it since its last approval, and who submitted it: none of
        them may sign it off."""
        ids = set(self.writers.values_list("pk", flat=True))
        versions = Version.objects.get_for_object(self)
        publication = getattr(self, "publication", None)
        if publication is not None:
            versions = versions.filter(revision__date_created__gt=publication.approved_at)
        ids.update(versions.exclude(revision__user=None).values_list("revision__user", flat=True))
        if self.submitted_by_id:
            ids.add(self.submitted_by_id)
        return ids

    def refusals(self, action, user) -> list[str]:
        """Why `user` may not do `action` ("edit", "submit", "review", "approve", "update",
        "withdraw") now; `user` None is the shell or a command (only the state is checked)."""
        status = self.get_status_display().lower()
        if action in ("edit", "update"):
            if user is not None and not user.has_perm("answers.change_translation"):
                return ["You do not have permission to change translations."]
            if self.status == AnswerStatus.IN_REVIEW:
                return [IN_REVIEW_NOT_EDITABLE]
            if action == "update" and not self.is_out_of_date:
                return ["This translation is made from the approved English version already."]
        elif action == "submit":
            if not user.has_perm("answers.submit_translation"):
                return ["You do not have permission to submit translations for review."]
            if not self.is_draft:
                return [f"Only a draft can be submitted; this translation is {status}."]
            if self.is_out_of_date:
                return [OUT_OF_DATE_FIRST]
        elif action in ("review", "approve"):
            if not user.has_perm("answers.review_translation"):
                return ["Only medical reviewers approve translations or request changes."]
            if self.status != AnswerStatus.IN_REVIEW:
                return [f"This translation is not waiting for medical review: it is {status}."]
            if action == "approve":
                contributor = getattr(user, "contributor", None)
                if contributor is None or not contributor.works_in(self.language):
                    return [
                        f"Only a clinician who declared {self.language_name} on their "
                        "contributor profile signs off translations into it."
                    ]
                if user.pk in self.contributors_since_publication():
                    return [
                        "You wrote or changed this translation, so another clinician must "
                        "sign it off."
                    ]
                if self.is_out_of_date:
                    return [OUT_OF_DATE_FIRST]
        elif action == "withdraw":
            if not user.has_perm("answers.withdraw_translation"):
                return ["Only editors take translations off the public site."]
            if not self.has_publication:
                return ["This translation is not on the public site."]
        return []

    def review_link(self) -> str:
        """The translation's page on the desk, where notifications about it lead."""
        return reverse("admin:answers_translation_change", args=[self.pk])

    def _announce(self, kind, *, by, comment=""):
        """Notify the people concerned once this transaction commits (`answers.notify`)."""
        enqueue_on_commit(
            announce,
            about="translation",
            kind=kind.value,
            translation_id=self.pk,
            actor_id=by.pk if by else None,
            comment=comment,
        )

    def _close_review_requests(self, why):
        Notification.objects.filter(
            kind=NotificationKind.SUBMITTED, answer_id=self.answer_id, link=self.review_link()
        ).mark_done(why=why)

    # ------------------------------------------------------------ transitions

    @classmethod
    def start(cls, *, answer, language, by):
        """A new draft translation of `answer`'s approved version into `language`, with an
        empty section for each of the source's (never the English words, which would
        otherwise reach the page as "Spanish")."""
        if language not in settings.CONTENT_LANGUAGES:
            offered = ", ".join(settings.CONTENT_LANGUAGES) or "none: the site is English only"
            raise WorkflowError(
                f"The site is not translated into {language}. Languages: {offered}."
            )
        if by is not None and not by.has_perm("answers.add_translation"):
            raise WorkflowError("You do not have permission to start translations.")
        with transaction.atomic():
            publication = (
                PublishedAnswer.objects.select_for_update()
                .select_related("signoff")
                .filter(answer=answer, withdrawn_at__isnull=True)
                .first()
            )
            if publication is None:
                raise WorkflowError(
                    "Only a published answer is translated: a translation is made from the "
                    "version a clinician approved."
                )
            if cls.objects.filter(answer=answer, language=language).exists():
                raise WorkflowError(
                    f"This answer already has a {language_name(language)} translation."
                )
            source = SourceVersion(publication.signoff)
            with reversion.create_revision():
                translation = cls(
                    answer=answer, language=language, source_signoff_id=publication.signoff_id
                )
                translation._record(
                    by=by, reason=f"Translation into {language_name(language)} started"
                )
                for position, section in enumerate(source.sections, start=1):
                    TranslatedSection.objects.create(
                        translation=translation, position=position, kind=section["kind"]
                    )
                if by is not None:
                    translation.writers.add(by)
                    reversion.set_user(by)
                reversion.set_comment("Translation started")
                reversion.add_to_revision(translation)
            return translation

    @contextmanager
    def editing(self, *, by, comment):
        """The one way code changes a translation's words (the admin's form, an XLIFF
        import, the shell): refused unless `by` may edit it now; the block is one version
        with `comment`; a published translation whose words now differ becomes a draft."""
        comment = " ".join((comment or "").split())[:2000]
        with transaction.atomic():
            translation = self._locked()
            translation._refuse_unless_allowed("edit", by)
            with reversion.create_revision():
                yield translation
                translation._record(by=by, reason=comment)
                if by is not None:
                    translation.writers.add(by)
                    reversion.set_user(by)
                reversion.set_comment(comment)
                reversion.add_to_revision(translation)
            translation.note_edit(by=by)
        self.refresh_from_db()

    def note_edit(self, *, by):
        """After a save: published words that are no longer what was approved are a draft."""
        with transaction.atomic():
            translation = self._locked()
            if (
                translation.status == AnswerStatus.PUBLISHED
                and translation.differs_from_publication
            ):
                translation.status = AnswerStatus.DRAFT
                translation._record(by=by, reason="Edited after publication: new draft")
        self.refresh_from_db()

    def update_source(self, *, by):
        """Make this out-of-date translation from the English version approved now: its
        words stay (the translator revises them), it becomes a draft needing a new
        sign-off, and the public keeps its approved snapshot, with the notice, meanwhile."""
        with transaction.atomic():
            translation = self._locked()
            translation._refuse_unless_allowed("update", by)
            publication = translation.answer.publication
            translation.source_signoff_id = publication.signoff_id
            translation.out_of_date_since = None
            if translation.status == AnswerStatus.PUBLISHED:
                translation.status = AnswerStatus.DRAFT
            with reversion.create_revision():
                translation._record(
                    by=by,
                    reason="Now made from the English version approved on "
                    f"{timezone.localtime(publication.approved_at):%d %b %Y}",
                )
                if by is not None:
                    reversion.set_user(by)
                reversion.set_comment("Made from the new English version")
                reversion.add_to_revision(translation)
        self.refresh_from_db()

    def submit(self, *, by):
        """Writer: send the translation to medical review, bound to its words now."""
        with transaction.atomic():
            translation = self._locked()
            translation._refuse_unless_allowed("submit", by)
            problems = translation.problems()
            if problems:
                raise WorkflowError(problems)
            with reversion.create_revision():
                reversion.set_user(by)
                reversion.set_comment("Submitted for medical review")
                reversion.add_to_revision(translation)
            translation.status = AnswerStatus.IN_REVIEW
            translation.submitted_at = timezone.now()
            translation.submitted_by = by
            translation.submitted_hash = translation.content_hash()
            translation.submitted_revision = (
                Version.objects.get_for_object(translation).first().revision
            )
            translation.review_comment = ""
            translation._record(by=by, reason="Submitted for medical review")
            translation._announce(NotificationKind.SUBMITTED, by=by)
        self.refresh_from_db()

    def request_changes(self, *, by, comment):
        comment = (comment or "").strip()
        with transaction.atomic():
            translation = self._locked()
            translation._refuse_unless_allowed("review", by)
            if not comment:
                raise WorkflowError("Say what to change: the translator sees your comment.")
            translation.status = (
                AnswerStatus.PUBLISHED
                if translation.has_publication and not translation.differs_from_publication
                else AnswerStatus.DRAFT
            )
            translation.review_comment = comment
            translation._record(by=by, reason=f"Changes requested: {comment}")
            translation._close_review_requests(f"Sent back by {printed_name(by)}")
            translation._announce(NotificationKind.CHANGES_REQUESTED, by=by, comment=comment)
        self.refresh_from_db()

    def approve(self, *, by, password, shown_hash, faithful, wording_safe, comment=""):
        """A clinician who reads the language signs off exactly the words the page showed
        (`shown_hash`) with their password; readers then see them at /<language>/<slug>/."""
        with transaction.atomic():
            translation = self._locked()
            translation._refuse_unless_allowed("approve", by)
            current = translation.content_hash()
            check_shown(shown_hash, current)
            check_signature(by, password)
            problems = []
            if not (faithful and wording_safe):
                problems.append(
                    "Confirm both checks: the translation says what the English version says, "
                    "and the wording is safe for patients."
                )
            if current != translation.submitted_hash:
                problems.append(
                    "The translation changed after it was submitted. Send it back so the "
                    "translator can resubmit it."
                )
            problems += translation.problems()
            if problems:
                raise WorkflowError(problems)
            now = timezone.now()
            signoff = TranslationSignOff.objects.create(
                translation=translation,
                reviewer=by,
                signer_name=printed_name(by),
                meaning=TRANSLATION_SIGNOFF_MEANING.format(language=translation.language_name),
                created_at=now,
                revision=translation.submitted_revision,
                content_hash=current,
                source_hash=translation.source_signoff.content_hash,
                comment=(comment or "").strip(),
            )
            translation.status = AnswerStatus.PUBLISHED
            translation.review_comment = ""
            translation._record(
                by=by,
                reason=f"Approved and published by {printed_name(by)} (content {current[:12]})"
                + (f": {comment.strip()}" if comment.strip() else ""),
            )
            PublishedTranslation.publish(translation, signoff=signoff)
            translation._close_review_requests(f"Approved by {printed_name(by)}")
            translation._announce(NotificationKind.APPROVED, by=by)
        self.refresh_from_db()
        return signoff

    def withdraw(self, *, by, reason):
        """Editor: take the translated page down; its words stay as a draft."""
        reason = (reason or "").strip()
        with transaction.atomic():
            translation = self._locked()
            translation._refuse_unless_allowed("withdraw", by)
            if not reason:
                raise WorkflowError("Say why it is withdrawn: the reason is required.")
            translation._take_down(by=by, reason=reason)
        self.refresh_from_db()

    def _take_down(self, *, by, reason):
        publication = PublishedTranslation.objects.select_for_update().get(translation=self)
        publication.withdrawn_at = timezone.now()
        publication.withdrawn_by = by
        publication.withdrawn_reason = reason
        publication.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
        self.status = AnswerStatus.DRAFT
        self._record(by=by, reason=f"Withdrawn: {reason}")


OUT_OF_DATE_FIRST = (
    "The English answer was approved again since this translation was made: first make it "
    "from the new version (“Update to the new English version”), then revise it."
)


def _markers(labels) -> str:
    return ", ".join(f"[{label}]" for label in labels) if labels else "none"


@reversion.register()
class TranslatedSection(models.Model):
    """One section of a translation, in the source's order and of the source's kind."""

    translation = models.ForeignKey(Translation, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(default=0)
    heading = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=20, choices=SectionKind, default=SectionKind.PROSE)
    body = models.TextField(blank=True, help_text="Markdown; keep the source's citation markers.")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SectionKind.values), name="translated_section_kind_valid"
            ),
        ]

    def __str__(self):
        return self.heading or f"Section {self.position}"


# ---------------------------------------------------------------- the signature


class TranslationSignOff(ChainedRecord):
    """A clinician's signature on one translation's exact words (SHA-256), made from one
    source version (its hash), with their password."""

    audit_when, audit_who, audit_subject = "created_at", "signer_name", "translation_id"

    translation = models.ForeignKey(Translation, on_delete=models.CASCADE, related_name="signoffs")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="translation_signoffs"
    )
    signer_name = models.CharField("signed by", max_length=260)
    meaning = models.CharField("meaning of the signature", max_length=100)
    revision = models.ForeignKey(
        "reversion.Revision", on_delete=models.PROTECT, related_name="translation_signoffs"
    )
    content_hash = models.CharField("SHA-256 of the approved translation", max_length=64)
    source_hash = models.CharField("SHA-256 of the English version translated", max_length=64)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField("signed at", default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "translation sign-off"

    def __str__(self):
        return f"{self.meaning} by {self.signer_name} on {self.created_at:%d %b %Y}"


# ---------------------------------------------------------------- the public snapshot

# PostgreSQL's text-search configurations by language (those it ships with): each
# language's stemming ("tratamientos" finds "tratamiento"); "simple" for the others.
TEXT_SEARCH_CONFIGS = {
    "es": "spanish",
    "fr": "french",
    "de": "german",
    "it": "italian",
    "pt": "portuguese",
    "pt-br": "portuguese",
    "nl": "dutch",
    "ru": "russian",
}


def text_search_config(language) -> str:
    return TEXT_SEARCH_CONFIGS.get(language, "simple")


def translation_search_document(question, text, *, language):
    """The weighted full-text document of a translated snapshot, in its language's
    configuration: the question above the text."""
    config = text_search_config(language)
    return SearchVector(question, weight="A", config=config) + SearchVector(
        text, weight="C", config=config
    )


def translation_search_document_of_columns(language):
    """`translation_search_document` from a row's own columns, for filling rows in bulk."""
    return translation_search_document(F("question"), F("search_text"), language=language)


class PublishedTranslation(models.Model):
    """The public snapshot of an approved translation: the translated words rendered with
    the source version's citation numbers, and the source's formatted references."""

    translation = models.OneToOneField(
        Translation, on_delete=models.CASCADE, related_name="publication"
    )
    signoff = models.ForeignKey(TranslationSignOff, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=10)
    slug = models.SlugField(max_length=120)
    question = models.CharField(max_length=300)
    lead_html = models.TextField()
    body_html = models.TextField()
    references_html = models.TextField()
    search_text = models.TextField()
    data = models.JSONField()
    content_hash = models.CharField(max_length=64)
    source_hash = models.CharField(max_length=64)
    first_published_at = models.DateTimeField()
    approved_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_reason = models.TextField(blank=True)
    search_vector = SearchVectorField(
        null=True,
        editable=False,
        help_text="On PostgreSQL, the search document in the language's configuration, kept "
        "by save() (GIN-indexed); empty elsewhere.",
    )

    class Meta:
        ordering = ["-approved_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["language", "slug"], name="published_translation_slug_per_language"
            ),
        ]

    def __str__(self):
        return self.question

    # The fields the search document is made from: a save that writes one makes it again.
    SEARCH_SOURCE_FIELDS = frozenset({"question", "search_text", "language", "search_vector"})

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        if connections[using].vendor == "postgresql" and (
            update_fields is None or self.SEARCH_SOURCE_FIELDS.intersection(update_fields)
        ):
            self.search_vector = translation_search_document(
                Value(self.question), Value(self.search_text), language=self.language
            )
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_vector"}
        super().save(*args, **kwargs)

    @classmethod
    def publish(cls, translation, *, signoff):
        """Replace the translation's public snapshot with its signed-off words."""
        source_publication = translation.answer.publication
        if source_publication.signoff.content_hash != signoff.source_hash:
            raise ValueError("The English version translated is not the one published.")
        numbers = {
            reference["label"]: reference["number"]
            for reference in source_publication.data.get("references", [])
        }
        first_cited: set[int] = set()
        lead_html = render_markdown(translation.lead, numbers=numbers, first_cited=first_cited)
        sections = []
        for index, section in enumerate(translation.ordered_sections(), start=1):
            rendered = {
                "anchor": f"section-{index}",
                "heading": section.heading,
                "kind": section.kind,
                "html": render_markdown(section.body, numbers=numbers, first_cited=first_cited),
                "text": plain_text(section.body),
            }
            if section.kind == GET_HELP and (levels := help_levels(section.body)):
                rendered.update(levels)
                rendered["text"] = " ".join(
                    sign for level in levels["levels"] for sign in level["signs"]
                )
            sections.append(rendered)
        # The topic as readers of this language know it, when editors named it in the
        # language: the disclaimer names it (else the generic one, never the English name).
        topic_name = TopicName.objects.filter(
            topic_id=source_publication.topic_id, language=translation.language
        ).first()
        with language_override(translation.language):
            disclaimer = topic_name.disclaimer() if topic_name else None
            body_html = render_to_string(
                "answers/includes/answer_body.html", {"sections": sections}
            )
            for section in sections:
                if section.get("levels"):
                    section["html"] = render_to_string(
                        "answers/includes/get_help.html", {"section": section}
                    )
        data = {
            "question": translation.question_text,
            "lead_text": plain_text(translation.lead),
            "sections": sections,
            "references": source_publication.data.get("references", []),
            "reviewer": person(signoff.reviewer),
            "source": {
                "slug": source_publication.slug,
                "question": source_publication.question,
                "approved_at": source_publication.approved_at.isoformat(),
            },
        }
        if topic_name is not None:
            data["topic"] = {
                "id": source_publication.topic_id,
                "slug": source_publication.topic.slug,
                "name": topic_name.name,
            }
        if disclaimer:
            data["disclaimer"] = disclaimer
        previous = cls.objects.filter(translation=translation).first()
        snapshot = cls(
            pk=previous.pk if previous else None,
            translation=translation,
            signoff=signoff,
            language=translation.language,
            slug=previous.slug if previous else translation.slug,
            question=translation.question_text,
            lead_html=lead_html,
            body_html=body_html,
            references_html=source_publication.references_html,
            search_text=" ".join([data["lead_text"]] + [s["text"] for s in sections]),
            data=data,
            content_hash=signoff.content_hash,
            source_hash=signoff.source_hash,
            first_published_at=previous.first_published_at if previous else signoff.created_at,
            approved_at=signoff.created_at,
        )
        snapshot.save()
        return snapshot


# ---------------------------------------------------------------- following the source


def source_approved(answer, *, signoff):
    """The English answer was approved as `signoff`: every translation made from other
    content is out of date from now (called inside the approval's transaction)."""
    _follow_source(
        answer,
        signoff=signoff,
        by=signoff.reviewer,
        stale_reason="Out of date: the English version was approved again on "
        f"{timezone.localtime(signoff.created_at):%d %b %Y}",
    )


def source_restored(answer, *, signoff, by, why):
    """Readers see the English version `signoff` approved again (a release taken back,
    `why`): translations made from it are current again, the others out of date (called
    inside the take-back's transaction)."""
    _follow_source(
        answer,
        signoff=signoff,
        by=by,
        stale_reason=f"Out of date: {why}; the English version approved on "
        f"{timezone.localtime(signoff.created_at):%d %b %Y} is shown again",
        current_reason=f"Current again: {why}; the English version it is made from is shown again",
    )


def _follow_source(answer, *, signoff, by, stale_reason, current_reason=None):
    """Out of date follows what readers see of the English answer: translations made from
    other content than `signoff`'s are out of date from now; with `current_reason`, those
    made from its content stop being out of date."""
    now = timezone.now()
    rows = (
        Translation.objects.filter(answer=answer)
        .select_related("source_signoff")
        .select_for_update()
    )
    for translation in rows:
        current = translation.source_signoff.content_hash == signoff.content_hash
        if not current and translation.out_of_date_since is None:
            translation.out_of_date_since = now
            translation._record(by=by, reason=stale_reason)
        elif current and translation.out_of_date_since is not None and current_reason:
            translation.out_of_date_since = None
            translation._record(by=by, reason=current_reason)


def source_withdrawn(answer, *, by, reason):
    """The English answer was withdrawn: so are its published translations (called inside
    the withdrawal's transaction)."""
    for translation in Translation.objects.filter(answer=answer).select_for_update():
        if translation.has_publication:
            translation._take_down(by=by, reason=f"The English answer was withdrawn: {reason}")
