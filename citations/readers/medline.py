"""PubMed MEDLINE (.nbib), as PubMed's "Send to: Citation manager" writes it."""

import re

from .common import MONTHS, ReferenceRecord, compact, csl_date, csl_name, is_number

# A small tag reader rather than the `nbib` package: nbib (last release 2021) raises on the
# whole file for one odd line, keeps no line numbers and pulls in dateutils, pytz and tzdata.

MEDLINE_LINE = re.compile(r"^([A-Z][A-Z0-9]{1,3}) *- ?(.*)$")
# Publication types that describe every article or its funding, not the study design.
GENERIC_PUBLICATION_TYPES = {"journal article", "english abstract"}


def read(text: str):
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
        candidates.append(ReferenceRecord(pmid or None, _to_csl(tags), start))
    return candidates, []


def _issued(value: str) -> dict | None:
    """PubMed DP: "2019 Nov 21", "2023 Nov-Dec", "2019 Spring", "2024"."""
    words = value.replace("-", " ").split()
    year = words[0] if words else None
    month = MONTHS.get(words[1].lower()) if len(words) > 1 else None
    day = words[2] if month and len(words) > 2 and is_number(words[2]) else None
    return csl_date(year, month, day)


def _to_csl(tags: list[tuple[str, str]]) -> dict:
    values: dict[str, list[str]] = {}
    for tag, value in tags:
        values.setdefault(tag, []).append(value)

    def first(tag):
        return (values.get(tag) or [None])[0]

    authors = [csl_name(name) for name in values.get("FAU", [])]
    if not authors:  # "McMurray JJV": family name, then initials
        authors = [
            compact({"family": name.rsplit(" ", 1)[0], "given": name.rsplit(" ", 1)[-1]})
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
    return compact(
        {
            "type": "article-journal",
            "title": first("TI"),
            "author": authors,
            "container-title": first("JT"),
            "container-title-short": first("TA"),
            "issued": _issued(first("DP") or ""),
            "volume": first("VI"),
            "issue": first("IP"),
            "page": first("PG"),
            "DOI": doi,
            "PMID": first("PMID"),
            "PMCID": first("PMC"),
            "genre": ", ".join(types),
        }
    )
