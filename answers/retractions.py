"""The retraction watch's effect on published answers: readers of a page citing a work
that was retracted, withdrawn or put under an expression of concern see a short factual
notice beside that reference until a clinician approves a new version."""

from django.db import transaction
from django.template.loader import render_to_string

from citations.identifiers import normalize_doi
from citations.models import ReferenceNotice
from citations.watch import check_retractions

from .models import PublishedAnswer
from .notify import announce_notices


def public_notice(notice) -> dict:
    return {"kind": notice.kind, "text": notice.public_text(), "link": notice.link}


def show_notices_on_public_pages(*, notices) -> list[PublishedAnswer]:
    """Add the blocking notices to the public snapshots of the answers citing their works
    (each notice once); returns the snapshots changed."""
    changed = []
    for notice in notices:
        if notice.kind not in notice.BLOCKING_KINDS:
            continue
        reference = notice.reference
        with transaction.atomic():
            snapshots = PublishedAnswer.objects.select_for_update().filter(
                answer__citations__reference=reference
            )
            for snapshot in snapshots:
                if _add_notice(snapshot, reference, public_notice(notice)):
                    snapshot.references_html = render_to_string(
                        "citations/includes/reference_list.html",
                        {"references": snapshot.data["references"]},
                    )
                    snapshot.save(update_fields=["data", "references_html"])
                    changed.append(snapshot)
    return changed


def _add_notice(snapshot, reference, shown) -> bool:
    added = False
    for entry in snapshot.data.get("references", []):
        same_doi = reference.doi and normalize_doi(entry.get("doi")) == normalize_doi(reference.doi)
        same_pmid = reference.pmid and entry.get("pmid") == reference.pmid
        if (same_doi or same_pmid) and shown not in entry.setdefault("notices", []):
            entry["notices"].append(shown)
            added = True
    return added


def run_retraction_watch(*, retry_of=None, notices_since=None):
    """Check every cited reference (or those the run `retry_of` could not check), show what
    was found on the public pages and tell the writers and last reviewer of each answer
    citing a study now under a notice. (None, []) when that run was retried already.

    `notices_since`: also show and announce the notices first seen since then (those an
    interrupted run recorded before it could); both steps do nothing twice."""
    run, notices = check_retractions(retry_of=retry_of)
    if notices_since is not None:
        held = {notice.pk for notice in notices}
        notices = notices + [
            notice
            for notice in ReferenceNotice.objects.filter(first_seen_at__gte=notices_since)
            .select_related("reference")
            .order_by("pk")
            if notice.pk not in held
        ]
    show_notices_on_public_pages(notices=notices)
    announce_notices(notices=notices)
    return run, notices
