"""The review checklist, computed from an answer's content.

Writers see it on the answer's page, clinicians on the review page, and the workflow uses
it to refuse a submission or an approval: one list, so what people are told is what the
system enforces.
"""

import re
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.utils import timezone

from citations.markers import marker_labels

from . import plain_language
from .get_help import GET_HELP, HelpSectionError, parse_help
from .rendering import number_citations

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
    readability: plain_language.Readability | None = None
    lead_readability: plain_language.Readability | None = None

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
        elif section.kind == GET_HELP:
            try:
                parse_help(section.body)
            except HelpSectionError as error:
                where = f" (line {error.line} of the section)" if error.line else ""
                checklist.add(BLOCKS_SUBMISSION, f"{name}{where}: {error.message}.")
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
                f"{name}, {reference.short_citation}, is never cited in the text: "
                f"cite it as [{label}] or remove it.",
            )
        missing = reference.missing_fields()
        if missing:
            checklist.add(
                BLOCKS_SUBMISSION,
                f"{name}, {reference.short_citation}, is incomplete ({', '.join(missing)}): "
                "complete it in the reference library.",
            )
        if reference.retracted:
            notice = (
                f" (retraction notice {reference.retraction_doi})"
                if reference.retraction_doi
                else ""
            )
            checklist.add(
                BLOCKS_APPROVAL,
                f"{name}, {reference.short_citation}, has been retracted{notice}: "
                "remove or replace it.",
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

    _check_get_help(answer, sections, checklist)
    _check_plain_language(answer, sections, checklist)
    return checklist


def notice_message(name, notice) -> str:
    """A retraction-watch notice as the checklist states it."""
    when = f" ({notice.date_text})" if notice.date else ""
    where = f", notice {notice.notice_doi}" if notice.notice_doi else ""
    text = (
        f"{name}, {notice.reference.short_citation}: {notice.get_kind_display().lower()} "
        f"published{when}{where}."
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


_ABOUT_SYMPTOMS_RE = re.compile(r"\b(symptoms?|signs?)\b", re.IGNORECASE)


def about_symptoms(answer) -> bool:
    """An answer is about symptoms when its question or topic names symptoms or signs."""
    question = getattr(answer, "question", None)
    if question is None:
        return False
    topic = question.topic.name if question.topic_id else ""
    return bool(_ABOUT_SYMPTOMS_RE.search(f"{question.text} {topic}"))


def _check_get_help(answer, sections, checklist):
    help_sections = [s for s in sections if s.kind == GET_HELP]
    if len(help_sections) > 1:
        checklist.add(
            BLOCKS_SUBMISSION,
            "There is more than one “When to get help” section: keep one, with all three levels.",
        )
    if not help_sections and about_symptoms(answer):
        checklist.add(
            WARNING,
            "This answer is about symptoms but has no “When to get help” section: add one "
            "(section kind “When to get help”) if a clinician can say when to see a doctor.",
        )


def _check_plain_language(answer, sections, checklist):
    """Warnings only: the writer and the clinician decide; nothing is rewritten."""
    parts = plain_language.answer_parts(answer, sections)
    whole = [block for part in parts for block in part.blocks]
    checklist.readability = plain_language.readability(whole)
    checklist.lead_readability = plain_language.readability(parts[1].blocks)
    measured = checklist.readability
    if measured is not None and measured.above_target:
        checklist.add(
            WARNING,
            f"The whole answer reads at {measured.name} {measured} (Flesch-Kincaid): aim for "
            f"{measured.target_text} with shorter sentences and everyday words.",
        )
    lead = checklist.lead_readability
    if lead is not None and lead.above_target:
        checklist.add(
            WARNING,
            f"The short answer reads at {lead.name} {lead} (Flesch-Kincaid): aim for "
            f"{lead.target_text}; it is what patients read first.",
        )
    limit = settings.LONG_SENTENCE_WORDS
    for sentence in plain_language.long_sentences(parts, limit):
        checklist.add(
            WARNING,
            f"Long sentence ({sentence.words} words) in {sentence.where}: “{sentence.excerpt}” "
            f"Aim for {limit} words or fewer.",
        )
    # Looked up by name: the models import this module (no import cycles in answers).
    house_words = list(apps.get_model("answers", "HouseWord").objects.all())
    avoid = set()
    for word, alternative, places in plain_language.house_words_found(parts, house_words):
        avoid.update(word.split())
        checklist.add(
            WARNING,
            f"“{word}” is on the house list of words to avoid ({_places(places)}): "
            f"consider “{alternative}”.",
        )
    rare = plain_language.rare_words_found(parts, skip=avoid)
    if rare:  # the glossary is read only when there is something it might explain
        defined = plain_language.defined_terms()
        rare = [(w, where) for w, where in rare if w.lower().replace("’", "'") not in defined]
    for word, places in rare:
        checklist.add(
            WARNING,
            f"“{word}” is a rare word ({_places(places)}): explain it or use an everyday word.",
        )


def _places(places) -> str:
    return "in " + ", ".join(places)
