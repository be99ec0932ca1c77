"""The review checklist, computed from an answer's content.

Writers see it on the answer's page, clinicians on the review page, and the workflow uses
it to refuse a submission or an approval: one list, so what people are told is what the
system enforces.
"""

from dataclasses import dataclass, field

import textstat
from django.conf import settings
from django.utils import timezone

from citations.markers import marker_labels

from .rendering import number_citations, plain_text

BLOCKS_SUBMISSION = "blocks_submission"
BLOCKS_APPROVAL = "blocks_approval"
WARNING = "warning"
INFO = "info"


@dataclass(frozen=True)
class CheckItem:
    level: str
    message: str

    @property
    def level_label(self):
        return {
            BLOCKS_SUBMISSION: "Blocks submission",
            BLOCKS_APPROVAL: "Blocks approval",
            WARNING: "Warning",
            INFO: "Note",
        }[self.level]


@dataclass
class Checklist:
    items: list[CheckItem] = field(default_factory=list)
    evidence: list[tuple[int | None, str, str]] = field(default_factory=list)
    reading_grade: float | None = None

    def add(self, level, message):
        self.items.append(CheckItem(level, message))

    def blocking_submission(self) -> list[str]:
        return [item.message for item in self.items if item.level == BLOCKS_SUBMISSION]

    def blocking_approval(self) -> list[str]:
        return [
            item.message
            for item in self.items
            if item.level in (BLOCKS_SUBMISSION, BLOCKS_APPROVAL)
        ]

    @property
    def is_clear(self) -> bool:
        return not self.blocking_approval()


def review_checklist(answer, *, sections=None, citations=None) -> Checklist:
    """The checklist of the saved content, or of the unsaved `sections` and `citations` the
    writer's live preview passes."""
    checklist = Checklist()
    if sections is None:
        sections = answer.ordered_sections()
    if citations is None:
        citations = answer.citations.select_related("reference").prefetch_related(
            "reference__notices"
        )
    citations = {c.label: c for c in citations}

    if not answer.lead.strip():
        checklist.add(BLOCKS_SUBMISSION, "The short answer is empty: write it.")
    if not sections:
        checklist.add(BLOCKS_SUBMISSION, "The answer has no sections: add at least one.")
    _check_certainty(answer, checklist)
    for index, section in enumerate(sections, start=1):
        name = f"Section {index} “{section.heading}”" if section.heading else f"Section {index}"
        if not section.heading.strip():
            checklist.add(BLOCKS_SUBMISSION, f"{name} has no heading: add one.")
        if not section.body.strip():
            checklist.add(BLOCKS_SUBMISSION, f"{name} is empty: write it or delete the section.")
        elif section.kind == section.Kind.QUESTIONS:
            lines = [line for line in section.body.splitlines() if line.strip()]
            if any(not line.startswith("- ") for line in lines):
                checklist.add(
                    BLOCKS_SUBMISSION,
                    f"{name} is a list of questions: start every line with “- ”.",
                )
            if marker_labels(section.body):
                checklist.add(
                    BLOCKS_SUBMISSION,
                    f"{name} is a list of questions and cannot cite references: "
                    "move the citation to a prose section.",
                )

    numbers = number_citations([answer.lead] + [s.body for s in sections])
    for label in numbers:
        if label not in citations:
            checklist.add(
                BLOCKS_SUBMISSION,
                f"Citation [{label}] has no reference: add it under References.",
            )
    this_year = timezone.localdate().year
    recent_years = settings.RECENT_REFERENCE_YEARS
    for label, citation in sorted(citations.items(), key=lambda item: int(item[0])):
        reference = citation.reference
        name = f"Reference [{label}]"
        if label not in numbers:
            checklist.add(
                BLOCKS_SUBMISSION,
                f"{name} “{reference}” is never cited in the text: cite it as [{label}] or remove it.",
            )
        missing = reference.missing_fields()
        if missing:
            checklist.add(
                BLOCKS_SUBMISSION,
                f"{name} is incomplete ({', '.join(missing)}): complete it in the reference library.",
            )
        if reference.retracted:
            notice = (
                f" (retraction notice {reference.retraction_doi})"
                if reference.retraction_doi
                else ""
            )
            checklist.add(
                BLOCKS_APPROVAL,
                f"{name} “{reference}” has been retracted{notice}: remove or replace it.",
            )
        for notice in reference.notices.all():
            if notice.blocks_approval:
                checklist.add(BLOCKS_APPROVAL, notice_message(name, notice))
            elif notice.kind == notice.Kind.CORRECTION and notice.acknowledged_at is None:
                checklist.add(WARNING, notice_message(name, notice))
        if reference.year and this_year - reference.year > recent_years:
            checklist.add(
                WARNING,
                f"{name} is from {reference.year}, more than {recent_years} years ago: "
                "check whether more recent research exists.",
            )
        checklist.evidence.append(
            (numbers.get(label), label, reference.get_evidence_level_display())
        )
    checklist.evidence.sort(key=lambda row: (row[0] is None, row[0] or 0))

    lead_text = plain_text(answer.lead)
    if lead_text:
        checklist.reading_grade = round(textstat.flesch_kincaid_grade(lead_text), 1)
        limit = settings.READING_GRADE_LIMIT
        if checklist.reading_grade > limit:
            checklist.add(
                WARNING,
                f"The short answer reads at grade {checklist.reading_grade} (Flesch-Kincaid): "
                f"aim for grade {limit} or below with shorter sentences and everyday words.",
            )
    return checklist


def notice_message(name, notice) -> str:
    """A retraction-watch notice as the checklist states it."""
    when = f" ({notice.date_text})" if notice.date else ""
    where = f", notice {notice.notice_doi}" if notice.notice_doi else ""
    text = (
        f"{name} “{notice.reference}”: {notice.get_kind_display().lower()} published{when}{where}."
    )
    if notice.blocks_approval:
        return (
            text + " A clinician must record how it was handled (on the notice in the "
            "reference library) before this answer can be approved."
        )
    return text + " Check whether the correction changes what the answer says."


def _check_certainty(answer, checklist):
    """A choice must be made, with its reason; "Not yet graded" is a choice, shown to
    readers as incomplete, never a level made up to pass this check."""
    if not answer.certainty:
        checklist.add(
            BLOCKS_SUBMISSION,
            "The certainty of the evidence is not set: choose high, moderate, low or very low, "
            "or “Not yet graded” if nobody has graded the evidence.",
        )
    elif not answer.certainty_reason.strip():
        checklist.add(
            BLOCKS_SUBMISSION,
            "Say in one plain sentence why the evidence has this certainty.",
        )
    elif answer.certainty == answer.Certainty.NOT_GRADED:
        checklist.add(
            WARNING,
            "The certainty of the evidence is not yet graded: readers are told so, and the "
            "page shows it as incomplete until someone grades it.",
        )
