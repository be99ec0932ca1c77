"""Normalise and validate the identifiers a reference carries: DOI, PMID, PMCID, ORCID.

Normalisers only tidy (whitespace, URL and label prefixes, case); validators raise
Django's ValidationError with a message a writer can act on, naming the bad value and
showing what a good one looks like.
"""

import re

from django.core.exceptions import ValidationError

DOI_PREFIXES = (
    "https://doi.org/",
    "http://doi.org/",
    "https://dx.doi.org/",
    "http://dx.doi.org/",
    "doi.org/",
    "doi:",
)
# "10." + registrant code (digits, optionally dotted sub-codes) + "/" + a suffix.
DOI_RE = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/\S+$")
PMID_RE = re.compile(r"^[1-9]\d{0,7}$")
PMCID_RE = re.compile(r"^PMC\d{1,9}$")
ORCID_RE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")

DOI_MESSAGE = (
    "‘%(value)s’ is not a DOI: a DOI starts with 10. followed by a registrant code, "
    "a slash and a suffix, e.g. 10.1056/NEJMoa1911303."
)
PMID_MESSAGE = "‘%(value)s’ is not a PubMed ID: a PMID is a number of 1 to 8 digits, e.g. 31535829."
PMCID_MESSAGE = (
    "‘%(value)s’ is not a PubMed Central ID: a PMCID is PMC followed by digits, e.g. PMC11446985."
)
ORCID_FORMAT_MESSAGE = (
    "‘%(value)s’ is not an ORCID iD: an ORCID iD is four groups of four digits "
    "separated by hyphens, the last character may be X, e.g. 0000-0002-1825-0097."
)
ORCID_CHECK_MESSAGE = (
    "‘%(value)s’ is not a valid ORCID iD: its last character is a check digit and it "
    "does not match the other digits. Copy the iD again from the person's ORCID record."
)


def _strip_prefix(value: str, prefixes) -> str:
    lowered = value.lower()
    for prefix in prefixes:
        if lowered.startswith(prefix):
            return value[len(prefix) :].strip()
    return value


def strip_doi(value) -> str:
    """A DOI without whitespace and URL/"doi:" prefixes, case kept (for display)."""
    return _strip_prefix(str(value or "").strip(), DOI_PREFIXES)


def normalize_doi(value) -> str:
    """The comparable form of a DOI: prefixes removed and lower-cased (DOIs ignore case)."""
    return strip_doi(value).lower()


def validate_doi(value) -> None:
    """Accept a DOI in any common spelling (URL, doi: prefix), reject anything else."""
    if not DOI_RE.match(normalize_doi(value)):
        raise ValidationError(DOI_MESSAGE, code="invalid_doi", params={"value": value})


def normalize_pmid(value) -> str:
    """A PMID without whitespace or a "PMID:" label."""
    value = str(value or "").strip()
    return re.sub(r"^pmid\s*:?\s*", "", value, flags=re.IGNORECASE)


def validate_pmid(value) -> None:
    """PubMed IDs are 1 to 8 digits."""
    if not PMID_RE.match(normalize_pmid(value)):
        raise ValidationError(PMID_MESSAGE, code="invalid_pmid", params={"value": value})


def normalize_pmcid(value) -> str:
    """A PMCID as PubMed Central writes it: upper-case PMC prefix, no label or spaces."""
    value = str(value or "").strip()
    value = re.sub(r"^pmcid\s*:?\s*", "", value, flags=re.IGNORECASE)
    if value[:3].lower() == "pmc":
        value = "PMC" + value[3:].strip()
    return value


def validate_pmcid(value) -> None:
    """PMC followed by digits (any case of the prefix is accepted)."""
    if not PMCID_RE.match(normalize_pmcid(value)):
        raise ValidationError(PMCID_MESSAGE, code="invalid_pmcid", params={"value": value})


def normalize_orcid(value) -> str:
    """An ORCID iD without the https://orcid.org/ prefix, check character upper-cased."""
    value = _strip_prefix(
        str(value or "").strip(), ("https://orcid.org/", "http://orcid.org/", "orcid.org/")
    )
    return value.upper()


def orcid_check_digit(base_digits: str) -> str:
    """ISO 7064 MOD 11-2 check character over the first 15 digits of an ORCID iD."""
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def validate_orcid(value) -> None:
    """Format 0000-0000-0000-000X and a correct ISO 7064 11,2 check character."""
    orcid = normalize_orcid(value)
    if not ORCID_RE.match(orcid):
        raise ValidationError(ORCID_FORMAT_MESSAGE, code="invalid_orcid", params={"value": value})
    digits = orcid.replace("-", "")
    if orcid_check_digit(digits[:15]) != digits[15]:
        raise ValidationError(
            ORCID_CHECK_MESSAGE, code="invalid_orcid_checksum", params={"value": value}
        )
