"""Social value in the JSON API under /api/impact/: the value library, and recipes (a £
figure with its receipt). The same selectors, services and rules as the pages
(impact/rules.py): coordinators, analysts and place admins of the place; anyone else finds
a 404. The area profile (area.py) is for everyone who sees the place's published
numbers, as its page is. The theory of change (theory.py) is read by them and by partner
workers, and saved by coordinators and place admins, as on its pages."""

from ninja import Router

router = Router(tags=["Social value"])

# They register on the router.
from . import area, endpoints, theory  # noqa: E402, F401
