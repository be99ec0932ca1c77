"""Add references by identifier: pasted DOIs, PMIDs and PMCIDs (or their links) looked up
at Crossref and PubMed, matched against the library, and saved only when confirmed."""

import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from .identifiers import (
    DOI_RE,
    PMCID_RE,
    PMID_RE,
    normalize_doi,
    normalize_pmcid,
    normalize_pmid,
    strip_doi,
)
from .models import Reference
from .sources import crossref, http, ncbi
from .sources.http import SourceError

logger = logging.getLogger(__name__)

# Who answers for each kind of identifier, as a writer is told.
SOURCES = {"doi": "Crossref", "pmid": "PubMed", "pmcid": "PubMed Central"}

PUBMED_URL = re.compile(
    r"^https?://(?:pubmed\.ncbi\.nlm\.nih\.gov|(?:www\.)?ncbi\.nlm\.nih\.gov/pubmed)/(\d+)/?(?:[?#].*)?$",
    re.IGNORECASE,
)
PMC_URL = re.compile(
    r"^https?://(?:pmc\.ncbi\.nlm\.nih\.gov|(?:www\.)?ncbi\.nlm\.nih\.gov/pmc)/articles/(PMC\d+)/?(?:[?#].*)?$",
    re.IGNORECASE,
)
UNRECOGNISED = (
    "‘{}’ is not a DOI, PubMed ID or PubMed Central ID. Paste one per line, e.g. "
    "10.1056/NEJMoa1911303, https://doi.org/10.1056/NEJMoa1911303, 31535829, "
    "https://pubmed.ncbi.nlm.nih.gov/31535829/ or PMC11446985."
)


@dataclass
class Lookup:
    """What became of one pasted identifier."""

    text: str
    kind: str = ""  # doi, pmid or pmcid
    value: str = ""
    # new, matched, added; unanswered (the source failed or has no record: try again or
    # add it by hand); refused (not an identifier, or not usable)
    status: str = "refused"
    reference: Reference | None = None
    message: str = ""
    reason: str = ""  # for refusals: invalid, not_found, unreachable, malformed, out_of_time
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return {"doi": "DOI", "pmid": "PMID", "pmcid": "PMCID"}.get(self.kind, "") + (
            f" {self.value}" if self.value else self.text
        )


def parse_identifier(text: str) -> tuple[str, str]:
    """("doi" | "pmid" | "pmcid", normalised value); ValueError with a message otherwise."""
    text = text.strip()
    if (match := PUBMED_URL.match(text)) or (match := PMC_URL.match(text)):
        text = match[1]
    pmcid = normalize_pmcid(text)
    if PMCID_RE.match(pmcid):
        return "pmcid", pmcid
    pmid = normalize_pmid(text)
    if PMID_RE.match(pmid):
        return "pmid", pmid
    doi = strip_doi(text)
    if DOI_RE.match(normalize_doi(doi)):
        return "doi", doi
    raise ValueError(UNRECOGNISED.format(text))


def split_identifiers(text: str) -> list[str]:
    """One identifier per line (commas and spaces between them work too), duplicates dropped."""
    seen, items = set(), []
    for item in re.split(r"[\s,;]+", text or ""):
        item = item.strip()
        if item and item.lower() not in seen:
            seen.add(item.lower())
            items.append(item)
    return items


def _held(kind: str, value: str) -> Reference | None:
    if kind == "pmcid":
        return Reference.objects.filter(pmcid=value).first()
    return Reference.objects.matching(**{kind: value}).first()


def _fetch(kind: str, value: str) -> tuple[dict, list[str]]:
    """The CSL-JSON item for an identifier, cross-filled where a second source has it."""
    notes = []
    if kind == "pmcid":
        ids = ncbi.convert_pmcid(value)
        if ids["pmid"]:
            item = ncbi.fetch_article(ids["pmid"])["csl"]
        elif ids["doi"]:
            item = crossref.to_csl(crossref.fetch_work(ids["doi"]))
        else:
            raise SourceError(
                f"PubMed Central knows {value} but gives it no PMID or DOI to look up.",
                kind="not_found",
            )
        item["PMCID"] = value
        if ids["doi"] and not item.get("DOI"):
            item["DOI"] = ids["doi"]
        return item, notes
    if kind == "pmid":
        return ncbi.fetch_article(value)["csl"], notes
    item = crossref.to_csl(crossref.fetch_work(value))
    try:
        pmid = ncbi.pmid_for_doi(value)
    except SourceError as error:
        logger.info("PubMed ID for DOI %s: %s", value, error.message)
        notes.append(
            "PubMed did not answer, so the PubMed ID is not filled in: add it by hand later "
            "if the work has one."
        )
    else:
        if pmid:
            item["PMID"] = pmid
    return item, notes


def look_up(text: str) -> Lookup:
    """One identifier: matched to a reference already held, a new unsaved reference to
    confirm, or refused with the reason. Nothing is saved here."""
    lookup = Lookup(text=text)
    try:
        lookup.kind, lookup.value = parse_identifier(text)
    except ValueError as error:
        lookup.message, lookup.reason = str(error), "invalid"
        return lookup
    held = _held(lookup.kind, lookup.value)
    if held is None:
        try:
            item, lookup.notes = _fetch(lookup.kind, lookup.value)
        except SourceError as error:
            # The technical reason is for the log; the writer is told what to do next.
            logger.info("Lookup of %s: %s", lookup.label, error.message)
            lookup.status, lookup.reason = "unanswered", error.kind
            lookup.message = outside_failure(lookup, error.kind)
            return lookup
        held = Reference.objects.matching(doi=item.get("DOI"), pmid=item.get("PMID")).first()
        if held is None:
            lookup.status, lookup.reference = "new", Reference.from_csl(item)
            lookup.message = "New: confirm to add it to the library."
            missing = lookup.reference.missing_fields()
            if missing:
                lookup.notes.append(
                    f"The source does not give: {', '.join(missing)}. It will be marked incomplete."
                )
            return lookup
    lookup.status, lookup.reference = "matched", held
    lookup.message = f"Already in the library as {held.short_citation}: nothing to add."
    return lookup


def outside_failure(lookup: Lookup, kind: str) -> str:
    """What a writer reads when a source failed or knows nothing of the identifier: neutral
    words and the way on, never an exception's name."""
    source = SOURCES.get(lookup.kind, "The source")
    if kind == "not_found":
        return (
            f"{source} has no record of {lookup.label}: check the identifier, or add the "
            "details by hand."
        )
    if kind == "out_of_time":
        return f"{source} did not answer in time; look up again, or add the details by hand."
    if kind == "malformed":
        return f"{source}'s answer could not be used; try again later, or add the details by hand."
    return f"{source} did not answer; try again, or add the details by hand."


def look_up_all(text: str, *, seconds: float | None = None) -> list[Lookup]:
    """Every identifier pasted, all within one total time (SOURCE_LOOKUP_DEADLINE seconds
    unless given), so a page answers well before the web server gives up on it, however
    many identifiers and however the sources behave. Once time runs out the rest are not
    looked up; what was found is cached, so looking up again goes on from there."""
    seconds = settings.SOURCE_LOOKUP_DEADLINE if seconds is None else seconds
    lookups = []
    first = None  # the lookup during which time ran out
    with http.deadline(seconds):
        for item in split_identifiers(text):
            # Still looked up: what is in the library or the cache needs no source.
            lookup = look_up(item)
            if lookup.reason == "out_of_time":
                if first is None:
                    first = lookup
                else:
                    lookup.message = (
                        f"Not looked up: time ran out before it (see {first.text}). "
                        "Look up again to go on."
                    )
            lookups.append(lookup)
    return lookups


def save_new(lookups: list[Lookup]) -> list[Lookup]:
    """Save the new references (a record another request saved meanwhile is matched)."""
    for lookup in lookups:
        if lookup.status != "new":
            continue
        reference = lookup.reference
        try:
            reference.full_clean(validate_unique=False, validate_constraints=False)
            with transaction.atomic():
                reference.save()
        except ValidationError as error:
            lookup.status, lookup.reason = "refused", "malformed"
            lookup.message = "The source's record is not usable: " + "; ".join(error.messages)
        except IntegrityError:
            held = Reference.objects.matching(doi=reference.doi, pmid=reference.pmid).first()
            lookup.status, lookup.reference = "matched", held
            lookup.message = f"Already in the library as {held.short_citation}: nothing to add."
        else:
            lookup.status = "added"
            lookup.message = f"Added to the library as {reference.short_citation}."
    return lookups
