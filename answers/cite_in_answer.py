"""Citing library references in an answer outside its change form: the admin's "add by
identifier" on the answer and `add_references --answer`. A work already cited keeps its
number; the others get the next free numbers, in the order given, in one version."""

from dataclasses import dataclass

from citations.markers import marker_labels
from citations.models import CITATION_LABEL_RE, Citation, Reference

from .models import WorkflowError


@dataclass
class CitedAs:
    reference: Reference
    label: str
    new: bool  # False: it was cited already, under this label


def next_free_label(answer, citations=None) -> int:
    """The next free number of a saved answer (see `first_free_label`)."""
    citations = answer.citations.all() if citations is None else citations
    texts = [answer.lead, *answer.sections.values_list("body", flat=True)]
    return first_free_label([c.label for c in citations], texts)


def first_free_label(row_labels, texts) -> int:
    """One more than the highest number used, in the citation rows' labels or in the texts'
    markers (a marker typed before its row was added keeps its number). The writer's desk
    numbers unsaved edits by this rule too (static/js/desk/markers.js, tested against it)."""
    used = [int(label) for label in row_labels if label.isdigit()]
    used += [int(label) for text in texts for label in marker_labels(text or "")]
    return max(used, default=0) + 1


def labels_for(answer, references) -> list[CitedAs]:
    """What each reference would be cited as (unsaved references count as new works)."""
    citations = list(answer.citations.all())
    cited = {c.reference_id: c.label for c in citations}
    following = next_free_label(answer, citations)
    planned = []
    for reference in references:
        if reference.pk is not None and reference.pk in cited:
            planned.append(CitedAs(reference, cited[reference.pk], new=False))
            continue
        planned.append(CitedAs(reference, str(following), new=True))
        if reference.pk is not None:
            cited[reference.pk] = str(following)
        following += 1
    return planned


def cite_as(answer, reference, label, *, by) -> list[str]:
    """Cite `reference` in `answer` as [label] (`add_references --label`), in one version;
    what happened, as notes (already cited, another work under that number...)."""
    with answer.editing(by=by, comment=f"Cited {reference.short_citation} as [{label}]") as locked:
        return cite_label(locked, label, reference)


def cite_references(answer, references, *, by) -> list[CitedAs]:
    """Cite `references` (saved library works) in `answer`, as one version by `by` (None
    from the shell). Refused, with the reason, when `by` may not edit the answer now: an
    answer in medical review is never changed."""
    planned = labels_for(answer, references)
    added = [cited for cited in planned if cited.new]
    if not added:
        if problems := answer.edit_refusals(by):
            raise WorkflowError(problems)
        return planned
    comment = "Cited " + "; ".join(c.reference.named(label=c.label) for c in added)
    with answer.editing(by=by, comment=comment) as locked:
        Citation.objects.bulk_create(
            Citation(answer=locked, reference=c.reference, label=c.label) for c in added
        )
    return planned


def cite_label(answer, label, reference) -> list[str]:
    """Cite `reference` as [label] in `answer` (inside `Answer.editing`), replacing a
    placeholder of that label; what happened, as notes for the writer."""
    if not CITATION_LABEL_RE.fullmatch(label):
        return [f"record id ‘{label[:40]}’ is not a citation number: not cited in “{answer}”"]
    citation = answer.citations.filter(label=label).select_related("reference").first()
    if citation is None:
        if cited := answer.citations.filter(reference=reference).first():
            return [f"{reference.named(label=cited.label)}: already cited in this answer"]
        Citation.objects.create(answer=answer, reference=reference, label=label)
        return [f"cited as [{label}] in “{answer}”"]
    if citation.reference_id == reference.pk:
        return []
    if not citation.reference.is_placeholder:
        return [f"[{label}] in “{answer}” already cites another reference: left as it is"]
    placeholder = citation.reference
    citation.reference = reference
    citation.save()
    if not placeholder.citations.exists():
        placeholder.delete()
    return [f"[{label}] in “{answer}” now cites it instead of the placeholder"]
