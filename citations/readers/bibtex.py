"""BibTeX and biblatex via bibtexparser 2, LaTeX turned into text with pylatexenc."""

import re

import bibtexparser
from bibtexparser.middlewares import (
    NormalizeFieldKeys,
    SeparateCoAuthors,
    SplitNameParts,
    default_parse_stack,
)
from bibtexparser.model import DuplicateBlockKeyBlock, ParsingFailedBlock
from pylatexenc.latex2text import LatexNodes2Text

from ..csl import CSLValueError
from .common import MONTHS, ReferenceRecord, RejectedRecord, compact, csl_date, is_number

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
    try:
        return " ".join(_latex.latex_to_text(value).split())
    except RecursionError:
        raise CSLValueError("has {braces} nested too deeply to read") from None


def read(text: str):
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
            try:
                candidates.append(ReferenceRecord(block.key, _to_csl(block), line))
            except CSLValueError as error:
                rejected.append(RejectedRecord(line, block.key, str(error)))
    return candidates, rejected


def _names(key, value) -> list[dict]:
    try:
        return _split_names(value)
    except CSLValueError as error:
        raise CSLValueError(f"“{key}”: {error}") from None


def _split_names(value) -> list[dict]:
    names = []
    for parts in value if isinstance(value, list) else []:
        family = _untex(" ".join([*parts.von, *parts.last]))
        name = {
            "family": family,
            "given": _untex(" ".join(parts.first)),
            "suffix": _untex(" ".join(parts.jr)),
        }
        names.append(compact(name))
    return [name for name in names if name]


def _to_csl(entry) -> dict:
    fields = {key: value for key, value in entry.fields_dict.items()}

    def text(*keys):
        for key in keys:
            if key in fields and isinstance(fields[key].value, str):
                try:
                    return _untex(fields[key].value)
                except CSLValueError as error:
                    raise CSLValueError(f"“{key}”: {error}") from None
        return None

    def raw(*keys):
        for key in keys:
            if key in fields and isinstance(fields[key].value, str):
                return fields[key].value.strip()
        return None

    issued = None
    if raw("date"):  # biblatex: 2023-11-25
        issued = csl_date(*(raw("date").split("/")[0].split("-") + [None, None])[:3])
    if issued is None:
        month = (raw("month") or "").lower().rstrip(".")
        month = MONTHS.get(month, month if is_number(month) else None)
        issued = csl_date(raw("year"), month)
    pmid = raw("pmid")
    if not pmid and (raw("eprinttype") or "").lower() == "pubmed":
        pmid = raw("eprint")
    return compact(
        {
            "type": BIBTEX_TYPES.get(entry.entry_type.lower(), "document"),
            "title": text("title"),
            "author": _names("author", fields["author"].value) if "author" in fields else None,
            "editor": _names("editor", fields["editor"].value) if "editor" in fields else None,
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
