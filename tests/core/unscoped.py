"""The unscoped-query backstop (docs/testing.md): while the test client handles a request,
every SELECT that reads a personal table must say whose rows it wants.

A personal table is `people_resident` and the table of every model in the field policy
(`commonweave.core.visibility.declared_policies()`) with a foreign key to Resident. Each
SELECT in a statement (each sub-select, and each side of a UNION) that reads one in its
FROM or a JOIN must have its own WHERE with a scoping comparison: a scoping column
compared with `=` or `IN`, not inside `NOT (...)`, and not with a sub-select that is not
scoped itself. The scoping columns are the primary key (`id`), the other unique columns
of the field policy's models (`public_id`; `token_hash`, the hash of the secret in a
one-time check-in link's address, which finds one row as a primary key does), and the
foreign keys of those models to a place, an organisation, a row that belongs to one (a
learning session, a service, a life map version) or another personal record
(`place_id`, `organisation_id`, `session_id`, `resident_id`, ...): the query then reads
the rows of one place or organisation, or rows hanging off a row already read. A user is
not a scope (`catalyst_id`): one person may work in several places. `IS NULL`, `!=` and
comparisons with anything else (a stage, a date) do not scope.

One exception: a sub-select in the WHERE of a scoped SELECT needs no scope of its own.
It only narrows rows already scoped (`WHERE place_id = 1 AND resident_id IN (SELECT
resident_id FROM people_consent WHERE given)`), and none of its rows leave the database.

The SQL is parsed with sqlparse, the same on SQLite and PostgreSQL (Django quotes names
alike on both). The point is to catch `Resident.objects.all()` (or `.filter(stage=...)`)
in request handling, not to prove a query safe: an `OR` beside a scoping comparison is
not looked into.
"""

import functools
from collections.abc import Iterator
from contextlib import contextmanager

import sqlparse
from django.apps import apps
from django.db import connection
from sqlparse import sql
from sqlparse import tokens as T


class UnscopedQuery(AssertionError):
    """A request read a personal table without saying whose rows."""


@functools.cache
def personal_models() -> frozenset:
    from commonweave.core.visibility import declared_policies
    from commonweave.people.models import Resident

    models = {apps.get_model(label) for label in declared_policies()}
    return frozenset(
        model
        for model in models
        if model is Resident
        or any(field.many_to_one and field.related_model is Resident for field in _fks(model))
    )


def _fks(model):
    return [field for field in model._meta.concrete_fields if field.is_relation]


@functools.cache
def personal_tables() -> frozenset[str]:
    return frozenset(model._meta.db_table for model in personal_models())


@functools.cache
def scoping_columns() -> frozenset[str]:
    from commonweave.core.visibility import declared_policies
    from commonweave.tenancy.models import Organisation, Place

    classified = {apps.get_model(label) for label in declared_policies()}
    # A row of one place: a place, an organisation, anything that belongs to one (a
    # learning session, a service, a life map version), or another personal record.
    belongs = {
        model
        for model in apps.get_models()
        if any(field.related_model in (Place, Organisation) for field in _fks(model))
    }
    scopes = classified | belongs | {Place, Organisation}
    columns = {"id", "public_id"}
    for model in classified:
        columns.update(field.attname for field in _fks(model) if field.related_model in scopes)
        # A unique key reads one row, as the primary key does: a check-in link is found
        # by the hash of the secret in its address (token_hash).
        columns.update(field.attname for field in model._meta.concrete_fields if field.unique)
    return frozenset(columns)


def _significant(group) -> list:
    return [t for t in group.tokens if not t.is_whitespace and t.ttype not in T.Comment]


def _is_select(group) -> bool:
    tokens = _significant(group)
    if isinstance(group, sql.Parenthesis):
        tokens = tokens[1:]
    return bool(tokens) and tokens[0].ttype is T.Keyword.DML and tokens[0].normalized == "SELECT"


def _segments(group) -> list[list]:
    """The SELECTs of a statement or bracket as lists of their own tokens: one, or each
    side of a UNION (INTERSECT, EXCEPT) apart."""
    segments: list[list] = [[]]
    for token in _significant(group):
        if token.ttype in T.Keyword and token.normalized.startswith(
            ("UNION", "INTERSECT", "EXCEPT")
        ):
            segments.append([])
        else:
            segments[-1].append(token)
    return [segment for segment in segments if segment]


def _subselects(token) -> Iterator:
    """The sub-selects in `token`, not those nested in them."""
    if isinstance(token, sql.Parenthesis) and _is_select(token):
        yield token
    elif token.is_group:
        for child in token.tokens:
            yield from _subselects(child)


def _tables_read(segment: list) -> set[str]:
    tables: set[str] = set()
    after_from = False
    for token in segment:
        if token.ttype in T.Keyword and (
            token.normalized == "FROM" or token.normalized.endswith("JOIN")
        ):
            after_from = True
            continue
        if after_from:
            found = token.get_identifiers() if isinstance(token, sql.IdentifierList) else [token]
            for item in found:
                if isinstance(item, sql.Identifier) and not isinstance(
                    item.token_first(), sql.Parenthesis
                ):
                    tables.add(item.get_real_name())
        after_from = False
    return tables


def _where(segment: list):
    return next((token for token in segment if isinstance(token, sql.Where)), None)


def _column(token) -> str | None:
    if isinstance(token, sql.Parenthesis):
        inner = _significant(token)[1:-1]
        return _column(inner[0]) if len(inner) == 1 else None
    if isinstance(token, sql.Identifier):
        return token.get_real_name()
    return None


def _is_scoped(segment: list) -> bool:
    """Whether one SELECT's own WHERE holds a scoping comparison."""
    where = _where(segment)
    return where is not None and _scopes(where)


def _scoped_value(token) -> bool:
    """A value a scoping column may be compared with: anything but a sub-select that is
    not itself scoped (`id IN (SELECT resident_id FROM people_goal)` reads everyone's)."""
    if isinstance(token, sql.Parenthesis) and _is_select(token):
        return all(_is_scoped(segment) for segment in _segments(token))
    return True


def _scopes(group) -> bool:
    """Whether `group` (a WHERE or a bracket in it) holds a scoping comparison."""
    columns = scoping_columns()
    tokens = _significant(group)
    for index, token in enumerate(tokens):
        before = tokens[index - 1] if index else None
        after = tokens[index + 1 : index + 3]
        negated = before is not None and before.ttype in T.Keyword and before.normalized == "NOT"
        if isinstance(token, sql.Parenthesis):
            if not _is_select(token) and not negated and _scopes(token):
                return True
        elif isinstance(token, sql.Comparison):
            operators = [t.value for t in token.tokens if t.ttype is T.Operator.Comparison]
            left, right = token.left, token.right
            if operators == ["="] and (
                (_column(left) in columns and _scoped_value(right))
                or (_column(right) in columns and _scoped_value(left))
            ):
                return True
        elif (
            isinstance(token, sql.Identifier)
            and _column(token) in columns
            and len(after) == 2
            and after[0].ttype in T.Keyword
            and after[0].normalized == "IN"
            and _scoped_value(after[1])
        ):
            return True
    return False


def _unscoped_reads(group, *, filtering_scoped=False) -> set[str]:
    """The personal tables the SELECTs of `group` read unscoped. A SELECT must be scoped
    by its own WHERE, except a sub-select in the WHERE of a scoped SELECT: it only
    narrows rows already scoped (`... WHERE place_id = 1 AND id IN (SELECT resident_id
    FROM people_consent WHERE given)`), and none of its rows leave the database."""
    found: set[str] = set()
    for segment in _segments(group) if _is_select(group) else []:
        scoped = _is_scoped(segment)
        read = _tables_read(segment) & personal_tables()
        if read and not (scoped or filtering_scoped):
            found |= read
        for token in segment:
            in_where = isinstance(token, sql.Where)
            for subselect in _subselects(token):
                found |= _unscoped_reads(subselect, filtering_scoped=in_where and scoped)
    if not _is_select(group):  # a statement that is not one SELECT: a UNION of brackets
        for subselect in _subselects(group):
            found |= _unscoped_reads(subselect)
    return found


@functools.lru_cache(maxsize=4096)
def unscoped_tables(statement: str) -> frozenset[str]:
    """The personal tables `statement` reads in a SELECT without a scoping WHERE."""
    found: set[str] = set()
    for parsed in sqlparse.parse(statement):
        found |= _unscoped_reads(parsed)
    return frozenset(found)


def _mentions_personal_table(statement: str) -> bool:
    return any(f'"{table}"' in statement for table in personal_tables())


class Backstop:
    """Watches the queries of the default database connection while switched on (during
    a test client's request) and keeps those that read a personal table unscoped."""

    def __init__(self):
        self.found: list[tuple[frozenset[str], str]] = []

    def __call__(self, execute, statement, params, many, context):
        if isinstance(statement, str) and _mentions_personal_table(statement):
            tables = unscoped_tables(statement)
            if tables:
                self.found.append((tables, statement))
        return execute(statement, params, many, context)

    @contextmanager
    def watching(self):
        with connection.execute_wrapper(self):
            yield

    def watched(self, iterator):
        """A streamed response's content, read under watch (a CSV export's queries run
        as the test reads it)."""
        with self.watching():
            yield from iterator
        self.check()

    def check(self):
        """Fail (once) for what was found since the last check."""
        if not self.found:
            return
        found, self.found = self.found, []
        lines = [f"{', '.join(sorted(tables))}: {statement}" for tables, statement in found]
        raise UnscopedQuery(
            "A request read a personal table without a WHERE on its place, organisation, "
            "primary key, public id or a personal record it hangs off (docs/testing.md, "
            '"The unscoped-query backstop"):\n' + "\n".join(lines)
        )
