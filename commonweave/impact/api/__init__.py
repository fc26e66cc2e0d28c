"""Social value in the JSON API under /api/impact/: the value library, and recipes (a £
figure with its receipt). The same selectors, services and rules as the pages
(impact/rules.py): coordinators, analysts and place admins of the place; anyone else finds
a 404."""

from ninja import Router

router = Router(tags=["Social value"])

# They register on the router.
from . import endpoints  # noqa: E402, F401
