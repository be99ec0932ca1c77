"""The checks every record passes before it may reach the database, whatever its format:
shape, length and identifiers, each failure naming the field."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from ..csl import CSLValueError, clean_names, date_parts, kind_of, text_problem
from ..identifiers import (
    normalize_pmcid,
    normalize_pmid,
    strip_doi,
    validate_doi,
    validate_pmcid,
    validate_pmid,
)
from ..models import Reference

# CSL-JSON text fields and the Reference column each is stored in (its max_length applies).
STORED_TEXT = {
    "title": "title",
    "container-title": "container_title",
    "container-title-short": "container_title_short",
    "volume": "volume",
    "issue": "issue",
    "page": "page",
    "DOI": "doi",
    "PMID": "pmid",
    "PMCID": "pmcid",
    "URL": "url",
    "genre": "publication_type",
    "note": "note",
}
# Read and shown on the way in, not stored as columns.
OTHER_TEXT = {"type": 100, "publisher": 500, "publisher-place": 500}
NUMBERS_AS_TEXT = {"volume", "issue", "page", "PMID", "title"}
NAMES = ("author", "editor")
IDENTIFIERS = (
    ("DOI", strip_doi, validate_doi),
    ("PMID", normalize_pmid, validate_pmid),
    ("PMCID", normalize_pmcid, validate_pmcid),
)
KNOWN = {*STORED_TEXT, *OTHER_TEXT, *NAMES, "issued"}


def clean_record(csl: dict) -> dict:
    """The record as the library stores it: known fields only, text as text, names and date
    in their one form, identifiers tidied. Raises CSLValueError naming the field."""
    cleaned = {}
    for key in sorted(KNOWN & csl.keys(), key=list(csl).index):
        value = csl[key]
        if value in (None, "", [], {}):
            continue
        try:
            if key in NAMES:
                value = clean_names(value)
            elif key == "issued":
                parts = date_parts(value)
                value = {"date-parts": [parts]} if parts else None
            else:
                value = _text(key, value)
        except CSLValueError as error:
            raise CSLValueError(f"“{key}”: {error}") from None
        if value not in (None, "", []):
            cleaned[key] = value
    for key, tidy, validate in IDENTIFIERS:
        if key in cleaned:
            try:
                validate(cleaned[key])
            except ValidationError as error:
                raise CSLValueError(f"“{key}”: {error.messages[0]}") from None
            cleaned[key] = tidy(cleaned[key])
    limit = Reference._meta.get_field("doi").max_length
    if len(cleaned.get("DOI", "")) > limit:
        raise CSLValueError(
            f"“DOI”: is {len(cleaned['DOI']):,} characters long; the limit is {limit}"
        )
    if "URL" in cleaned:
        try:
            URLValidator(schemes=["http", "https"])(cleaned["URL"])
        except ValidationError:
            raise CSLValueError(
                f"“URL”: ‘{cleaned['URL'][:80]}’ is not a web address starting http:// or https://"
            ) from None
    if not cleaned.get("title", "").strip() and not any(
        cleaned.get(key) for key in ("DOI", "PMID", "PMCID")
    ):
        raise CSLValueError(
            "The record has no title and no DOI, PMID or PMCID, so the work cannot be identified."
        )
    return cleaned


def _text(key: str, value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and key in NUMBERS_AS_TEXT:
        value = str(value)
    if not isinstance(value, str):
        raise CSLValueError(f"must be text, not {kind_of(value)}")
    problem = text_problem(value)
    if problem:
        raise CSLValueError(problem)
    value = value.strip()
    if key in ("DOI", "PMID", "PMCID"):
        return value  # checked once tidied
    if key in STORED_TEXT:
        limit = Reference._meta.get_field(STORED_TEXT[key]).max_length
    else:
        limit = OTHER_TEXT[key]
    if limit and len(value) > limit:
        raise CSLValueError(f"is {len(value):,} characters long; the limit is {limit:,}")
    return value
