"""Database helpers for long jobs."""

import time

from django.db import DEFAULT_DB_ALIAS, connections

# Longer than the longest sleep of SQLite's busy handler (100 ms), so a writer that is
# waiting for the lock is sure to try again while it is free.
SQLITE_WRITER_GAP = 0.12
# A job gives way at most this often (seconds): a waiting writer gets in within about two
# and a half, and a long import spends under 5% of its time asleep.
SQLITE_WRITER_EVERY = 2.5
_last_gap: dict[str, float] = {}


def make_way_for_other_writers(using: str = DEFAULT_DB_ALIAS) -> None:
    """Call between a long job's batches, after one commits and before the next begins.

    SQLite has one write lock and no queue for it: a writer that is waiting polls for it,
    so a job that begins its next batch straight after committing takes the lock again
    before the waiter looks, batch after batch, and someone saving a page waits until they
    time out. A short pause lets them in. PostgreSQL locks rows, not the database: there
    it does nothing. Inside an outer transaction nothing was committed, so it does nothing.
    """
    connection = connections[using]
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    now = time.monotonic()
    if now - _last_gap.get(using, 0.0) < SQLITE_WRITER_EVERY:
        return
    time.sleep(SQLITE_WRITER_GAP)
    _last_gap[using] = time.monotonic()
