"""The directory's staff JSON API under /api/ (the public ORUK read API is oruk.py/api.py).

Entries (search, read, add, change, mark checked, due for review, history), suggestions
(public submission, review), connections of residents with their follow-ups, referrals
to services, imports as background jobs, and exports. The endpoints live in staffapi/,
one module and one OpenAPI tag per capability.
"""

from ninja import Router

from .staffapi import casework, entries, imports, referrals, suggestions

router = Router()
for module in (entries, suggestions, casework, referrals, imports):
    router.add_router("", module.router)
