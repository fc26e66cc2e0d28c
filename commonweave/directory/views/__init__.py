"""Directory pages. Search, entries, suggestions and the community map are public (no
sign-in); reviewing, editing, importing, connecting residents and answering referrals need
a role in the place.

Every page lives under its place's slug (/directory/<place>/...), and nothing but a place
can take the first segment, so no place can be shadowed by a staff page. Staff pages of
another place are 404s. resolve -> authorise -> call a service -> render.

    public.py     search, entries, suggestions, exports, the community map
    staff.py      review, editing, "checked", the community summary
    casework.py   connecting a resident, follow-ups, sending a referral
    referrals.py  referrals received by a partner organisation
    imports.py    importing a feed as a background job
"""

from .common import tile_source

__all__ = ["tile_source"]
