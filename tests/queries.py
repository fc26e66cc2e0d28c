"""Query counts that must not grow with the data (no N+1).

`assert_same_queries_at_two_sizes(make, fetch)` is the one way a test says so: it counts
the queries of `fetch()` at a small size and again at a larger one, and asserts the two
counts are equal (not merely under a ceiling, which a loop over a few rows passes).
"""

import re
from collections import Counter

from django.db import connection
from django.test.utils import CaptureQueriesContext


def captured_queries(fetch):
    """The SQL of every query `fetch()` makes."""
    with CaptureQueriesContext(connection) as ctx:
        fetch()
    return [query["sql"] for query in ctx.captured_queries]


def _shape(sql):
    # Literals differ between the two runs (ids, dates, LIMITs); the statements must not.
    sql = re.sub(r"\b\d+\b|'[^']*'|%s", "?", sql)
    return re.sub(r"IN \(\?(, \?)*\)", "IN (...)", sql)


def assert_same_queries_at_two_sizes(make, fetch, *, small=2, large=20, warm=True):
    """`make(n)` adds n more of whatever grows; `fetch()` is the page or API call under test
    (it asserts its own status), or a list of them, each counted on its own.

    With `small` made, each fetch is counted; then `large - small` more are made and each is
    counted again. With `warm`, each fetch is first run once uncounted at both sizes, so what
    is made once (the session, the audit chain head, a token's last use, a cache the new
    rows made stale) is not what is compared. Returns the counts at the small size."""
    fetches = list(fetch) if isinstance(fetch, list | tuple) else [fetch]

    def count():
        if warm:
            for one in fetches:
                one()
        return [captured_queries(one) for one in fetches]

    make(small)
    at_small = count()
    make(large - small)
    at_large = count()
    for index, (few, many) in enumerate(zip(at_small, at_large, strict=True)):
        if len(few) != len(many):
            before, after = Counter(map(_shape, few)), Counter(map(_shape, many))
            changed = [
                f"{before[sql]} -> {after[sql]}: {sql}"
                for sql in sorted(before.keys() | after.keys())
                if before[sql] != after[sql]
            ]
            raise AssertionError(
                f"fetch {index}: {len(few)} queries at size {small}, {len(many)} at {large}:\n"
                + "\n".join(changed[:20])
            )
    return [len(few) for few in at_small]
