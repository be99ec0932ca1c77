"""Synonym sets from a file: one set a line, terms separated by commas. The management
command and the demo use it; a glossary's "other names" can use it with its own source."""

from django.core.exceptions import ValidationError
from django.db import transaction

from . import search_terms
from .models import SynonymSet, parse_synonym_terms


class SynonymFileError(ValueError):
    """Lines of a synonym file that cannot be sets; nothing was imported."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(f"Line {number}: {message}" for number, message in problems))


def read_synonym_lines(text: str) -> list[tuple[int, list[str]]]:
    """(line number, terms) of each set; blank lines and lines starting with # are skipped.
    Raises SynonymFileError naming every bad line."""
    sets, problems = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            sets.append((number, parse_synonym_terms(line)))
        except ValidationError as error:
            problems.append((number, " ".join(error.messages)))
    if problems:
        raise SynonymFileError(problems)
    return sets


def _signature(terms) -> frozenset[str]:
    return frozenset(search_terms.key(term) for term in terms)


@transaction.atomic
def import_synonyms(text: str, *, source=SynonymSet.Source.IMPORT, source_note="") -> dict:
    """Create the file's sets, all or none; a set already there (the same terms, however
    spelt) is left as it is. Returns {"created": n, "unchanged": n}."""
    existing = {_signature(s.term_list()) for s in SynonymSet.objects.all()}
    created = unchanged = 0
    for _number, terms in read_synonym_lines(text):
        signature = _signature(terms)
        if signature in existing:
            unchanged += 1
            continue
        SynonymSet.objects.create(
            terms=", ".join(terms), source=source, source_note=source_note[:200]
        )
        existing.add(signature)
        created += 1
    return {"created": created, "unchanged": unchanged}
