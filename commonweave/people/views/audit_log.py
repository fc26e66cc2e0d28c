"""Who has seen this record: one resident's audit log, for the place admins of their
place and the holding organisation's caseworkers. resolve -> authorise (people.access,
which writes the one audit event) -> read (audit's selectors) -> render.

It lives with the resident's pages because it opens a resident; the audit app below
keeps only the place's log and imports nothing of people.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from commonweave.audit import selectors as audit_selectors
from commonweave.tenancy.viewer import viewer_or_404

from ..access import resident_log_open
from .referrals import _paginate


@login_required
def resident_log(request, public_id):
    viewer = viewer_or_404(request)
    resident, holds = resident_log_open(viewer, public_id)
    context = _paginate(request, audit_selectors.resident_audit_log(viewer, resident))
    context.update(
        resident=resident,
        holds=holds,
        rows=audit_selectors.event_rows(
            viewer, context["page"].object_list, about=resident.public_id
        ),
    )
    return render(request, "people/residents/audit_log.html", context)
