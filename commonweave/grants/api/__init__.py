"""The ledger in the JSON API under /api/money/: the same selectors, services and rules as
the pages (grants/rules.py), so the same people see and change the same things."""

from ninja import Router

router = Router(tags=["Money"])

# They register on the router.
from . import endpoints, results, rounds  # noqa: E402, F401
