"""Citing library references in an answer outside its change form: the admin's "add by
identifier" on the answer and `add_references --answer`. A work already cited keeps its
number; the others get the next free numbers, in the order given, in one version."""

from dataclasses import dataclass

import reversion
from django.db import transaction

from citations.markers import marker_labels
from citations.models import Citation, Reference

from .models import Action, Answer, WorkflowError

IN_REVIEW = "This answer is in medical review and cannot be changed until the clinician finishes."


@dataclass
class CitedAs:
    reference: Reference
    label: str
    new: bool  # False: it was cited already, under this label


def next_free_label(answer, citations=None) -> int:
    """One more than the highest number the answer uses, in its citation rows or in its
    text's markers (a marker typed before its row was added keeps its number)."""
    citations = answer.citations.all() if citations is None else citations
    used = [int(c.label) for c in citations if c.label.isdigit()]
    texts = [answer.lead, *answer.sections.values_list("body", flat=True)]
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


def cite_references(answer, references, *, by) -> list[CitedAs]:
    """Cite `references` (saved library works) in `answer`, as one version by `by` (None
    from the shell). Refused, with the reason, when `by` may not edit the answer now: an
    answer in medical review is never changed."""
    with transaction.atomic():
        answer = Answer.objects.select_for_update().get(pk=answer.pk)
        problems = answer.refusals(Action.EDIT, by) if by else []
        if not answer.is_editable:
            problems = problems or [IN_REVIEW]
        if problems:
            raise WorkflowError(problems)
        planned = labels_for(answer, references)
        added = [cited for cited in planned if cited.new]
        if not added:
            return planned
        comment = "Cited " + ", ".join(f"[{c.label}] {c.reference}" for c in added)
        with reversion.create_revision():
            Citation.objects.bulk_create(
                Citation(answer=answer, reference=c.reference, label=c.label) for c in added
            )
            # Saved, so an editor open in another tab is told it changed meanwhile, and the
            # audit trail says what changed (django-simple-history's documented attributes).
            answer._change_reason, answer._history_user = comment[:2000], by
            answer.save()
            reversion.set_user(by)
            reversion.set_comment(comment[:2000])
            reversion.add_to_revision(answer)
    answer.note_edit(by=by)
    return planned
