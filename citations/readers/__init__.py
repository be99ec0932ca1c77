"""Read reference files (CSL-JSON, RIS, BibTeX, PubMed MEDLINE/.nbib) into CSL-JSON items.

Writers upload whatever their reference manager or PubMed exports. The whole file is
refused (ReferenceFileError) only when nothing in it can be read; otherwise each record
is either returned or rejected with the line it starts on and a reason the writer can
act on. Nothing is guessed: a field the file does not state stays absent.
"""

import re
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import normalize_newlines

from ..identifiers import (
    normalize_pmcid,
    normalize_pmid,
    strip_doi,
    validate_doi,
    validate_pmcid,
    validate_pmid,
)
from . import bibtex, csl_json, medline, ris
from .common import ReadResult, ReferenceFileError, ReferenceRecord, RejectedRecord

__all__ = [
    "FORMAT_NAMES",
    "ReadResult",
    "ReferenceFileError",
    "ReferenceRecord",
    "RejectedRecord",
    "read_references",
]

FORMAT_NAMES = {
    "csl-json": "CSL-JSON",
    "ris": "RIS",
    "bibtex": "BibTeX",
    "medline": "PubMed (MEDLINE/.nbib)",
}
EXTENSIONS = {
    ".json": "csl-json",
    ".csljson": "csl-json",
    ".ris": "ris",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".nbib": "medline",
    ".medline": "medline",
}
# The line each format's records start with; used to recognise the format.
SIGNATURES = {
    "ris": re.compile(r"^TY  -", re.MULTILINE),
    "medline": re.compile(r"^PMID- *\d", re.MULTILINE),
    "bibtex": re.compile(r"^\s*@[A-Za-z]+\s*[{(]", re.MULTILINE),
}


def read_references(data: bytes, *, filename: str = "") -> ReadResult:
    """Read an uploaded reference file; the format comes from the content, the
    file name's extension only breaks ties and sharpens error messages."""
    text = _decode(data)
    fmt = _detect_format(text, filename)
    candidates, rejected = READERS[fmt](text)
    if not candidates and not rejected:
        raise ReferenceFileError(f"The {FORMAT_NAMES[fmt]} file contains no references.")

    result = ReadResult(format=fmt, rejected=rejected)
    first_line: dict[str, int | None] = {}
    for record in candidates:
        reason = _check_record(record.csl)
        if record.label is not None:
            if record.label in first_line:
                where = first_line[record.label]
                reason = (
                    f"Duplicate record id ‘{record.label}’: the record starting on line "
                    f"{where} already uses it, so this one was skipped."
                )
            else:
                first_line[record.label] = record.line
        if reason:
            result.rejected.append(RejectedRecord(record.line, record.label, reason))
        else:
            result.records.append(record)
    result.rejected.sort(key=lambda r: r.line or 0)
    return result


# ---------------------------------------------------------------- whole-file checks


def _decode(data: bytes) -> str:
    if not data or not data.strip():
        raise ReferenceFileError("The file is empty.")
    limit = settings.IMPORT_MAX_BYTES
    if len(data) > limit:
        raise ReferenceFileError(
            f"The file is too large ({len(data) / 1_000_000:.1f} MB): reference files "
            f"may be at most {limit / 1_000_000:g} MB. Split it into smaller files."
        )
    if b"\x00" in data[:8192] or data.startswith(b"%PDF"):
        raise ReferenceFileError(
            "The file is binary (for example a PDF, Word document or image), not a text "
            "reference file. Export the references as RIS, BibTeX, CSL-JSON or PubMed format."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ReferenceFileError(
            f"The file is not UTF-8 text: byte 0x{data[error.start]:02x} on line {line} "
            "is not valid UTF-8. Export the file again choosing UTF-8 (Unicode) encoding.",
            line,
        ) from None
    return normalize_newlines(text)


def _detect_format(text: str, filename: str) -> str:
    hinted = EXTENSIONS.get(PurePath(filename).suffix.lower()) if filename else None
    if text.lstrip()[:1] in ("[", "{"):
        return "csl-json"
    found = {fmt: match.start() for fmt, rx in SIGNATURES.items() if (match := rx.search(text))}
    if hinted in found:
        return hinted
    if found:
        return min(found, key=found.get)
    name = f"‘{filename}’" if filename else "The file"
    expected = (
        f" It is named as {FORMAT_NAMES[hinted]} but does not look like it." if hinted else ""
    )
    raise ReferenceFileError(
        f"{name} does not contain references in a format the CMS reads.{expected} "
        "Upload CSL-JSON (a [ … ] list of items), RIS (records starting “TY  - ”), "
        "BibTeX (entries like “@article{…”) or PubMed MEDLINE/.nbib (records starting “PMID- ”)."
    )


def _check_record(csl: dict) -> str | None:
    """Tidy the identifiers in place; say why the record is unusable, or None."""
    checks = (
        ("DOI", strip_doi, validate_doi),
        ("PMID", normalize_pmid, validate_pmid),
        ("PMCID", normalize_pmcid, validate_pmcid),
    )
    for key, clean, validate in checks:
        if key in csl:
            try:
                validate(csl[key])
            except ValidationError as error:
                return error.messages[0]
            csl[key] = clean(csl[key])
    if not str(csl.get("title") or "").strip() and not any(
        csl.get(key) for key in ("DOI", "PMID", "PMCID")
    ):
        return (
            "The record has no title and no DOI, PMID or PMCID, so the work cannot be identified."
        )
    return None


READERS = {
    "csl-json": csl_json.read,
    "ris": ris.read,
    "bibtex": bibtex.read,
    "medline": medline.read,
}
