"""What is published about a work after the fact (retractions, withdrawals, expressions of
concern, corrections), and the runs of the retraction watch that look for it."""

import calendar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..identifiers import strip_doi, validate_doi


class NoticeKind(models.TextChoices):
    RETRACTION = "retraction", "Retraction"
    WITHDRAWAL = "withdrawal", "Withdrawal"
    CONCERN = "concern", "Expression of concern"
    CORRECTION = "correction", "Correction"


# Kinds that block approval of an answer citing the work until a clinician handles them.
BLOCKING_NOTICE_KINDS = (NoticeKind.RETRACTION, NoticeKind.WITHDRAWAL, NoticeKind.CONCERN)


class ReferenceNoticeQuerySet(models.QuerySet):
    def blocking(self):
        return self.filter(kind__in=BLOCKING_NOTICE_KINDS)

    def unhandled(self):
        return self.filter(acknowledged_at__isnull=True)


class ReferenceNotice(models.Model):
    """A retraction, withdrawal, expression of concern or correction published about a
    work, as Crossref or PubMed records it. Found by the retraction watch."""

    Kind = NoticeKind
    BLOCKING_KINDS = BLOCKING_NOTICE_KINDS

    reference = models.ForeignKey(
        "citations.Reference", on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=20, choices=NoticeKind)
    date = models.CharField(
        max_length=10,
        blank=True,
        help_text="As precise as the source gives it: 2010, 2010-02 or 2010-02-06.",
    )
    notice_doi = models.CharField(
        "notice DOI", max_length=255, blank=True, validators=[validate_doi]
    )
    notice_pmid = models.CharField("notice PubMed ID", max_length=8, blank=True)
    link = models.URLField(max_length=1000, blank=True)
    source = models.CharField(max_length=300, help_text="Where the watch found it.")
    first_seen_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handling_note = models.TextField(
        "how it was handled",
        blank=True,
        help_text="What the clinician decided, e.g. “Removed from the answer”.",
    )

    objects = ReferenceNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["reference", "-first_seen_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference", "kind", "notice_doi"], name="notice_unique_per_reference"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=NoticeKind.values), name="notice_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(date="") | Q(date__regex=r"^\d{4}(-\d{2}(-\d{2})?)?$"),
                name="notice_date_iso",
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | ~Q(handling_note=""),
                name="notice_acknowledged_with_note",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.reference.short_citation}" + (
            f" ({self.notice_doi})" if self.notice_doi else ""
        )

    def save(self, *args, **kwargs):
        self.notice_doi = strip_doi(self.notice_doi) if self.notice_doi else ""
        if not self.link and self.notice_doi:
            self.link = "https://doi.org/" + self.notice_doi
        elif not self.link and self.notice_pmid:
            self.link = f"https://pubmed.ncbi.nlm.nih.gov/{self.notice_pmid}/"
        super().save(*args, **kwargs)

    @property
    def blocks_approval(self) -> bool:
        return self.kind in BLOCKING_NOTICE_KINDS and self.acknowledged_at is None

    @property
    def date_text(self) -> str:
        """ "6 February 2010", "February 2010" or "2010"."""
        parts = [int(p) for p in self.date.split("-")] if self.date else []
        if len(parts) == 3:
            return f"{parts[2]} {calendar.month_name[parts[1]]} {parts[0]}"
        if len(parts) == 2:
            return f"{calendar.month_name[parts[1]]} {parts[0]}"
        return str(parts[0]) if parts else ""

    def public_text(self) -> str:
        """The short factual line readers see beside the reference."""
        when = self.date_text
        when = (f" on {when}" if self.date.count("-") == 2 else f" in {when}") if when else ""
        what = {
            NoticeKind.RETRACTION: f"This study was retracted{when}",
            NoticeKind.WITHDRAWAL: f"This study was withdrawn{when}",
            NoticeKind.CONCERN: f"The journal published an expression of concern about this study{when}",
            NoticeKind.CORRECTION: f"A correction to this study was published{when}",
        }[self.kind]
        return f"{what}; this page is being reviewed."

    def acknowledge(self, *, by, note):
        """A clinician records how the notice was handled: it no longer blocks approval."""
        note = (note or "").strip()
        if not by.has_perm("citations.change_referencenotice"):
            raise PermissionDenied("Only a clinician can record how a notice was handled.")
        if not note:
            raise ValidationError("Say how the notice was handled.")
        self.acknowledged_by, self.acknowledged_at, self.handling_note = by, timezone.now(), note
        self.save(update_fields=["acknowledged_by", "acknowledged_at", "handling_note"])


class RetractionCheckQuerySet(models.QuerySet):
    def completed(self):
        """Runs that finished having checked every reference they were to check (a retry
        that checked all the rest completes the watch too)."""
        return self.filter(finished_at__isnull=False, failures=[])


class RetractionCheck(models.Model):
    """One run of the retraction watch: what it checked, found, and failed to check. A run
    that could not check some references is retried for those, later (`retry_of`)."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    checked = models.PositiveIntegerField(default=0)
    notices_found = models.PositiveIntegerField(default=0)
    failures = models.JSONField(
        default=list, blank=True, help_text="One message per reference that could not be checked."
    )
    unchecked = models.JSONField(
        default=list, blank=True, help_text="The ids of the references that could not be checked."
    )
    attempt = models.PositiveSmallIntegerField(default=1)
    retry_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="retry"
    )
    retry_at = models.DateTimeField(
        null=True, blank=True, help_text="When the references it could not check are tried again."
    )
    causes = models.JSONField(
        default=dict,
        blank=True,
        help_text="Why references could not be checked, with how many each: "
        '{"Crossref could not be reached": 6}.',
    )

    objects = RetractionCheckQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        get_latest_by = "started_at"

    def __str__(self):
        return f"Retraction check of {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def has_failed(self) -> bool:
        """A finished run that could not check every reference is a failed run."""
        return self.finished_at is not None and bool(self.failures)

    @property
    def summary(self) -> str:
        """What happened, in a sentence: "6 of 6 references could not be checked: Crossref
        could not be reached." """
        if self.finished_at is None:
            return "Running."
        total = self.checked + self.failed
        if not total:
            return "Nothing to check: no cited reference has a DOI or PubMed ID."
        plural = "s" if total != 1 else ""
        if self.failures:
            if len(self.causes) == 1:
                why = next(iter(self.causes))
            elif self.causes:
                why = "; ".join(f"{cause} ({count})" for cause, count in self.causes.items())
            else:
                why = "see the failures"
            return f"{self.failed} of {total} reference{plural} could not be checked: {why}."
        found = self.notices_found
        notices = f"{found} new notice{'s' if found != 1 else ''}" if found else "no new notices"
        return f"Checked {total} reference{plural}: {notices}."

    def schedule_retry(self, at):
        self.retry_at = at
        self.save(update_fields=["retry_at"])
