"""What a change to a reference in the library means for the answers citing it.

`citations` knows nothing of answers, so every path that changes a reference calls this
after saving it: the admin (`answers/admin/references.py`), and the shell:

    reference.retracted = True; reference.retraction_doi = "10.…"; reference.save()
    reopen_answers_citing(reference, by=user)

The importers never change a reference already in the library (a record matching one
held is reported, not merged), so they have nothing to reopen.
"""

from .models import Answer


def reopen_answers_citing(reference, *, by) -> list[Answer]:
    """A published answer citing a changed or retracted reference no longer matches what
    its clinician approved: it becomes a draft to review again (its public page keeps the
    approved version). Returns the answers sent back."""
    reopened = []
    citing = Answer.objects.filter(citations__reference=reference, status=Answer.Status.PUBLISHED)
    for answer in citing.distinct():
        answer.note_edit(by=by)
        if answer.status != Answer.Status.PUBLISHED:
            reopened.append(answer)
    return reopened


def answers_in_review_citing(reference):
    return Answer.objects.awaiting_review().filter(citations__reference=reference).distinct()
