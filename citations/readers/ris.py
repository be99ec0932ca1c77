"""RIS (EndNote, Zotero, most publishers' "export citation") via rispy."""

import re

import rispy

from .common import ReferenceRecord, compact, csl_date, csl_name, is_number, page_range

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


def read(text: str):
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
        candidates.append(ReferenceRecord(label, _to_csl(entry), start))
    return candidates, []


def _split_date(value) -> list:
    parts = str(value or "").strip().split("/")
    return (parts + [None, None])[:3]


def _to_csl(entry: dict) -> dict:
    authors = entry.get("authors") or entry.get("first_authors") or []
    container = (
        entry.get("secondary_title") or entry.get("alternate_title3") or entry.get("journal_name")
    )
    short = entry.get("alternate_title1") or entry.get("alternate_title2")
    if not short and entry.get("journal_name") != container:
        short = entry.get("journal_name")
    year, month, day = _split_date(entry.get("year") or entry.get("publication_year"))
    d_year, d_month, d_day = _split_date(entry.get("date"))
    if d_year and (not year or d_year == year):
        year, month, day = d_year, month or d_month, day or d_day
    accession = str(entry.get("accession_number") or "").strip()
    notes = [entry.get("note") or "", *(entry.get("notes") or [])]
    return compact(
        {
            "type": RIS_TYPES.get(str(entry.get("type_of_reference") or "").upper(), "document"),
            "title": entry.get("title") or entry.get("primary_title"),
            "author": [csl_name(author) for author in authors if author.strip()],
            "container-title": container,
            "container-title-short": short,
            "issued": csl_date(year, month, day),
            "volume": entry.get("volume"),
            "issue": entry.get("number"),
            "page": page_range(entry.get("start_page"), entry.get("end_page")),
            "DOI": entry.get("doi"),
            "PMID": accession if is_number(accession) else None,
            "URL": (entry.get("urls") or [None])[0],
            "genre": entry.get("type_of_work"),
            "publisher": entry.get("publisher"),
            "publisher-place": entry.get("place_published"),
            "note": "\n".join(note.strip() for note in notes if note.strip()),
        }
    )
