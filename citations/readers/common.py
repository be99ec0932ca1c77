"""What every reader shares: the records it returns, the file error, CSL helpers."""

from dataclasses import dataclass, field

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


def is_number(value) -> bool:
    """ASCII digits only: "²" and other Unicode digits pass str.isdigit but are no date part."""
    text = str(value if value is not None else "").strip()
    return text.isascii() and text.isdigit()


def compact(csl: dict) -> dict:
    """Drop absent values so a missing field is absent, never "" or None."""
    return {key: value for key, value in csl.items() if value not in (None, "", [], {})}


def csl_date(year, month=None, day=None) -> dict | None:
    parts = []
    for part in (year, month, day):
        if not is_number(part) or int(part) == 0:
            break
        parts.append(int(part))
    return {"date-parts": [parts]} if parts else None


def page_range(first, last) -> str:
    first, last = str(first or "").strip(), str(last or "").strip()
    if first and last and last != first:
        return f"{first}-{last}"
    return first or last


def csl_name(text: str) -> dict:
    """A "Family, Given[, Suffix]" name as CSL; without a comma it is kept whole."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) == 1:
        return {"literal": text.strip()}
    name = {"family": parts[0], "given": parts[1]}
    if len(parts) > 2 and parts[2]:
        name["suffix"] = parts[2]
    return compact(name)
