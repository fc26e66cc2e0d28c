"""The learning API under /api/learning/: sessions, stories, barriers and actions, the
learning log, review boards, the partnership's set-up and session packs.

Same selectors and services as the pages, so the same rules: staff of the place (any
role, or an organisation's token) see sessions, barriers and actions; a story names its
resident only while their story consent is given and the caller may see them; counts of
stories (cases) are published numbers. Changes send the `version` they started from and
a stale one is a 409 carrying the current object; a rule that says no is a 404.
"""

from ninja import Router

router = Router(tags=["Learning"])

# They register on the router.
from . import actions, barriers, boards, log, packs, partnership, sessions  # noqa: E402, F401
