"""Fast inserts for generated demo rows: parameterised executemany, no model instances.

Building a Django model instance and compiling bulk_create costs ten times more than the
database's own work, which matters at a million rows. Rows here are plain tuples in a
declared column order; dates and times are adapted once, the way Django's backends
store them. Columns the generator does not name (a field added to a model later) get
the field's default, so the generator keeps working as models grow.
"""

from datetime import UTC

from django.db import connection


def _sqlite_datetime(value):
    # Django stores aware datetimes on SQLite as naive UTC text (adapt_datetimefield_value).
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return str(value.replace(tzinfo=None))


def _sqlite_date(value):
    return None if value is None else str(value)


def adapters():
    """(datetime adapter, date adapter) for the current database."""
    if connection.vendor == "sqlite":
        return _sqlite_datetime, _sqlite_date
    return (lambda value: value), (lambda value: value)


# Unique random defaults handed out in this process, by table and column: every Table of a
# model (the journeys' and the wellbeing history's referrals) draws from one pool.
_ISSUED: dict[tuple[str, str], set] = {}


class Table:
    """Rows for one model, written with one INSERT per batch."""

    def __init__(self, model, columns):
        meta = model._meta
        fields = {f.attname: f for f in meta.concrete_fields}
        unknown = set(columns) - set(fields)
        if unknown:
            raise ValueError(f"{meta.label} has no fields {sorted(unknown)}")
        self.model = model
        self.columns = tuple(columns)
        self.missing = [
            f for f in meta.concrete_fields if f.attname not in columns and not f.primary_key
        ]
        for f in self.missing:
            if not f.has_default() and not f.null:
                raise ValueError(f"The demo generator must fill {meta.label}.{f.name}")
        qn = connection.ops.quote_name
        names = [fields[c].column for c in self.columns] + [f.column for f in self.missing]
        # Names come from model metadata and are quoted; every value is a parameter.
        table, cols = qn(meta.db_table), ", ".join(qn(n) for n in names)
        marks = ", ".join(["%s"] * len(names))
        self.sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608
        self.rows = []
        self.written = 0

    def _defaults(self):
        return tuple(self._default(f) for f in self.missing)

    def _default(self, f):
        if not f.has_default():
            return None
        value = f.get_default()
        if f.unique:
            # A unique random default (a referral's "CW-7K4P-9RX3"): at 50,000 rows two
            # draws meet about once in fifteen runs, so a value drawn twice is drawn again.
            issued = _ISSUED.setdefault((self.model._meta.db_table, f.attname), set())
            while value in issued:
                value = f.get_default()
            issued.add(value)
        return f.get_db_prep_save(value, connection)

    def flush(self, cursor, batch=5000):
        rows = self.rows
        if self.missing:
            rows = [row + self._defaults() for row in rows]
        for start in range(0, len(rows), batch):
            cursor.executemany(self.sql, rows[start : start + batch])
        self.written += len(rows)
        self.rows = []


def reserve_ids(model, count):
    """Primary keys for `count` new rows, so children can point at them before insert.

    Call inside the generating transaction. On SQLite the transaction holds the write
    lock (transaction_mode IMMEDIATE); on PostgreSQL the values come from the sequence.
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({qn(pk)}), 0) FROM {qn(table)}")  # noqa: S608
        top = cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            top = max(top, row[0] if row else 0)
        return list(range(top + 1, top + 1 + count))
