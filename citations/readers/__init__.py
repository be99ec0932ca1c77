"""Read reference files (CSL-JSON, RIS, BibTeX, PubMed MEDLINE/.nbib) into CSL-JSON items.

Writers upload whatever their reference manager or PubMed exports. The whole file is
refused (ReferenceFileError) only when nothing in it can be read; otherwise each record
is either returned or rejected with the line it starts on and a reason the writer can
act on. Nothing is guessed: a field the file does not state stays absent.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import PurePath

import bibtexparser
import rispy
from bibtexparser.middlewares import (
    NormalizeFieldKeys,
    SeparateCoAuthors,
    SplitNameParts,
    default_parse_stack,
)
from bibtexparser.model import DuplicateBlockKeyBlock, ParsingFailedBlock
from django.core.exceptions import ValidationError
from pylatexenc.latex2text import LatexNodes2Text

from .identifiers import (
    normalize_pmcid,
    normalize_pmid,
    strip_doi,
    validate_doi,
    validate_pmcid,
    validate_pmid,
)

MAX_BYTES = 5 * 1024 * 1024

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
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


@dataclass
class ReferenceRecord:
    label: str | None  # the record's own id: CSL-JSON id, RIS ID, BibTeX key, MEDLINE PMID
    csl: dict  # CSL-JSON item without "id"
    line: int | None  # 1-based line where the record starts


@dataclass
class RejectedRecord:
    line: int | None
    label: str | None
    reason: str


@dataclass
class ReadResult:
    format: str  # one of FORMAT_NAMES
    records: list[ReferenceRecord] = field(default_factory=list)
    rejected: list[RejectedRecord] = field(default_factory=list)


class ReferenceFileError(ValueError):
    """The whole file is unusable; `message` says why, `line` where (when known)."""

    def __init__(self, message: str, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__(f"Line {line}: {message}" if line else message)


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
    if len(data) > MAX_BYTES:
        raise ReferenceFileError(
            f"The file is too large ({len(data) / 1024 / 1024:.1f} MB): reference files "
            f"may be at most {MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
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
    return text.replace("\r\n", "\n").replace("\r", "\n")


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


def _compact(csl: dict) -> dict:
    """Drop absent values so a missing field is absent, never "" or None."""
    return {key: value for key, value in csl.items() if value not in (None, "", [], {})}


def _date(year, month=None, day=None) -> dict | None:
    parts = []
    for part in (year, month, day):
        if part in (None, "") or not str(part).strip().isdigit() or int(part) == 0:
            break
        parts.append(int(part))
    return {"date-parts": [parts]} if parts else None


def _page(first, last) -> str:
    first, last = str(first or "").strip(), str(last or "").strip()
    if first and last and last != first:
        return f"{first}-{last}"
    return first or last


def _name(text: str) -> dict:
    """A "Family, Given[, Suffix]" name as CSL; without a comma it is kept whole."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) == 1:
        return {"literal": text.strip()}
    name = {"family": parts[0], "given": parts[1]}
    if len(parts) > 2 and parts[2]:
        name["suffix"] = parts[2]
    return _compact(name)


# ---------------------------------------------------------------- CSL-JSON

CSL_TYPE_DEFAULT = "article-journal"


def _read_csl_json(text: str):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReferenceFileError(
            f"The file is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}).",
            error.lineno,
        ) from None
    if isinstance(data, dict):
        items = [(data, text[: len(text) - len(text.lstrip())].count("\n") + 1)]
    elif isinstance(data, list):
        items = list(zip(data, _json_item_lines(text), strict=True))
    else:
        raise ReferenceFileError(
            "CSL-JSON must be a list of items [ {…}, {…} ] or a single item { … }."
        )
    candidates, rejected = [], []
    for item, line in items:
        if not isinstance(item, dict):
            rejected.append(
                RejectedRecord(line, None, "This entry is not a CSL-JSON item (an object { … }).")
            )
            continue
        label = item.get("id")
        label = str(label) if label not in (None, "") else None
        csl = _compact({key: value for key, value in item.items() if key != "id"})
        csl.setdefault("type", CSL_TYPE_DEFAULT)
        candidates.append(ReferenceRecord(label, csl, line))
    return candidates, rejected


def _json_item_lines(text: str) -> list[int]:
    """Line on which each element of the (already validated) top-level JSON list starts."""
    decoder = json.JSONDecoder()
    whitespace = re.compile(r"[ \t\n\r,]*")
    pos = text.index("[") + 1
    line, counted = 1, 0
    lines = []
    while True:
        pos = whitespace.match(text, pos).end()
        if text[pos] == "]":
            return lines
        line += text.count("\n", counted, pos)
        counted = pos
        lines.append(line)
        _, pos = decoder.raw_decode(text, pos)


# ---------------------------------------------------------------- RIS

RIS_TYPES = {
    "JOUR": "article-journal",
    "JFULL": "article-journal",
    "EJOUR": "article-journal",
    "INPR": "article-journal",
    "ABST": "article-journal",
    "MGZN": "article-magazine",
    "NEWS": "article-newspaper",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "book",
    "CHAP": "chapter",
    "ECHAP": "chapter",
    "CONF": "paper-conference",
    "CPAPER": "paper-conference",
    "RPRT": "report",
    "GOVDOC": "report",
    "THES": "thesis",
    "ELEC": "webpage",
    "DATA": "dataset",
    "DBASE": "dataset",
    "PAT": "patent",
    "UNPB": "manuscript",
}
RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  -")


def _read_ris(text: str):
    """Cut the file into TY…ER chunks ourselves (rispy keeps no line numbers), then let
    rispy parse each chunk. A record missing its ER line ends where the next TY starts."""
    chunks: list[tuple[int, list[str]]] = []
    current: tuple[int, list[str]] | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        match = RIS_TAG.match(line)
        tag = match.group(1) if match else None
        if tag == "TY":
            if current:
                current[1].append("ER  - ")
                chunks.append(current)
            current = (number, [line])
        elif current is not None:
            current[1].append(line)
            if tag == "ER":
                chunks.append(current)
                current = None
    if current:
        current[1].append("ER  - ")
        chunks.append(current)

    candidates = []
    for start, lines in chunks:
        entries = rispy.loads("\n".join(lines), skip_unknown_tags=True)
        entry = entries[0] if entries else {}
        label = str(entry.get("id") or "").strip() or None
        candidates.append(ReferenceRecord(label, _ris_to_csl(entry), start))
    return candidates, []


def _ris_date(value) -> list:
    parts = str(value or "").strip().split("/")
    return (parts + [None, None])[:3]


def _ris_to_csl(entry: dict) -> dict:
    authors = entry.get("authors") or entry.get("first_authors") or []
    container = (
        entry.get("secondary_title") or entry.get("alternate_title3") or entry.get("journal_name")
    )
    short = entry.get("alternate_title1") or entry.get("alternate_title2")
    if not short and entry.get("journal_name") != container:
        short = entry.get("journal_name")
    year, month, day = _ris_date(entry.get("year") or entry.get("publication_year"))
    d_year, d_month, d_day = _ris_date(entry.get("date"))
    if d_year and (not year or d_year == year):
        year, month, day = d_year, month or d_month, day or d_day
    accession = str(entry.get("accession_number") or "").strip()
    notes = [entry.get("note") or "", *(entry.get("notes") or [])]
    return _compact(
        {
            "type": RIS_TYPES.get(str(entry.get("type_of_reference") or "").upper(), "document"),
            "title": entry.get("title") or entry.get("primary_title"),
            "author": [_name(author) for author in authors if author.strip()],
            "container-title": container,
            "container-title-short": short,
            "issued": _date(year, month, day),
            "volume": entry.get("volume"),
            "issue": entry.get("number"),
            "page": _page(entry.get("start_page"), entry.get("end_page")),
            "DOI": entry.get("doi"),
            "PMID": accession if accession.isdigit() else None,
            "URL": (entry.get("urls") or [None])[0],
            "genre": entry.get("type_of_work"),
            "publisher": entry.get("publisher"),
            "publisher-place": entry.get("place_published"),
            "note": "\n".join(note.strip() for note in notes if note.strip()),
        }
    )


# ---------------------------------------------------------------- BibTeX

BIBTEX_TYPES = {
    "article": "article-journal",
    "book": "book",
    "booklet": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "proceedings": "book",
    "techreport": "report",
    "report": "report",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "dataset": "dataset",
    "unpublished": "manuscript",
    "misc": "document",
}
_latex = LatexNodes2Text(math_mode="text")


def _untex(value) -> str:
    """LaTeX to plain text ({\\"o} -> ö, {SGLT} -> SGLT). A bare % would start a LaTeX
    comment and silently drop the rest of a title, so it is read as a literal %."""
    value = re.sub(r"(?<!\\)%", r"\\%", str(value or ""))
    return " ".join(_latex.latex_to_text(value).split())


def _read_bibtex(text: str):
    stack = [*default_parse_stack(), NormalizeFieldKeys(), SeparateCoAuthors(), SplitNameParts()]
    library = bibtexparser.parse_string(text, parse_stack=stack)
    candidates, rejected = [], []
    for block in library.blocks:
        line = block.start_line + 1 if block.start_line is not None else None
        if isinstance(block, DuplicateBlockKeyBlock):
            previous = block.previous_block.start_line
            where = f"line {previous + 1}" if previous is not None else "an earlier line"
            rejected.append(
                RejectedRecord(
                    line,
                    block.key,
                    f"Duplicate record id ‘{block.key}’: the record starting on {where} "
                    "already uses it, so this one was skipped.",
                )
            )
        elif isinstance(block, ParsingFailedBlock):
            error = block.error
            detail = getattr(error, "abort_reason", "") or str(error) or type(error).__name__
            rejected.append(
                RejectedRecord(line, None, f"This BibTeX entry could not be read: {detail.strip()}")
            )
        elif isinstance(block, bibtexparser.model.Entry):
            candidates.append(ReferenceRecord(block.key, _bibtex_to_csl(block), line))
    return candidates, rejected


def _bibtex_names(value) -> list[dict]:
    names = []
    for parts in value if isinstance(value, list) else []:
        family = _untex(" ".join([*parts.von, *parts.last]))
        name = {
            "family": family,
            "given": _untex(" ".join(parts.first)),
            "suffix": _untex(" ".join(parts.jr)),
        }
        names.append(_compact(name))
    return [name for name in names if name]


def _bibtex_to_csl(entry) -> dict:
    fields = {key: value for key, value in entry.fields_dict.items()}

    def text(*keys):
        for key in keys:
            if key in fields and isinstance(fields[key].value, str):
                return _untex(fields[key].value)
        return None

    def raw(*keys):
        for key in keys:
            if key in fields and isinstance(fields[key].value, str):
                return fields[key].value.strip()
        return None

    issued = None
    if raw("date"):  # biblatex: 2023-11-25
        issued = _date(*(raw("date").split("/")[0].split("-") + [None, None])[:3])
    if issued is None:
        month = (raw("month") or "").lower().rstrip(".")
        month = MONTHS.get(month, month if month.isdigit() else None)
        issued = _date(raw("year"), month)
    pmid = raw("pmid")
    if not pmid and (raw("eprinttype") or "").lower() == "pubmed":
        pmid = raw("eprint")
    return _compact(
        {
            "type": BIBTEX_TYPES.get(entry.entry_type.lower(), "document"),
            "title": text("title"),
            "author": _bibtex_names(fields["author"].value) if "author" in fields else None,
            "editor": _bibtex_names(fields["editor"].value) if "editor" in fields else None,
            "container-title": text("journal", "journaltitle", "booktitle"),
            "container-title-short": text("shortjournal", "journal-abbreviation"),
            "issued": issued,
            "volume": raw("volume"),
            "issue": raw("number", "issue"),
            "page": (raw("pages") or "").replace("--", "-").replace("–", "-"),
            "DOI": raw("doi"),
            "PMID": pmid,
            "PMCID": raw("pmcid"),
            "URL": raw("url"),
            "genre": text("type"),
            "publisher": text("publisher", "institution", "school"),
            "publisher-place": text("address", "location"),
            "note": text("note"),
        }
    )


# ---------------------------------------------------------------- PubMed MEDLINE (.nbib)
# A small tag reader rather than the `nbib` package: nbib (last release 2021) raises on the
# whole file for one odd line, keeps no line numbers and pulls in dateutils, pytz and tzdata.

MEDLINE_LINE = re.compile(r"^([A-Z][A-Z0-9]{1,3}) *- ?(.*)$")
# Publication types that describe every article or its funding, not the study design.
GENERIC_PUBLICATION_TYPES = {"journal article", "english abstract"}


def _read_medline(text: str):
    records: list[tuple[int, list[tuple[str, str]]]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        match = MEDLINE_LINE.match(line)
        if match:
            tag, value = match.group(1), match.group(2).strip()
            if tag == "PMID":
                records.append((number, []))
            if records:
                records[-1][1].append((tag, value))
        elif line.startswith(" ") and records and records[-1][1]:
            tag, value = records[-1][1][-1]
            records[-1][1][-1] = (tag, f"{value} {line.strip()}")
    candidates = []
    for start, tags in records:
        pmid = next(value for tag, value in tags if tag == "PMID")
        candidates.append(ReferenceRecord(pmid or None, _medline_to_csl(tags), start))
    return candidates, []


def _medline_date(value: str) -> dict | None:
    """PubMed DP: "2019 Nov 21", "2023 Nov-Dec", "2019 Spring", "2024"."""
    words = value.replace("-", " ").split()
    year = words[0] if words else None
    month = MONTHS.get(words[1].lower()) if len(words) > 1 else None
    day = words[2] if month and len(words) > 2 and words[2].isdigit() else None
    return _date(year, month, day)


def _medline_to_csl(tags: list[tuple[str, str]]) -> dict:
    values: dict[str, list[str]] = {}
    for tag, value in tags:
        values.setdefault(tag, []).append(value)

    def first(tag):
        return (values.get(tag) or [None])[0]

    authors = [_name(name) for name in values.get("FAU", [])]
    if not authors:  # "McMurray JJV": family name, then initials
        authors = [
            _compact({"family": name.rsplit(" ", 1)[0], "given": name.rsplit(" ", 1)[-1]})
            if " " in name
            else {"literal": name}
            for name in values.get("AU", [])
        ]
    authors += [{"literal": name} for name in values.get("CN", [])]
    doi = None
    for value in values.get("LID", []) + values.get("AID", []):
        if value.endswith("[doi]"):
            doi = value.removesuffix("[doi]").strip()
            break
    types = [
        pt
        for pt in values.get("PT", [])
        if pt.lower() not in GENERIC_PUBLICATION_TYPES and not pt.startswith("Research Support")
    ]
    return _compact(
        {
            "type": "article-journal",
            "title": first("TI"),
            "author": authors,
            "container-title": first("JT"),
            "container-title-short": first("TA"),
            "issued": _medline_date(first("DP") or ""),
            "volume": first("VI"),
            "issue": first("IP"),
            "page": first("PG"),
            "DOI": doi,
            "PMID": first("PMID"),
            "PMCID": first("PMC"),
            "genre": ", ".join(types),
        }
    )


READERS = {
    "csl-json": _read_csl_json,
    "ris": _read_ris,
    "bibtex": _read_bibtex,
    "medline": _read_medline,
}
