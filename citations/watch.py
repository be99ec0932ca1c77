"""The retraction watch: every cited reference with a DOI or PMID is checked at Crossref
(update notices, which include Retraction Watch's data) and PubMed ("Retracted
Publication", RetractionIn, ErratumIn). Notices are recorded once; a lookup that fails is
a failure of the run and marks nothing, and the references it could not check are tried
again by a retry of the run (answers.tasks schedules it)."""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import Reference, ReferenceNotice, RetractionCheck
from .sources import crossref, ncbi
from .sources.http import SourceError


def references_to_check():
    return (
        Reference.objects.filter(citations__isnull=False)
        .filter(Q(doi__isnull=False) | Q(pmid__isnull=False))
        .distinct()
        .order_by("pk")
    )


# Why a source left a reference unchecked, in words for the operations screens.
CAUSES = {
    "unreachable": "{} could not be reached",
    "out_of_time": "{} could not be reached",
    "not_found": "{} has no record of it",
    "malformed": "{} sent an answer that could not be read",
}


class NotChecked(Exception):
    def __init__(self, error: SourceError, *, service: str):
        super().__init__(error.message)
        self.message = error.message
        self.cause = CAUSES.get(error.kind, "{} could not check it").format(service)


def _found_notices(reference) -> list[dict]:
    """Every notice the sources give; raises NotChecked when a source cannot answer."""
    found = []
    if reference.doi:
        try:
            found += crossref.notices(crossref.fetch_work(reference.doi))
        except SourceError as error:
            raise NotChecked(error, service=crossref.SERVICE) from error
    if reference.pmid:
        try:
            found += ncbi.fetch_article(reference.pmid)["notices"]
        except SourceError as error:
            raise NotChecked(error, service=ncbi.SERVICE) from error
    return found


def _record(reference, notices) -> list[ReferenceNotice]:
    """Store the notices not yet held. One notice seen by both sources is kept once: a
    PubMed notice without a DOI is dropped when a notice of that kind is already held."""
    created = []
    held = {(n.kind, n.notice_doi.lower()) for n in reference.notices.all()}
    kinds_held = {kind for kind, _ in held}
    for notice in sorted(notices, key=lambda n: not n["doi"]):  # those with a DOI first
        key = (notice["kind"], notice["doi"].lower())
        if key in held or (not notice["doi"] and notice["kind"] in kinds_held):
            continue
        try:
            with transaction.atomic():
                created.append(
                    ReferenceNotice.objects.create(
                        reference=reference,
                        kind=notice["kind"],
                        date=notice.get("date", ""),
                        notice_doi=notice["doi"],
                        notice_pmid=notice.get("pmid", ""),
                        source=notice["source"][:300],
                    )
                )
        except IntegrityError:  # recorded meanwhile by another run
            continue
        held.add(key)
        kinds_held.add(notice["kind"])
    return created


def check_retractions(*, retry_of=None) -> tuple[RetractionCheck | None, list[ReferenceNotice]]:
    """Check every cited reference once, or, retrying the run `retry_of`, the references it
    could not check; return the run and the notices new in it. A run is retried once: a
    second retry of the same run checks nothing and returns (None, [])."""
    references = references_to_check()
    attempt = 1
    if retry_of is not None:
        references = references.filter(pk__in=retry_of.unchecked)
        attempt = retry_of.attempt + 1
    try:
        with transaction.atomic():
            run = RetractionCheck.objects.create(retry_of=retry_of, attempt=attempt)
    except IntegrityError:  # this run was retried already (a task enqueued twice)
        return None, []
    new_notices = []
    for reference in references:
        try:
            found = _found_notices(reference)
        except NotChecked as error:
            run.failures.append(f"{reference.short_citation}: {error.message}")
            run.unchecked.append(reference.pk)
            run.causes[error.cause] = run.causes.get(error.cause, 0) + 1
            continue
        run.checked += 1
        new_notices += _record(reference, found)
    run.notices_found = len(new_notices)
    run.finished_at = timezone.now()
    run.save()
    return run, new_notices
