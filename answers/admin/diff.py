"""What changed between two versions of an answer, for the clinician's review page and the
history's "compare".

Both sides are plain dicts in one shape, read either from the database (the current draft)
or from django-reversion's serialized data (any saved version: the answer's Version plus
the question, section and citation Versions of the same revision), so one renderer shows
every comparison. Texts are compared word by word with difflib.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils.safestring import mark_safe

from citations.formatting import format_reference
from citations.models import Citation, Reference

from ..models import Answer, Question, Section, Topic

# ---------------------------------------------------------------- content of one version


def content_from_answer(answer) -> dict:
    """The current draft, read from the database."""
    question = answer.question
    citations = answer.citations.select_related("reference")
    return {
        "question": question.text,
        "topic": question.topic.name,
        "lead": answer.lead,
        "certainty": answer.certainty,
        "certainty_reason": answer.certainty_reason,
        "sections": [
            {
                "key": str(section.pk),
                "heading": section.heading,
                "kind": section.kind,
                "body": section.body,
            }
            for section in answer.ordered_sections()
        ],
        "citations": {
            citation.label: {
                "reference": citation.reference_id,
                "title": str(citation.reference),
                "csl": citation.reference.to_csl(),
            }
            for citation in citations
        },
    }


def content_from_revision(revision, answer_pk) -> dict | None:
    """A saved version of the answer, from the Versions stored in one reversion revision;
    None when the revision does not hold the answer."""
    types = ContentType.objects.get_for_models(Answer, Question, Section, Citation)
    versions = list(
        revision.version_set.filter(content_type__in=types.values()).select_related("content_type")
    )
    answer_fields = None
    for version in versions:
        if version.content_type_id == types[Answer].pk and version.object_id == str(answer_pk):
            answer_fields = version.field_dict
    if answer_fields is None:
        return None

    question_fields = {}
    sections = []
    citation_fields = []
    for version in versions:
        if version.content_type_id == types[Question].pk:
            if version.object_id == str(answer_fields["question_id"]):
                question_fields = version.field_dict
        elif version.content_type_id == types[Section].pk:
            fields = version.field_dict
            if str(fields["answer_id"]) == str(answer_pk):
                sections.append((fields["position"], int(version.object_id), fields))
        elif version.content_type_id == types[Citation].pk:
            fields = version.field_dict
            if str(fields["answer_id"]) == str(answer_pk):
                citation_fields.append(fields)
    sections.sort(key=lambda row: (row[0], row[1]))

    topic = Topic.objects.filter(pk=question_fields.get("topic_id")).first()
    references = Reference.objects.in_bulk([f["reference_id"] for f in citation_fields])
    return {
        "question": question_fields.get("text", ""),
        "topic": topic.name if topic else "",
        "lead": answer_fields.get("lead", ""),
        # Versions saved before the certainty statement existed have none.
        "certainty": answer_fields.get("certainty", ""),
        "certainty_reason": answer_fields.get("certainty_reason", ""),
        "sections": [
            {
                "key": str(pk),
                "heading": fields["heading"],
                "kind": fields["kind"],
                "body": fields["body"],
            }
            for _, pk, fields in sections
        ],
        "citations": {
            fields["label"]: {
                "reference": fields["reference_id"],
                "title": (
                    str(references[fields["reference_id"]])
                    if fields["reference_id"] in references
                    else "A reference that has since been deleted"
                ),
                # Versions keep only which reference was cited, not its details then.
                "csl": None,
            }
            for fields in citation_fields
        },
    }


def content_from_publication(publication) -> dict | None:
    """What the public page shows: the signed-off revision, with each reference's details
    as they were formatted for publication."""
    content = content_from_revision(publication.signoff.revision, publication.answer_id)
    if content is None:
        return None
    published_csl = {
        reference["label"]: reference.get("csl")
        for reference in (publication.data or {}).get("references", [])
    }
    for label, citation in content["citations"].items():
        citation["csl"] = published_csl.get(label)
    return content


# ---------------------------------------------------------------- the comparison


@dataclass
class TextDiff:
    """A text as runs of ("equal" | "insert" | "delete", words)."""

    segments: list[tuple[str, str]]

    @property
    def changed(self) -> bool:
        return any(op != "equal" for op, _ in self.segments)


@dataclass
class SectionChange:
    change: str  # "added", "removed", "changed", "moved"
    heading: str
    old_number: int | None = None
    new_number: int | None = None
    moved: bool = False
    heading_diff: TextDiff | None = None
    body_diff: TextDiff | None = None
    kind_change: tuple[str, str] | None = None
    body: str = ""

    @property
    def label(self):
        return {
            "added": "Added",
            "removed": "Removed",
            "changed": "Changed and moved" if self.moved else "Changed",
            "moved": "Moved",
        }[self.change]


@dataclass
class CitationChange:
    change: str  # "added", "removed", "changed"
    label: str
    old: str = ""
    new: str = ""

    @property
    def change_label(self):
        return {"added": "Added", "removed": "Removed", "changed": "Changed"}[self.change]


@dataclass
class AnswerDiff:
    question: TextDiff | None = None
    topic: tuple[str, str] | None = None
    lead: TextDiff | None = None
    certainty: tuple[str, str] | None = None
    certainty_reason: TextDiff | None = None
    sections: list[SectionChange] = field(default_factory=list)
    unchanged_sections: int = 0
    citations: list[CitationChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.question
            or self.topic
            or self.lead
            or self.certainty
            or self.certainty_reason
            or self.sections
            or self.citations
        )

    def changed_parts(self) -> list[str]:
        """The parts that changed, named as a writer would: "the short answer", "section
        “What the research says”", "citation [3]"."""
        parts = [
            name
            for name, changed in [
                ("the question", self.question),
                ("the topic", self.topic),
                ("the short answer", self.lead),
                ("the certainty of evidence", self.certainty or self.certainty_reason),
            ]
            if changed
        ]
        parts += [
            f"section “{change.heading}” ({change.label.lower()})" for change in self.sections
        ]
        parts += [
            f"citation [{change.label}] ({change.change_label.lower()})"
            for change in self.citations
        ]
        return parts


_TOKEN_RE = re.compile(r"\s+|[^\s]+")


def diff_text(old: str, new: str) -> TextDiff:
    """Word-by-word differences; whitespace (and so line breaks) is kept as it was. A lone
    space between two changed words joins them, so "one tablet" → "two tablets" reads as one
    change rather than two."""
    old_tokens = _TOKEN_RE.findall(old or "")
    new_tokens = _TOKEN_RE.findall(new or "")
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    chunks = []  # ["equal", text] or ["change", old text, new text]
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        before, after = "".join(old_tokens[i1:i2]), "".join(new_tokens[j1:j2])
        if op == "equal":
            chunks.append(["equal", before])
        elif chunks and chunks[-1][0] == "change":
            chunks[-1][1] += before
            chunks[-1][2] += after
        elif (
            len(chunks) >= 2
            and chunks[-1][0] == "equal"
            and not chunks[-1][1].strip()
            and chunks[-2][0] == "change"
        ):
            space = chunks.pop()[1]
            chunks[-1][1] += space + before
            chunks[-1][2] += space + after
        else:
            chunks.append(["change", before, after])
    segments = []
    for chunk in chunks:
        if chunk[0] == "equal":
            segments.append(("equal", chunk[1]))
            continue
        if chunk[1]:
            segments.append(("delete", chunk[1]))
        if chunk[2]:
            segments.append(("insert", chunk[2]))
    return TextDiff(segments)


def _changed_text(old, new):
    return diff_text(old, new) if old != new else None


KIND_LABELS = dict(Section.Kind.choices)
CERTAINTY_LABELS = {"": "Not set", **dict(Answer.Certainty.choices)}


def _match_sections(old, new):
    """Pairs (old index, new index): the same section row first, then the same heading."""
    pairs = {}
    old_by_key = {section["key"]: index for index, section in enumerate(old)}
    for j, section in enumerate(new):
        i = old_by_key.get(section["key"])
        if i is not None:
            pairs[j] = i
    taken = set(pairs.values())
    for j, section in enumerate(new):
        if j in pairs:
            continue
        for i, candidate in enumerate(old):
            if i not in taken and candidate["heading"].strip() == section["heading"].strip():
                pairs[j] = i
                taken.add(i)
                break
    return pairs


def _diff_sections(old, new, result: AnswerDiff):
    pairs = _match_sections(old, new)
    # A section moved if it is outside the longest run of matched sections kept in order.
    new_order = sorted(pairs)  # new indexes of matched sections, in new order
    old_order = sorted(pairs.values())
    new_seq = [pairs[j] for j in new_order]
    matcher = difflib.SequenceMatcher(None, old_order, new_seq, autojunk=False)
    in_place = set()
    for block in matcher.get_matching_blocks():
        in_place.update(new_seq[block.b : block.b + block.size])

    for j, section in enumerate(new):
        if j not in pairs:
            result.sections.append(
                SectionChange("added", section["heading"], new_number=j + 1, body=section["body"])
            )
            continue
        i = pairs[j]
        before = old[i]
        change = SectionChange(
            "changed",
            section["heading"],
            old_number=i + 1,
            new_number=j + 1,
            moved=i not in in_place,
            heading_diff=_changed_text(before["heading"], section["heading"]),
            body_diff=_changed_text(before["body"], section["body"]),
        )
        if before["kind"] != section["kind"]:
            change.kind_change = (
                KIND_LABELS.get(before["kind"], before["kind"]),
                KIND_LABELS.get(section["kind"], section["kind"]),
            )
        edited = change.heading_diff or change.body_diff or change.kind_change
        if edited:
            result.sections.append(change)
        elif change.moved:
            change.change = "moved"
            result.sections.append(change)
        else:
            result.unchanged_sections += 1
    matched_old = set(pairs.values())
    for i, section in enumerate(old):
        if i not in matched_old:
            result.sections.append(
                SectionChange("removed", section["heading"], old_number=i + 1, body=section["body"])
            )


def _reference_text(citation):
    """The reference as the public list formats it (safe HTML) when its details are known,
    else its title (plain text, escaped by the template)."""
    if citation["csl"]:
        return mark_safe(format_reference(citation["csl"], style=settings.CITATION_STYLE))
    return citation["title"]


def _diff_citations(old, new, result: AnswerDiff):
    labels = sorted(set(old) | set(new), key=lambda label: int(label))
    for label in labels:
        before, after = old.get(label), new.get(label)
        if before is None:
            result.citations.append(CitationChange("added", label, new=_reference_text(after)))
        elif after is None:
            result.citations.append(CitationChange("removed", label, old=_reference_text(before)))
        elif before["reference"] != after["reference"] or (
            before["csl"] is not None and after["csl"] is not None and before["csl"] != after["csl"]
        ):
            result.citations.append(
                CitationChange(
                    "changed", label, old=_reference_text(before), new=_reference_text(after)
                )
            )


def diff_content(old: dict, new: dict) -> AnswerDiff:
    result = AnswerDiff(
        question=_changed_text(old["question"], new["question"]),
        lead=_changed_text(old["lead"], new["lead"]),
    )
    if old["topic"] != new["topic"]:
        result.topic = (old["topic"], new["topic"])
    if old["certainty"] != new["certainty"]:
        result.certainty = tuple(
            CERTAINTY_LABELS.get(level, level) for level in (old["certainty"], new["certainty"])
        )
    result.certainty_reason = _changed_text(old["certainty_reason"], new["certainty_reason"])
    _diff_sections(old["sections"], new["sections"], result)
    _diff_citations(old["citations"], new["citations"], result)
    return result
