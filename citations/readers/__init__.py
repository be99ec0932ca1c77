"""Read reference files (CSL-JSON, RIS, BibTeX, PubMed MEDLINE/.nbib) into CSL-JSON items.

Writers upload whatever their reference manager or PubMed exports. The whole file is
refused (ReferenceFileError) only when nothing in it can be read; otherwise each record
is either returned or rejected with the line it starts on and a reason the writer can
act on. Nothing is guessed: a field the file does not state stays absent.
"""

import re
from pathlib import PurePath

from django.conf import settings
from django.utils.text import normalize_newlines

from ..csl import CSLValueError
from . import bibtex, csl_json, medline, ris
from .common import ReadResult, ReferenceFileError, ReferenceRecord, RejectedRecord
from .validation import clean_record

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
    first_line: dict[tuple[str, str], int | None] = {}
    for record in candidates:
        try:
            record.csl = clean_record(record.csl)
        except CSLValueError as error:
            reason = str(error)
        else:
            reason = _duplicate(record, first_line)
        if reason:
            result.rejected.append(RejectedRecord(record.line, record.label, reason))
        else:
            result.records.append(record)
    result.rejected.sort(key=lambda r: r.line or 0)
    return result


def _duplicate(record, first_line) -> str | None:
    """Why the record repeats an earlier one's id, DOI or PMID (one work, one record), or None.
    DOIs ignore case, as the library's unique constraint does."""
    keys = [
        ("record id", record.label),
        ("DOI", (record.csl.get("DOI") or "").lower() or None),
        ("PMID", record.csl.get("PMID")),
    ]
    for kind, value in keys:
        if value is not None and (kind, value) in first_line:
            where = first_line[kind, value]
            shown = record.label if kind == "record id" else record.csl[kind]
            return (
                f"Duplicate {kind} ‘{shown}’: the record starting on line {where} already "
                "uses it, so this one was skipped."
            )
    for kind, value in keys:
        if value is not None:
            first_line[kind, value] = record.line
    return None


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


READERS = {
    "csl-json": csl_json.read,
    "ris": ris.read,
    "bibtex": bibtex.read,
    "medline": medline.read,
}
