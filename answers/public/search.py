"""Search over the live public snapshots.

On PostgreSQL: full-text search through the stored, GIN-indexed `search_vector` (the
question weighted above the short answer above the sections), ranked, with highlighted
snippets. On SQLite: the FTS5 index of `sqlite_search`, every word (stemmed) as the start of
a word somewhere, answers whose question has them all first, then newest review, with a
plain snippet. Drafts are never searched.
"""

import re

from django.db import connection
from django.db.models import BooleanField, F
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..models import SEARCH_CONFIG, PublishedAnswer
from . import sqlite_search
from .paging import RowsById

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
SNIPPET_CHARS = 220

# Private-use characters mark the highlights PostgreSQL finds, so the snippet can be escaped
# as plain text first and only then get its <mark> tags.
START, STOP = "\ue000", "\ue001"
_HIGHLIGHT_RE = re.compile(f"{START}(.*?){STOP}", re.DOTALL)


def clean_query(raw: str) -> str:
    """The words searched for. A NUL can be in no answer and PostgreSQL refuses it in any
    text, so it separates words like a space."""
    return " ".join((raw or "").replace("\x00", " ").split())[:MAX_QUERY_LENGTH]


def highlighted(text: str) -> str:
    """Escape a snippet and turn the sentinel pairs into <mark>; stray sentinels (from the
    content itself) are dropped, so no unbalanced tag gets through."""
    escaped = escape(text)
    marked = _HIGHLIGHT_RE.sub(lambda m: f"<mark>{m.group(1)}</mark>", escaped)
    return mark_safe(marked.replace(START, "").replace(STOP, ""))  # noqa: S308 (escaped)


def search(query: str):
    """Live publications matching `query`, best first; `with_snippets` adds the snippets
    to the page of results shown."""
    if connection.vendor == "postgresql":
        return _postgres_search(query)
    return _sqlite_search(query)


def _postgres_search(query):
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank

    search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    return (
        PublishedAnswer.objects.listing()
        .filter(search_vector=search_query)
        .annotate(
            rank=SearchRank(F("search_vector"), search_query),
            headline=SearchHeadline(
                "search_text",
                search_query,
                config=SEARCH_CONFIG,
                start_sel=START,
                stop_sel=STOP,
                max_words=35,
                min_words=15,
            ),
        )
        .order_by("-rank", "-approved_at", "pk")
    )


def _terms(query: str) -> list[str]:
    return [term for term in query.split() if term][:MAX_TERMS]


def _sqlite_search(query):
    """The count and the order read only the FTS5 index and a covering index; the rows of
    the page shown are then read by id."""
    terms = _terms(query)
    if not sqlite_search.match_expression(terms):
        return PublishedAnswer.objects.listing().none()
    matching = sqlite_search.matching_sql()
    matches = PublishedAnswer.objects.live().filter(
        RawSQL(matching, [sqlite_search.match_expression(terms)], BooleanField())
    )
    in_question = sqlite_search.match_expression(terms, column="question")
    ordered_ids = (
        matches.annotate(in_question=RawSQL(matching, [in_question], BooleanField()))
        .order_by("-in_question", "-approved_at", "pk")
        .values_list("pk", flat=True)
    )
    return RowsById(ordered_ids, PublishedAnswer.objects.listing("search_text"), count=matches)


def plain_snippet(text: str, terms: list[str]) -> str:
    """A window of the text around the first matching word, with the words marked."""
    lowered = text.lower()
    positions = [lowered.find(term.lower()) for term in terms]
    positions = [p for p in positions if p >= 0]
    start = max(0, min(positions) - 60) if positions else 0
    window = text[start : start + SNIPPET_CHARS]
    if start > 0:
        window = "…" + window.split(" ", 1)[-1]
    if start + SNIPPET_CHARS < len(text):
        window = window.rsplit(" ", 1)[0] + "…"
    if terms:
        pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
        window = pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", window)
    return highlighted(window)


def with_snippets(results, query: str):
    """Attach `.snippet` to each result of one page."""
    terms = _terms(query)
    for result in results:
        headline = getattr(result, "headline", None)
        if headline is not None:
            result.snippet = highlighted(headline)
        else:
            result.snippet = plain_snippet(result.search_text, terms)
    return results
