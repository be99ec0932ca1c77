"""The reference library: one Reference per work, cited by answers through Citation rows."""

import re

import reversion
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from audit.models import ChainedRecord

from ..csl import CSLValueError, clean_names, date_problem
from ..formatting import missing_fields
from ..identifiers import (
    normalize_pmcid,
    normalize_pmid,
    strip_doi,
    validate_doi,
    validate_pmcid,
    validate_pmid,
)


class EvidenceLevel(models.TextChoices):
    SYSTEMATIC_REVIEW = "systematic_review", "Systematic review or meta-analysis"
    RANDOMISED_TRIAL = "randomised_trial", "Randomised controlled trial"
    OTHER_TRIAL = "other_trial", "Other clinical trial"
    OBSERVATIONAL = "observational", "Observational study"
    CASE_REPORT = "case_report", "Case report"
    NARRATIVE_REVIEW = "narrative_review", "Narrative review"
    GUIDELINE = "guideline", "Guideline"
    UNKNOWN = "unknown", "Not stated"


# Checked in order: the first publication type that matches decides the level.
EVIDENCE_KEYWORDS = [
    (EvidenceLevel.SYSTEMATIC_REVIEW, ("systematic review", "meta-analysis", "meta analysis")),
    (EvidenceLevel.GUIDELINE, ("guideline", "consensus", "position statement")),
    (EvidenceLevel.RANDOMISED_TRIAL, ("randomized", "randomised")),
    (EvidenceLevel.OTHER_TRIAL, ("clinical trial", "trial")),
    (EvidenceLevel.OBSERVATIONAL, ("cohort", "case-control", "observational", "cross-sectional")),
    (EvidenceLevel.CASE_REPORT, ("case report", "case series")),
    (EvidenceLevel.NARRATIVE_REVIEW, ("review",)),
]


class ReferenceQuerySet(models.QuerySet):
    def retracted(self):
        return self.filter(retracted=True)

    def matching(self, *, doi="", pmid=""):
        """References sharing the DOI or PMID of a record: how imports find the work already held."""
        q = Q(pk__in=[])
        if doi:
            q |= Q(doi__iexact=strip_doi(doi))
        if pmid:
            q |= Q(pmid=normalize_pmid(pmid))
        return self.filter(q)


class ReferenceType(models.TextChoices):
    ARTICLE_JOURNAL = "article-journal", "Journal article"
    BOOK = "book", "Book"
    CHAPTER = "chapter", "Book chapter"
    REPORT = "report", "Report"
    WEBPAGE = "webpage", "Web page"
    DATASET = "dataset", "Dataset"


class Reference(models.Model):
    """A published work. CSL-JSON fields as columns, so writers can edit them and
    identifiers can be indexed and kept unique; `csl` holds the same item as CSL-JSON."""

    Type = ReferenceType

    type = models.CharField(
        max_length=30, choices=ReferenceType, default=ReferenceType.ARTICLE_JOURNAL
    )
    title = models.CharField(max_length=1000, blank=True)
    authors = models.JSONField(
        default=list,
        blank=True,
        help_text='CSL-JSON names: a list of {"family": ..., "given": ...} or {"literal": ...}.',
    )
    container_title = models.CharField("journal", max_length=500, blank=True)
    container_title_short = models.CharField("journal abbreviation", max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    month = models.PositiveSmallIntegerField(null=True, blank=True)
    day = models.PositiveSmallIntegerField(null=True, blank=True)
    volume = models.CharField(max_length=50, blank=True)
    issue = models.CharField(max_length=50, blank=True)
    page = models.CharField("pages", max_length=50, blank=True)
    # NULL, not "", for "no DOI": the unique constraints must allow many references without one.
    doi = models.CharField(  # noqa: DJ001
        "DOI", max_length=255, null=True, blank=True, validators=[validate_doi]
    )
    pmid = models.CharField(  # noqa: DJ001
        "PubMed ID", max_length=8, null=True, blank=True, validators=[validate_pmid]
    )
    pmcid = models.CharField(
        "PubMed Central ID", max_length=20, blank=True, validators=[validate_pmcid]
    )
    url = models.URLField("URL", max_length=1000, blank=True)
    publication_type = models.CharField(
        max_length=200, blank=True, help_text="As the journal or PubMed states it, e.g. Review."
    )
    note = models.TextField(blank=True)
    is_placeholder = models.BooleanField(
        default=False,
        help_text="Created for a citation whose work could not be identified: fill in or replace.",
    )
    retracted = models.BooleanField(default=False)
    retraction_doi = models.CharField(
        "retraction notice DOI", max_length=255, blank=True, validators=[validate_doi]
    )
    csl = models.JSONField("CSL-JSON", default=dict, editable=False)
    evidence_level = models.CharField(
        max_length=30, choices=EvidenceLevel, default=EvidenceLevel.UNKNOWN, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Who changed the work and when: a clinician who changed a reference an answer cites may
    # not sign that answer off.
    history = HistoricalRecords(
        excluded_fields=["updated_at", "csl", "evidence_level"], bases=[ChainedRecord]
    )
    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            # DOIs are case-insensitive: one work, however its DOI is capitalised.
            models.UniqueConstraint(Lower("doi"), name="reference_unique_doi"),
            models.UniqueConstraint(fields=["pmid"], name="reference_unique_pmid"),
            models.CheckConstraint(
                condition=Q(type__in=ReferenceType.values),
                name="reference_type_valid",
            ),
            models.CheckConstraint(condition=~Q(doi=""), name="reference_doi_null_not_blank"),
            models.CheckConstraint(condition=~Q(pmid=""), name="reference_pmid_null_not_blank"),
        ]

    def __str__(self):
        """The short citation, then the title: how a writer picks the work from a list. The
        title is whole up to a length no real title reaches (the desk shows titles whole)."""
        if self.title:
            return f"{self.short_citation}: {_clip(self.title, 400)}"
        return self.short_citation

    def save(self, *args, **kwargs):
        self.derive_fields()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("admin:citations_reference_change", args=[self.pk])

    @property
    def short_citation(self) -> str:
        """How every page and message names the work: "Packer 2020, NEJM" (first author's
        family name, year, journal abbreviation), never by the library's internal id. What
        is unknown is said, not guessed: "Untitled work (no author or year)"."""
        first = self.authors[0] if self.authors and isinstance(self.authors[0], dict) else {}
        who = (first.get("family") or first.get("literal") or "").strip()
        journal = (self.container_title_short or self.container_title).strip()
        if not who and not self.year:
            if self.title:
                name = f"“{_clip(self.title, 60)}” (no author or year)"
            elif self.is_placeholder:
                name = "Unidentified work (no author or year)"
            else:
                name = "Untitled work (no author or year)"
        elif not who:
            name = (
                f"“{_clip(self.title, 60)}” {self.year}" if self.title else f"No author {self.year}"
            )
        elif not self.year:
            name = f"{who} (no year)"
        else:
            name = f"{who} {self.year}"
        return f"{name}, {_clip(journal, 60)}" if journal else name

    def named(self, *, label=None) -> str:
        """The short citation, and the number the current answer cites it under, if any:
        "Packer 2020, NEJM, cited here as [3]"."""
        name = self.short_citation
        return f"{name}, cited here as [{label}]" if label else name

    def derive_fields(self):
        """The normalised identifiers and the columns kept from the others: what save()
        does, for a bulk insert (which calls no save())."""
        self.doi = (strip_doi(self.doi) if self.doi else "") or None
        self.pmid = (normalize_pmid(self.pmid) if self.pmid else "") or None
        self.pmcid = normalize_pmcid(self.pmcid) if self.pmcid else ""
        self.retraction_doi = strip_doi(self.retraction_doi) if self.retraction_doi else ""
        self.csl = self.to_csl()
        self.evidence_level = evidence_level_for(self.publication_type)

    def clean(self):
        """What the readers check, for every other path (the admin form, the shell)."""
        problem = date_problem(self.year, self.month, self.day)
        if problem:
            raise ValidationError({problem[0]: f"The date {problem[1]}."})
        try:
            self.authors = clean_names(self.authors or [])
        except CSLValueError as error:
            raise ValidationError({"authors": f"Authors: {error}."}) from None

    def to_csl(self, *, item_id=None) -> dict:
        """This reference as a CSL-JSON item (what citeproc-py formats)."""
        item = {"type": self.type, "title": self.title}
        if item_id is not None:
            item["id"] = str(item_id)
        if self.authors:
            item["author"] = self.authors
        date = [part for part in (self.year, self.month, self.day) if part]
        if self.year:
            item["issued"] = {"date-parts": [date]}
        fields = {
            "container-title": self.container_title,
            "container-title-short": self.container_title_short,
            "volume": self.volume,
            "issue": self.issue,
            "page": self.page,
            "DOI": self.doi,
            "PMID": self.pmid,
            "PMCID": self.pmcid,
            "URL": self.url,
            "genre": self.publication_type,
            "note": self.note,
        }
        item.update({key: value for key, value in fields.items() if value})
        return item

    @classmethod
    def from_csl(cls, item: dict, **extra) -> "Reference":
        """An unsaved Reference from a CSL-JSON item, as the readers produce them."""
        parts = (item.get("issued") or {}).get("date-parts") or [[]]
        parts = [int(p) for p in (parts[0] if parts else []) if str(p).isdigit()]
        parts += [None] * (3 - len(parts))
        return cls(
            type=item.get("type")
            if item.get("type") in cls.Type.values
            else cls.Type.ARTICLE_JOURNAL,
            title=item.get("title", ""),
            authors=item.get("author", []),
            container_title=item.get("container-title", ""),
            container_title_short=item.get("container-title-short", ""),
            year=parts[0],
            month=parts[1],
            day=parts[2],
            volume=str(item.get("volume", "")),
            issue=str(item.get("issue", "")),
            page=str(item.get("page", "")),
            doi=item.get("DOI") or None,
            pmid=item.get("PMID") or None,
            pmcid=item.get("PMCID", ""),
            url=item.get("URL", ""),
            publication_type=item.get("genre", ""),
            note=item.get("note", ""),
            **extra,
        )

    def missing_fields(self) -> list[str]:
        """What a complete citation still needs, in words a writer understands."""
        missing = missing_fields(self.to_csl())
        if self.is_placeholder and "work not identified" not in missing:
            missing.insert(0, "work not identified")
        return missing

    @property
    def is_complete(self) -> bool:
        return not self.missing_fields()


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def evidence_level_for(publication_type: str) -> str:
    text = (publication_type or "").lower()
    for level, keywords in EVIDENCE_KEYWORDS:
        if any(keyword in text for keyword in keywords):
            return level
    return EvidenceLevel.UNKNOWN


CITATION_LABEL_RE = re.compile(r"[0-9]{1,6}")
"""What a Citation's label may be: the number its text uses, as the constraint says."""


@reversion.register()
class Citation(models.Model):
    """An answer citing a reference under the label its text uses, e.g. [9]."""

    answer = models.ForeignKey("answers.Answer", on_delete=models.CASCADE, related_name="citations")
    reference = models.ForeignKey(Reference, on_delete=models.PROTECT, related_name="citations")
    label = models.CharField(
        max_length=6,
        help_text="The number the text uses in its markers: 9 for [9].",
    )

    class Meta:
        ordering = ["answer", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "label"], name="citation_unique_label"),
            models.UniqueConstraint(
                fields=["answer", "reference"], name="citation_unique_reference"
            ),
            models.CheckConstraint(
                condition=Q(label__regex=r"^[0-9]{1,6}$"), name="citation_label_digits"
            ),
        ]

    def __str__(self):
        return f"[{self.label}] {self.reference.short_citation}"
