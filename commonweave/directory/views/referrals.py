"""Referrals received through Commonweave by a partner organisation's services.

The list names a resident only while their consent to share with the organisation holds;
opening one is an audited read of the shared record; answering is audited by the service.
The referral and the person are rendered through the field policy (directory/visibility.py)
at the receiving organisation's level, as the API answers them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.visibility import shown
from commonweave.people.access import Access, resident_open

from .. import referrals
from ..enums import ReferralStatus
from ..forms import ReferralDecisionForm
from ..visibility import received_level
from .common import place_viewer

SENT = ReferralStatus.SENT


def _receiver(request, place_slug):
    viewer = place_viewer(request, place_slug)
    if not referrals.receiving_org_ids(viewer):
        raise Http404
    return viewer


@login_required
def received(request, place_slug):
    viewer = _receiver(request, place_slug)
    rows = referrals.referrals_received(viewer)
    named = sorted({r.resident.public_id for r in rows if r.visible})
    if named:
        audit_record(
            viewer=viewer,
            action=Action.LIST,
            purpose=Purpose.SHARED,
            object_type="directory.servicereferral",
            residents=named,
        )
    listed = [_received_row(viewer, r) for r in rows]
    return render(
        request,
        "directory/referrals_received.html",
        {
            "waiting": [row for row, r in zip(listed, rows, strict=True) if r.status == SENT],
            "answered": [row for row, r in zip(listed, rows, strict=True) if r.status != SENT],
            "place": viewer.place,
        },
    )


def _received_row(viewer, referral):
    """A row of the list: the referral, and the person only while their consent holds."""
    level = received_level(viewer, referral)
    return {
        "referral": shown(referral, level),
        "resident": shown(referral.resident, level) if referral.visible else None,
    }


@login_required
def received_detail(request, place_slug, public_id):
    viewer = _receiver(request, place_slug)
    referral = referrals.referral_for_receiver(viewer, public_id)
    form = ReferralDecisionForm(request.POST or None)
    if request.method == "POST" and referral.status == ReferralStatus.SENT and form.is_valid():
        try:
            referrals.referral_decide(
                viewer=viewer,
                referral=referral,
                accept=form.cleaned_data["decision"] == "accept",
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, "Answer recorded. The caseworker can see it now.")
            return redirect("directory:referrals_received", place_slug=place_slug)
    # The resident's record, shared by consent: 404 the moment that consent is withdrawn.
    resident, access = resident_open(viewer, referral.resident.public_id, need=Access.SHARED)
    return render(
        request,
        "directory/referral_received.html",
        {
            "referral": shown(referral, access.level),
            "resident": shown(resident, access.level),
            "form": form,
            "place": viewer.place,
        },
        status=400 if form.errors else 200,
    )
