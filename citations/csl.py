"""The shape of the CSL-JSON names and dates the library stores.

Reference files and people write dates and names in several forms; these functions turn
the common ones into the one form the library keeps, and say in words what is wrong with
the rest. Shared by the readers (before anything is stored) and Reference.clean (the admin
and the shell), so a record that could not be edited afterwards is never stored.
"""

import calendar
import re

NAME_PARTS = ("family", "given", "literal", "suffix", "dropping-particle", "non-dropping-particle")
MAX_NAME_PART_CHARS = 500
_DATE_TEXT_RE = re.compile(r"^\s*(\d{1,4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?\s*$")
DATE_FORMS = '2020, "2020", "2020-03-15", {"date-parts": [[2020, 3, 15]]} or {"raw": "2020-03"}'


class CSLValueError(ValueError):
    """A value that cannot be stored; the message says what is wrong, in words."""


def clean_names(value) -> list[dict]:
    """CSL names as a list of {"family", "given", ...} or {"literal"}; a plain string in
    the list ("Smith, Jane") is read as family, given, or kept whole without a comma."""
    if not isinstance(value, list):
        raise CSLValueError(
            'must be a list of names such as [{"family": "Smith", "given": "Jane"}], '
            f"not {kind_of(value)}"
        )
    names = []
    for number, name in enumerate(value, start=1):
        if isinstance(name, str):
            name = _name_from_text(name)
        if not isinstance(name, dict):
            raise CSLValueError(
                f'name {number} must be an object such as {{"family": "Smith", "given": "Jane"}} '
                f'or {{"literal": "World Health Organization"}}, not {kind_of(name)}'
            )
        cleaned = {}
        for part in NAME_PARTS:
            text = name.get(part)
            if text in (None, ""):
                continue
            if not isinstance(text, str):
                raise CSLValueError(f"name {number}: “{part}” must be text, not {kind_of(text)}")
            problem = text_problem(text)
            if problem:
                raise CSLValueError(f"name {number}: “{part}” {problem}")
            if len(text) > MAX_NAME_PART_CHARS:
                raise CSLValueError(
                    f"name {number}: “{part}” is {len(text):,} characters; "
                    f"the limit is {MAX_NAME_PART_CHARS}"
                )
            if text.strip():
                cleaned[part] = text.strip()
        if not any(cleaned.get(part) for part in ("family", "literal", "given")):
            raise CSLValueError(f"name {number} has no family name, given name or literal name")
        names.append(cleaned)
    return names


def text_problem(text: str) -> str | None:
    """What no database column can hold: NUL (PostgreSQL refuses it) or a lone surrogate."""
    if "\x00" in text:
        return "contains a NUL character, so it is not text"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a broken character (a lone surrogate)"
    return None


def _name_from_text(text: str) -> dict:
    if "," not in text:
        return {"literal": text}
    family, given = (part.strip() for part in text.split(",", 1))
    return {"family": family, "given": given}


def date_parts(value) -> list[int]:
    """[year], [year, month] or [year, month, day] from the forms files write a date in
    (DATE_FORMS); the first date of a range. [] for an empty date."""
    parts = value
    if isinstance(value, dict):
        if "date-parts" in value:
            parts = value["date-parts"]
            if isinstance(parts, list) and parts and isinstance(parts[0], list):
                parts = parts[0]
        elif isinstance(value.get("raw") or value.get("literal"), str):
            parts = value.get("raw") or value.get("literal")
        else:
            raise CSLValueError(f"is not a date: write it as {DATE_FORMS}")
    if isinstance(parts, bool):
        raise CSLValueError(f"is not a date: write it as {DATE_FORMS}")
    if isinstance(parts, int):
        parts = [parts]
    elif isinstance(parts, str):
        match = _DATE_TEXT_RE.match(parts)
        if not match:
            raise CSLValueError(f"“{parts[:40]}” is not a date: write it as {DATE_FORMS}")
        parts = [part for part in match.groups() if part]
    if not isinstance(parts, list) or len(parts) > 3:
        raise CSLValueError(f"is not a date: write it as {DATE_FORMS}")
    numbers = []
    for part in parts:
        if isinstance(part, str) and part.strip().isascii() and part.strip().isdigit():
            part = int(part)
        if isinstance(part, bool) or not isinstance(part, int):
            raise CSLValueError(f"is not a date: write it as {DATE_FORMS}")
        numbers.append(part)
    problem = date_problem(*numbers)
    if problem:
        raise CSLValueError(problem[1])
    return numbers


def date_problem(year=None, month=None, day=None) -> tuple[str, str] | None:
    """Which part of year, month, day is wrong and why, or None for a date."""
    if year is None:
        return ("year", "has a month or day but no year") if month or day else None
    if not 1 <= year <= 9999:
        return "year", f"year {year} is not a year"
    if month is None:
        return ("month", "has a day but no month") if day else None
    if not 1 <= month <= 12:
        return "month", f"month {month} is not a month (1 to 12)"
    if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
        return "day", f"day {day} is not a day of {calendar.month_name[month]} {year}"
    return None


def kind_of(value) -> str:
    names = {str: "text", int: "a number", float: "a number", bool: "true/false", list: "a list"}
    if value is None:
        return "null"
    return names.get(type(value), "an object")
