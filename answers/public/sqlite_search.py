"""Search and listings on SQLite at scale: an FTS5 index of the publication snapshots, and
covering indexes for the public listings. PostgreSQL needs neither (it searches its GIN-indexed
`search_vector` and keeps large values out of line), so they exist only on SQLite.

Why covering indexes: SQLite stores a snapshot's large values (rendered HTML, JSON data: about
90 kB a row) in a chain of overflow pages, and the columns every public query filters on
(`withdrawn_at`, `live_from`, `take_down_at`) come after them in the row. Reading them walks
the chain page by page: at 10,000 answers, a query that checks every live row (the sitemap,
the topic counts, a search matching many answers) read about 1 GB. These indexes hold those
columns, so such queries never open a row.

The FTS5 table indexes `question` and `search_text` with the snapshot table as its external
content (no second copy of the text). Triggers on the snapshot table keep it in step, so every
path that writes snapshots updates it: publishing, the admin, `QuerySet.update()`,
`bulk_create`, the shell. Django rebuilds a SQLite table for many schema changes, dropping the
triggers and indexes it does not know about: `ensure_installed` runs after every `migrate`,
puts back whatever is missing, and rebuilds the search index if its triggers were gone.
"""

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, F, Func

SOURCE = "answers_publishedanswer"
TABLE = "answers_publishedanswer_search"
# Porter stemming over Unicode words, accents folded: "Tests" finds "test", "café" "cafe".
TOKENIZE = "porter unicode61 remove_diacritics 2"

# FTS5's way to remove an external-content row: the 'delete' command with the old values.
_OLD = (
    f"INSERT INTO {TABLE}({TABLE}, rowid, question, search_text) "
    "VALUES ('delete', old.id, old.question, old.search_text);"
)
_NEW = (
    f"INSERT INTO {TABLE}(rowid, question, search_text) "
    "VALUES (new.id, new.question, new.search_text);"
)
TRIGGERS = {
    f"{TABLE}_insert": f"AFTER INSERT ON {SOURCE} BEGIN {_NEW} END",
    f"{TABLE}_delete": f"AFTER DELETE ON {SOURCE} BEGIN {_OLD} END",
    f"{TABLE}_update": f"AFTER UPDATE OF question, search_text ON {SOURCE} BEGIN {_OLD} {_NEW} END",
}
_LIVE_COLUMNS = "withdrawn_at, live_from, take_down_at"
# `ensure_installed` goes by name: give an index a new name when its columns change.
INDEXES = {
    # Home, feed, API list, counts of live answers, search results (newest first), and the
    # clinicians who signed live answers (contributor pages in the sitemap).
    "publishedanswer_live_recent_covering": (
        f"{SOURCE} (approved_at DESC, id, {_LIVE_COLUMNS}, signoff_id) WHERE withdrawn_at IS NULL"
    ),
    # The answers sitemap, in address order.
    "publishedanswer_live_slug_covering": (
        f"{SOURCE} (slug, approved_at, {_LIVE_COLUMNS}) WHERE withdrawn_at IS NULL"
    ),
    # Topics with their live answers' count and newest review (not partial: a LEFT JOIN), and
    # a topic's page in question order.
    "publishedanswer_topic_live_covering": (
        f"{SOURCE} (topic_id, {_LIVE_COLUMNS}, approved_at, question)"
    ),
}


def _existing(cursor, kind) -> set[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = %s", [kind])
    return {name for (name,) in cursor.fetchall()}


def install(connection: BaseDatabaseWrapper):
    """Create the search table (filled from the snapshots), its triggers and the indexes."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_compileoption_used('ENABLE_FTS5')")
        if not cursor.fetchone()[0]:
            raise RuntimeError(
                "This SQLite was built without FTS5, which search needs: use a Python whose "
                "SQLite has it (Debian's, python.org's and pyenv's builds do), or PostgreSQL."
            )
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(question, search_text, "
            f"content='{SOURCE}', content_rowid='id', tokenize='{TOKENIZE}')"
        )
    ensure_installed(connection, rebuild=True)


def ensure_installed(connection: BaseDatabaseWrapper, *, rebuild=False) -> list[str]:
    """Put back any trigger or index of an installed search table that a table rebuild
    dropped; the names put back. With a trigger missing, writes may have gone unindexed, so
    the search index is rebuilt from the snapshots."""
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        if TABLE not in _existing(cursor, "table"):
            return []  # not installed (migrated back before it): nothing to keep
        triggers, indexes = _existing(cursor, "trigger"), _existing(cursor, "index")
        missing = [name for name in TRIGGERS if name not in triggers]
        for name in missing:
            cursor.execute(f"CREATE TRIGGER {name} {TRIGGERS[name]}")
        for name, definition in INDEXES.items():
            if name not in indexes:
                missing.append(name)
                cursor.execute(f"CREATE INDEX {name} ON {definition}")
        if rebuild or any(name in TRIGGERS for name in missing):
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")
    return missing


def uninstall(connection: BaseDatabaseWrapper):
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def match_expression(terms, *, column=None) -> str:
    """An FTS5 query finding every term as the start of a word, each term a quoted string, so
    nothing a reader types is read as FTS5 syntax (AND, NEAR, *, :, parentheses). Terms with
    no letter or digit (which FTS5 would find nowhere) are left out; "" when none is left."""
    phrases = [
        '"' + term.replace('"', '""') + '"*'
        for term in terms
        if any(character.isalnum() for character in term)
    ]
    if not phrases:
        return ""
    expression = " ".join(phrases)
    return f"{{{column}}} : ({expression})" if column else expression


def matching_sql() -> str:
    """SQL true for the snapshot rows the FTS5 query (one parameter) matches. The unary `+`
    keeps SQLite from looking each match up by primary key (which opens every row): it scans
    a covering index and tests membership instead."""
    return f'+"{SOURCE}"."id" IN (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s)'


class RowIn(Func):
    """`+id IN (subquery)` as an expression, its column following Django's alias (so it
    works inside a subquery too). The unary `+`, as in `matching_sql`, keeps SQLite from
    opening each row listed: it scans a covering index and tests membership instead."""

    output_field = BooleanField()

    def __init__(self, subquery_sql: str, params):
        super().__init__(F("pk"))
        self.subquery_sql, self.subquery_params = subquery_sql, list(params)

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        return f"+{column} IN ({self.subquery_sql})", (*params, *self.subquery_params)


def matches(fts_query: str) -> RowIn:
    """True for the snapshot rows the FTS5 query matches."""
    return RowIn(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [fts_query])  # noqa: S608


def in_topic(topic_id) -> RowIn:
    """True for the snapshots of a topic, read from the topic's covering index (the row's
    own topic_id would open every row)."""
    return RowIn(f"SELECT id FROM {SOURCE} WHERE topic_id = %s", [topic_id])  # noqa: S608
