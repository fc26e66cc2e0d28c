"""The stemmed full-text index of Service.search_text on each database.

On SQLite, an FTS5 index with the porter tokenizer ("knitting" and "knit" are one token),
so a text search is an index lookup rather than a LIKE over every row. On PostgreSQL, the
`english` text-search vector stored in a generated column with a GIN index (migration
0016).

The index is an external-content FTS5 table over directory_service's rowids, kept in step
by three triggers in the database, so every write path (save, bulk_create, update) keeps
it true. Django rebuilds a SQLite table to alter it, which drops the triggers and renumbers
rows: `ensure()` runs after every migrate and recreates and rebuilds the index if its
triggers are missing. Words in search_text are lower-case [a-z0-9]+ (see search.words), the
same tokens FTS5's default tokenizer makes, so matching a token is matching " word ".
"""

from django.db import connection

TABLE = "directory_service_fts"
TRIGGERS = ("directory_service_fts_ai", "directory_service_fts_ad", "directory_service_fts_au")

# Literal SQL, no interpolation (the names are fixed). Migration 0006 holds its own copy on
# purpose: a migration must not import app code that may change after it has run.
CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS directory_service_fts USING fts5("
    "search_text, content='directory_service', content_rowid='rowid', "
    "tokenize='porter unicode61')",
    "CREATE TRIGGER IF NOT EXISTS directory_service_fts_ai AFTER INSERT ON directory_service "
    "BEGIN INSERT INTO directory_service_fts(rowid, search_text) "
    "VALUES (new.rowid, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS directory_service_fts_ad AFTER DELETE ON directory_service "
    "BEGIN INSERT INTO directory_service_fts(directory_service_fts, rowid, search_text) "
    "VALUES ('delete', old.rowid, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS directory_service_fts_au AFTER UPDATE OF search_text "
    "ON directory_service BEGIN "
    "INSERT INTO directory_service_fts(directory_service_fts, rowid, search_text) "
    "VALUES ('delete', old.rowid, old.search_text); "
    "INSERT INTO directory_service_fts(rowid, search_text) "
    "VALUES (new.rowid, new.search_text); END",
]
DROP = [
    "DROP TRIGGER IF EXISTS directory_service_fts_ai",
    "DROP TRIGGER IF EXISTS directory_service_fts_ad",
    "DROP TRIGGER IF EXISTS directory_service_fts_au",
    "DROP TABLE IF EXISTS directory_service_fts",
]
REBUILD = "INSERT INTO directory_service_fts(directory_service_fts) VALUES ('rebuild')"
# A condition on the outer query's own rows (by rowid, the table's b-tree key: no detour
# through the id index). Only for queries whose main table is directory_service, unaliased.
MATCHING_ROWS = (
    '"directory_service"."rowid" IN '
    "(SELECT rowid FROM directory_service_fts WHERE directory_service_fts MATCH %s)"
)
# PostgreSQL: the stored english vector of search_text with its GIN index (migration 0016),
# so neither matching nor the relevance order computes to_tsvector again per row.
PG_MATCHING_ROWS = '"directory_service"."search_vector" @@ to_tsquery(\'english\'::regconfig, %s)'

_ready = {}


def _stemmed(cursor) -> bool:
    cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [TABLE])
    row = cursor.fetchone()
    return bool(row) and "porter" in (row[0] or "")


def _present(cursor) -> set:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE name IN (%s, %s, %s, %s)", [TABLE, *TRIGGERS]
    )
    return {row[0] for row in cursor.fetchall()}


def ensure(using_connection=None) -> bool:
    """Create the index and its triggers if any is missing, rebuilding it from the table.
    Returns True when something had to be done. Does nothing except on SQLite."""
    conn = using_connection or connection
    if conn.vendor != "sqlite":
        return False
    with conn.cursor() as cursor:
        if _present(cursor) == {TABLE, *TRIGGERS} and _stemmed(cursor):
            return False
        for statement in [*DROP, *CREATE]:
            cursor.execute(statement)
        cursor.execute(REBUILD)
    _ready.pop(conn.alias, None)
    return True


def available() -> bool:
    """True when text search can use the FTS5 index (SQLite, index in place)."""
    if connection.vendor != "sqlite":
        return False
    key = (connection.alias, connection.settings_dict["NAME"])
    if key not in _ready:
        with connection.cursor() as cursor:
            _ready[key] = TABLE in _present(cursor)
    return _ready[key]


def match_expression(alternatives) -> str:
    """FTS5 query for "all the words of one of these alternatives", each a tuple of words
    ([a-z0-9]+, see search.words), e.g. ("food" AND "bank") OR ("pantry")."""
    return " OR ".join(
        "(" + " AND ".join(f'"{word}"' for word in alternative) + ")"
        for alternative in alternatives
    )


def ts_query(alternatives) -> str:
    """The same as a PostgreSQL tsquery: ('food' & 'bank') | ('pantry')."""
    return " | ".join(
        "(" + " & ".join(f"'{word}'" for word in alternative) + ")" for alternative in alternatives
    )


def post_migrate(sender, using="default", **kwargs):
    from django.db import connections

    ensure(connections[using])
