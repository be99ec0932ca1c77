"""Search over the live public snapshots, in readers' words.

A query is parsed into groups of alternatives (`parse_query`): a phrase of an editor's
synonym set stands for every term of its sets, every other word for its British and American
spellings and its hyphen and space forms ("SGLT-2", "SGLT 2", "SGLT2"). Every group must
match. Answers an editor promoted for the query come first, then answers whose question
matches, then the rest.

On PostgreSQL: full-text search through the stored, GIN-indexed `search_vector`, ranked, with
highlighted snippets. On SQLite: the FTS5 index of `sqlite_search` (the reader's own words as
the start of a word), newest review first after the question matches, with a plain snippet.
A query that finds nothing gets a "Did you mean" built from the published words
(`SearchWord`: pg_trgm on PostgreSQL, difflib elsewhere). Drafts are never searched.
"""

import difflib
import operator
import re
from dataclasses import dataclass, field
from functools import reduce

from django.db import connection
from django.db.models import BooleanField, Case, ExpressionWrapper, F, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .. import search_terms
from ..models import SEARCH_CONFIG, PublishedAnswer, SearchPromotion, SearchWord, SynonymTerm
from . import sqlite_search
from .paging import RowsById

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
MAX_ALTERNATIVES = 24
# difflib's ratio a published word needs to be suggested ("diabetis" → "diabetes" is 0.88).
SUGGESTION_CUTOFF = 0.75
_QUOTED_RE = re.compile(r'"([^"]*)"')
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


@dataclass(frozen=True)
class Alternative:
    """One way a part of the query may appear: a word or a phrase. `exact` is False for the
    reader's own words, which match as the start of a word on SQLite (as they always have)."""

    words: tuple[str, ...]
    exact: bool = False


@dataclass
class ParsedQuery:
    """Every group must match (any one of its alternatives); no excluded group may."""

    groups: list[list[Alternative]] = field(default_factory=list)
    excluded: list[list[Alternative]] = field(default_factory=list)
    synonyms: list[str] = field(default_factory=list)

    def words(self) -> list[str]:
        """The words to mark in a plain snippet."""
        found = [w for group in self.groups for alt in group for w in alt.words]
        return list(dict.fromkeys(w.lstrip("-") for w in found if w.lstrip("-")))


def _word_alternatives(unit, *, exact=False):
    """A word in each of its spellings; "sglt2" also as "sglt 2" and "sglt-2"."""
    alternatives = []
    for variant in search_terms.spelling_variants(unit):
        alternatives.append(Alternative((variant,), exact))
        parts = search_terms.split_compound(variant)
        if parts:
            alternatives.append(Alternative(parts, True))
            alternatives.append(Alternative((parts[0], "-" + parts[1]), True))
    return alternatives


def _term_alternatives(term_key):
    words = term_key.split()
    if len(words) == 1:
        return _word_alternatives(words[0], exact=True)
    forms = [tuple(words), tuple(search_terms.spelling_variants(w)[-1] for w in words)]
    return [Alternative(form, True) for form in dict.fromkeys(forms)]


def _synonym_sets(units):
    """{key: every (key, term) of the sets it belongs to} for the keys among the query's phrases,
    read in one indexed query."""
    keys = {
        " ".join(search_terms.american(u) for u in units[i:j])
        for i in range(len(units))
        for j in range(i + 1, min(len(units), i + search_terms.MAX_PHRASE_WORDS) + 1)
    }
    if not keys:
        return {}
    rows = SynonymTerm.objects.filter(
        synonym_set__in=SynonymTerm.objects.filter(key__in=keys).values("synonym_set")
    ).values_list("synonym_set_id", "key", "term")
    by_set = {}
    for set_id, term_key, term in rows:
        by_set.setdefault(set_id, []).append((term_key, term))
    expansions = {}
    for members in by_set.values():
        for term_key, _ in members:
            if term_key in keys:
                expansions.setdefault(term_key, []).extend(members)
    return {k: list(dict.fromkeys(v)) for k, v in expansions.items()}


def parse_query(query: str) -> ParsedQuery:
    """The groups of alternatives a query searches: quoted phrases as they are, "-word"
    excluded, synonym sets' phrases (longest first) expanded to every term of their sets,
    every other word in its spellings and hyphen forms."""
    parsed = ParsedQuery()
    rest = _QUOTED_RE.sub(" ", query)
    for phrase in _QUOTED_RE.findall(query):
        words = tuple(search_terms.units(phrase))
        if words:
            parsed.groups.append([Alternative(words, True)])
    positive = []
    for token in rest.split():
        if token.startswith("-") and len(token) > 1:
            for unit in search_terms.units(token[1:]):
                parsed.excluded.append(_word_alternatives(unit, exact=True))
        else:
            positive.append(token)
    units = search_terms.units(" ".join(positive))[:MAX_TERMS]
    expansions = _synonym_sets(units)
    index = 0
    while index < len(units):
        for end in range(min(len(units), index + search_terms.MAX_PHRASE_WORDS), index, -1):
            phrase_key = " ".join(search_terms.american(u) for u in units[index:end])
            if phrase_key in expansions:
                group = []
                for term_key, term in expansions[phrase_key]:
                    group.extend(_term_alternatives(term_key))
                    if term_key != phrase_key and term not in parsed.synonyms:
                        parsed.synonyms.append(term)
                parsed.groups.append(list(dict.fromkeys(group))[:MAX_ALTERNATIVES])
                index = end
                break
        else:
            parsed.groups.append(_word_alternatives(units[index]))
            index += 1
    parsed.groups = parsed.groups[:MAX_TERMS]
    return parsed


def promoted_ids(query: str) -> list[int]:
    """The publications editors promoted for this query, in their order (live or not)."""
    query_key = search_terms.key(query)
    if not query_key:
        return []
    return list(
        SearchPromotion.objects.filter(query_key=query_key)
        .order_by("position", "pk")
        .values_list("publication_id", flat=True)
    )


def _promoted_first(ids):
    if not ids:
        return Value(0)
    return Case(*(When(pk=pk, then=Value(-len(ids) + i)) for i, pk in enumerate(ids)), default=0)


def search(query: str, *, parsed=None, promoted=None):
    """Live publications matching `query`, promoted answers first, then those whose
    question matches, best first; `with_snippets` adds the snippets to the page shown."""
    parsed = parsed or parse_query(query)
    promoted = promoted_ids(query) if promoted is None else promoted
    if connection.vendor == "postgresql":
        return _postgres_search(parsed, promoted)
    return _sqlite_search(parsed, promoted)


def postgres_query(parsed):
    """The tsquery of a parsed query (None when it has nothing to find)."""
    from django.contrib.postgres.search import SearchQuery

    def alternative(alt):
        kind = "phrase" if len(alt.words) > 1 else "plain"
        return SearchQuery(" ".join(alt.words), search_type=kind, config=SEARCH_CONFIG)

    def any_of(group):
        return reduce(operator.or_, map(alternative, group))

    if not parsed.groups:
        return None
    combined = reduce(operator.and_, map(any_of, parsed.groups))
    for group in parsed.excluded:
        combined &= ~any_of(group)
    return combined


def _question_vector():
    """The question's own document: parsing a short question costs less than filtering the
    stored vector of the whole answer (ts_filter) for every matching row."""
    from django.contrib.postgres.search import SearchVector

    return SearchVector("question", config=SEARCH_CONFIG)


def _postgres_search(parsed, promoted):
    from django.contrib.postgres.search import SearchHeadline, SearchRank

    search_query = postgres_query(parsed)
    live = PublishedAnswer.objects.listing()
    if search_query is None:
        return live.filter(pk__in=promoted).order_by(_promoted_first(promoted).asc(), "pk")
    return (
        live.annotate(question_vector=_question_vector())
        .filter(Q(search_vector=search_query) | Q(pk__in=promoted))
        .annotate(
            promoted=_promoted_first(promoted),
            in_question=ExpressionWrapper(
                Q(question_vector=search_query), output_field=BooleanField()
            ),
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
        .order_by("promoted", "-in_question", "-rank", "-approved_at", "pk")
    )


def _terms(query: str) -> list[str]:
    return [term for term in query.split() if term][:MAX_TERMS]


def sqlite_expression(parsed, *, column=None) -> str:
    """The FTS5 query of a parsed query: each alternative a quoted phrase (so nothing a
    reader types is read as FTS5 syntax), the reader's own words as word starts; "" when
    nothing is left to find."""

    def alternative(alt):
        phrase = '"' + " ".join(alt.words).replace('"', '""') + '"'
        return phrase if alt.exact else phrase + "*"

    def any_of(group):
        return "(" + " OR ".join(map(alternative, group)) + ")"

    if not parsed.groups:
        return ""
    expression = " AND ".join(map(any_of, parsed.groups))
    for group in parsed.excluded:
        expression += " NOT " + any_of(group)
    return f"{{{column}}} : ({expression})" if column else expression


def _sqlite_search(parsed, promoted):
    """The count and the order read only the FTS5 index and a covering index; the rows of
    the page shown are then read by id."""
    expression = sqlite_expression(parsed)
    live = PublishedAnswer.objects.live()
    rows = PublishedAnswer.objects.listing("search_text")
    if not expression:
        ids = live.filter(pk__in=promoted).order_by(_promoted_first(promoted).asc(), "pk")
        return RowsById(ids.values_list("pk", flat=True), rows)
    matching = sqlite_search.matching_sql()
    matches = live.filter(Q(RawSQL(matching, [expression], BooleanField())) | Q(pk__in=promoted))
    in_question = sqlite_expression(parsed, column="question")
    ordered_ids = (
        matches.annotate(
            promoted=_promoted_first(promoted),
            in_question=RawSQL(matching, [in_question], BooleanField()),
        )
        .order_by("promoted", "-in_question", "-approved_at", "pk")
        .values_list("pk", flat=True)
    )
    return RowsById(ordered_ids, rows, count=matches)


def known_words(words) -> set[str]:
    """Those of `words` (or one of their spellings) that published answers use."""
    spellings = {
        variant: word for word in words for variant in search_terms.spelling_variants(word)
    }
    found = SearchWord.objects.filter(word__in=spellings).values_list("word", flat=True)
    return {spellings[word] for word in found}


def closest_word(word: str) -> str | None:
    """The published word most like `word`: by trigram similarity (pg_trgm, its GIN index)
    on PostgreSQL; elsewhere by difflib's ratio among words of about the same length
    starting with the same letter (read through an index)."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        return (
            SearchWord.objects.filter(word__trigram_similar=word)
            .annotate(similarity=TrigramSimilarity("word", word))
            .order_by("-similarity", "length", "word")
            .values_list("word", flat=True)
            .first()
        )
    first = word[0]
    candidates = SearchWord.objects.filter(
        length__range=(len(word) - 2, len(word) + 2), word__gte=first, word__lt=chr(ord(first) + 1)
    ).values_list("word", flat=True)
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=SUGGESTION_CUTOFF)
    return matches[0] if matches else None


def suggestion(query: str) -> str:
    """ "Did you mean …?": the query with each word no published answer uses replaced by
    the closest word that one does, if that query finds a live answer; else ""."""
    words = search_terms.words(_QUOTED_RE.sub(" ", query).replace(" -", " "))[:MAX_TERMS]
    candidates = [w for w in words if len(w) >= 3 and not w.isdigit()]
    unknown = set(candidates) - known_words(candidates)
    if not unknown:
        return ""
    replaced = {word: closest_word(word) for word in unknown}
    if not any(replaced.values()):
        return ""
    suggested = " ".join(replaced.get(word) or word for word in words)
    if suggested == " ".join(words) or not search(suggested, promoted=[]).count():
        return ""
    return suggested


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
        alternatives = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
        pattern = re.compile(rf"\b(?:{alternatives})", re.IGNORECASE)
        window = pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", window)
    return highlighted(window)


def with_snippets(results, query: str, *, parsed=None):
    """Attach `.snippet` to each result of one page."""
    terms = parsed.words() if parsed is not None else _terms(query)
    for result in results:
        headline = getattr(result, "headline", None)
        if headline is not None:
            result.snippet = highlighted(headline)
        else:
            result.snippet = plain_snippet(result.search_text, terms)
    return results


RELATED_COUNT = 5
# Words of a question that say nothing about its subject.
_QUESTION_WORDS = frozenset(
    [
        "what",
        "when",
        "where",
        "which",
        "while",
        "whom",
        "whose",
        "does",
        "should",
        "could",
        "would",
        "will",
        "with",
        "without",
        "from",
        "that",
        "this",
        "these",
        "those",
        "have",
        "there",
        "their",
        "they",
        "them",
        "then",
        "than",
        "about",
        "after",
        "before",
        "being",
        "used",
        "using",
        "into",
        "over",
        "more",
        "most",
        "much",
        "many",
        "some",
        "other",
        "same",
        "such",
        "also",
        "only",
        "very",
        "make",
        "according",
        "recent",
        "recently",
        "currently",
        "people",
        "person",
        "patient",
        "patients",
    ]
)


def _subject_words(question: str) -> list[str]:
    found = [w for w in search_terms.words(question) if len(w) >= 4 and w not in _QUESTION_WORDS]
    return list(dict.fromkeys(found))[:8]


def related_questions(publication, *, limit=RELATED_COUNT):
    """A few other live answers: those whose question shares this one's subject words
    first, then others of the same topic, newest review first. One query: the order is
    found on the index columns alone in a subquery, and only the chosen rows are read (a
    snapshot row is large; sorting thousands of them took seconds at 10,000 answers)."""
    words = _subject_words(publication.question)
    others = PublishedAnswer.objects.live().exclude(pk=publication.pk)
    if connection.vendor == "postgresql":
        topic = Q(topic_id=publication.topic_id)
    else:
        topic = Q(sqlite_search.in_topic(publication.topic_id))
    same_topic = Case(When(topic, then=Value(1)), default=Value(0))
    if not words:
        similarity = Value(0)
        found = others.filter(topic)
    elif connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        query = reduce(operator.or_, (SearchQuery(w, config=SEARCH_CONFIG) for w in words))
        similarity = SearchRank(_question_vector(), query)
        found = others.filter(topic | Q(search_vector=query))
    else:
        expression = "{question} : (" + " OR ".join(f'"{w}"' for w in words) + ")"
        similarity = Case(When(sqlite_search.matches(expression), then=1), default=0)
        found = others.filter(topic | Q(sqlite_search.matches(expression)))
    order = ["-similarity", "-same_topic", "-approved_at", "pk"]
    chosen = (
        found.annotate(similarity=similarity, same_topic=same_topic)
        .order_by(*order)
        .values("pk")[:limit]
    )
    return list(
        PublishedAnswer.objects.listing()
        .filter(pk__in=chosen)
        .annotate(similarity=similarity, same_topic=same_topic)
        .order_by(*order)
    )
