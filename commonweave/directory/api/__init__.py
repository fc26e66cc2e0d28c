"""The directory's staff JSON API under /api/directory/ (mounted by commonweave/api/urls.py).

Entries (search, read, add, change, mark checked, due for review, history), suggestions
(public submission, review), connections of residents with their follow-ups, referrals to
services, imports as background jobs, and exports: one module and one OpenAPI tag per
capability. They resolve the viewer, check the same rules as the pages (most by running
the page's own form on the JSON), call the directory's services and selectors, and write
what they return. The public Open Referral UK read API is ../oruk/ (at /oruk/<place>/).
"""

from ninja import Router

from . import casework, entries, imports, referrals, suggestions

router = Router()
for module in (entries, suggestions, casework, referrals, imports):
    router.add_router("", module.router)
