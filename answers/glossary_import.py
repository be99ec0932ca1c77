"""Bring an existing glossary in from a CSV file (columns: term, definition, other names),
as drafts a clinician then reviews like any other definition: nothing imported is public.
All or nothing: one bad line and no term is created, each problem named by its line."""

import csv
import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from .models import GlossaryTerm, split_other_names, validate_definition

COLUMNS = ("term", "definition", "other names")
MAX_TERM_CHARS = GlossaryTerm._meta.get_field("term").max_length
MAX_OTHER_NAMES_CHARS = GlossaryTerm._meta.get_field("other_names").max_length


class GlossaryFileError(Exception):
    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def _header(row):
    return tuple(" ".join(cell.strip().lower().replace("_", " ").split()) for cell in row)


def read_glossary_csv(data: bytes) -> list[dict]:
    """[{line, term, definition, other_names}] or GlossaryFileError naming every problem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise GlossaryFileError(
            [f"The file is not UTF-8 text (byte {error.start + 1}): save it as CSV UTF-8."]
        ) from None
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(rows, None)
    except csv.Error as error:
        raise GlossaryFileError([f"Line 1: {error}."]) from None
    if header is None or _header(header)[:2] != COLUMNS[:2]:
        raise GlossaryFileError(
            ["The first line must name the columns: term,definition,other names."]
        )
    entries, problems, seen = [], [], {}
    try:
        for row in rows:
            line = rows.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) not in (2, 3):
                problems.append(f"Line {line}: expected 2 or 3 columns, found {len(row)}.")
                continue
            term, definition = row[0].strip(), row[1].strip()
            other_names = ", ".join(split_other_names(row[2])) if len(row) == 3 else ""
            if not term:
                problems.append(f"Line {line}: the term is empty.")
            elif len(term) > MAX_TERM_CHARS:
                problems.append(f"Line {line}: the term is over {MAX_TERM_CHARS} characters.")
            elif term.casefold() in seen:
                problems.append(f"Line {line}: “{term}” is also on line {seen[term.casefold()]}.")
            else:
                seen[term.casefold()] = line
            if len(other_names) > MAX_OTHER_NAMES_CHARS:
                problems.append(
                    f"Line {line}: the other names are over {MAX_OTHER_NAMES_CHARS} characters."
                )
            try:
                validate_definition(definition)
            except ValidationError as error:
                problems.append(f"Line {line}: {' '.join(error.messages)}")
            entries.append(
                {"line": line, "term": term, "definition": definition, "other_names": other_names}
            )
    except csv.Error as error:
        problems.append(f"Line {rows.line_num}: {error}.")
    if problems:
        raise GlossaryFileError(problems)
    return entries


def import_glossary(data: bytes, *, filename, by=None, skip_existing=False):
    """Create the file's terms as drafts. Returns (created, skipped) term names."""
    entries = read_glossary_csv(data)
    wanted = [entry["term"].casefold() for entry in entries]
    existing = {
        name.casefold()
        for name in GlossaryTerm.objects.annotate(folded=Lower("term"))
        .filter(folded__in=[name.lower() for name in wanted])
        .values_list("term", flat=True)
    }
    clashes = [e for e in entries if e["term"].casefold() in existing]
    if clashes and not skip_existing:
        raise GlossaryFileError(
            [f"Line {e['line']}: “{e['term']}” is already in the glossary." for e in clashes]
            + ["Nothing was imported. Remove those lines, or import with --skip-existing."]
        )
    created = []
    with transaction.atomic():
        for entry in entries:
            if entry["term"].casefold() in existing:
                continue
            term = GlossaryTerm(
                term=entry["term"], definition=entry["definition"], other_names=entry["other_names"]
            )
            term._history_user = by
            term._change_reason = f"Imported from {filename}"
            term.save()
            created.append(term.term)
    return created, [e["term"] for e in clashes]
