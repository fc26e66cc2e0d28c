"""Connecting a resident to the directory: connect, follow up, refer (catalysts and
coordinators with full access to the resident). Every page that shows a resident is one
audited read; every change is audited by its service. The resident, their referrals and
follow-ups are rendered through the field policy at the viewer's level (`shown`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.visibility import Level, shown, shown_all
from commonweave.people.access import Access, resident_get, resident_open, resident_viewed

from .. import connecting, referrals, selectors
from ..forms import ConnectForm, FollowUpForm, ReferralForm
from ..models import FollowUp, Service
from .common import caseworker

FOLLOW_UPS_PER_PAGE = 50


@login_required
def connect(request, place_slug, resident_id):
    """Find an entry and connect the resident to it (follow-ups at 3 and 6 months), or
    refer them to a service that takes referrals through Commonweave. Connecting takes two
    steps: choosing an entry asks "Connect Edna to Tuesday lunch club?", and only the
    answer "yes" (a POST with `confirm`) saves anything."""
    viewer = caseworker(request, place_slug)
    place = viewer.place
    data = request.POST if request.method == "POST" else request.GET
    form = ConnectForm(data) if "service" in data else None
    if request.method == "POST":
        resident, _access = resident_get(viewer, resident_id, need=Access.FULL)
        if form is not None and form.is_valid():
            service = get_object_or_404(Service, place=place, pk=form.cleaned_data["service"])
            if request.POST.get("confirm") != "yes":
                # Not confirmed: ask, and save nothing. Showing the question reads the record.
                access = resident_viewed(viewer, resident)
                return _render_confirm(request, resident, access, service, data)
            try:
                connecting.connect_resident(viewer=viewer, resident=resident, service=service)
            except PermissionDenied:
                raise Http404 from None
            messages.success(
                request,
                gettext("Connected to %(service)s. We will ask in 3 months whether it took.")
                % {"service": service.name},
            )
        return redirect("directory:connect", place_slug=place.slug, resident_id=resident_id)
    # Reading which connections a resident has is a read of their record: audited.
    resident, access = resident_open(viewer, resident_id, need=Access.FULL)
    if form is not None:
        if not form.is_valid():
            raise Http404
        service = get_object_or_404(Service, place=place, pk=form.cleaned_data["service"])
        return _render_confirm(request, resident, access, service, data)
    level = access.level
    q = request.GET.get("q", "")[:200]
    entries = []
    if q:
        results = selectors.find_services(place, selectors.Filters(text=q))
        entries = selectors.services_by_ids(results[:20])
        waiting = referrals.waiting_counts(e.pk for e in entries)
        for entry in entries:
            entry.referable = referrals.takes_commonweave_referrals(entry)
            entry.places_free = (
                referrals.places_free(entry, waiting.get(entry.pk, 0)) if entry.referable else None
            )
    return render(
        request,
        "directory/connect.html",
        {
            "resident": shown(resident, level),
            "resident_id": resident_id,
            "q": q,
            "entries": entries,
            "follow_ups": shown_all(connecting.follow_ups_for(resident), level),
            "sent": shown_all(referrals.referrals_for_resident(resident), level),
            "place": place,
            "today": timezone.localdate(),
        },
    )


def _render_confirm(request, resident, access, service, data):
    """The question before a connection is saved: nothing is written until "Yes"."""
    return render(
        request,
        "directory/connect_confirm.html",
        {
            "resident": shown(resident, access.level),
            "resident_id": resident.public_id,
            "service": service,
            "q": data.get("q", "")[:200],
            "place": resident.place,
        },
    )


@login_required
def follow_up(request, place_slug, pk):
    viewer = caseworker(request, place_slug)
    item = get_object_or_404(
        FollowUp.objects.select_related("link__service", "link__connection__resident"),
        pk=pk,
        link__service__place=viewer.place,
    )
    resident = item.link.connection.resident
    # 404 unless the resident is theirs; a GET is an audited read, a POST audited by the service.
    opener = resident_get if request.method == "POST" else resident_open
    _, access = opener(viewer, resident.public_id, need=Access.FULL)
    form = FollowUpForm(request.POST or None, initial={"outcome": item.outcome, "why": item.why})
    if request.method == "POST" and form.is_valid():
        connecting.follow_up_answer(viewer=viewer, follow_up=item, **form.cleaned_data)
        messages.success(request, "Follow-up recorded.")
        return redirect("directory:connect", place_slug=place_slug, resident_id=resident.public_id)
    return render(
        request,
        "directory/follow_up.html",
        {
            "item": shown(item, access.level),
            "form": form,
            "resident_id": resident.public_id,
            "place": viewer.place,
        },
        status=400 if form.errors else 200,
    )


@login_required
def follow_ups_due(request, place_slug):
    """Connections whose 3- or 6-month question is due: did it take? One audited LIST."""
    viewer = caseworker(request, place_slug)
    mine = request.GET.get("who") != "all"
    due = connecting.follow_ups_due(viewer, mine_only=mine)
    page = Paginator(due, FOLLOW_UPS_PER_PAGE).get_page(request.GET.get("page"))
    due_now = list(page.object_list)
    if due_now:
        audit_record(
            viewer=viewer,
            action=Action.LIST,
            purpose=Purpose.CASEWORK,
            object_type="directory.followup",
            residents=[f.link.connection.resident.public_id for f in due_now],
        )
    return render(
        request,
        "directory/follow_ups_due.html",
        {
            "page": page,
            "page_range": page.paginator.get_elided_page_range(page.number),
            "page_query": "" if mine else "who=all&",
            # Residents the viewer's organisation holds (connecting.follow_ups_due): full.
            "items": shown_all(due_now, Level.FULL),
            "rows": [
                {
                    "follow_up": shown(f, Level.FULL),
                    "resident": shown(f.link.connection.resident, Level.FULL),
                }
                for f in due_now
            ],
            "mine": mine,
            "place": viewer.place,
        },
    )


@login_required
def refer(request, place_slug, resident_id, pk):
    """Send a referral to a service's receiving organisation, with the resident's consent."""
    viewer = caseworker(request, place_slug)
    service = get_object_or_404(
        Service.objects.select_related("referral_organisation"), place=viewer.place, pk=pk
    )
    if not referrals.takes_commonweave_referrals(service):
        raise Http404
    receiver = service.referral_organisation.name
    form = ReferralForm(request.POST or None, receiver_name=receiver)
    if request.method == "POST":
        resident, _ = resident_get(viewer, resident_id, need=Access.FULL)
        if form.is_valid():
            data = form.cleaned_data
            try:
                referrals.referral_send(
                    viewer=viewer,
                    resident=resident,
                    service=service,
                    reason=data["reason"],
                    consent_given=data["consent"],
                    consent_method=data["method"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error.messages)
            else:
                messages.success(request, f"Referral sent to {receiver}.")
                return redirect("directory:connect", place_slug=place_slug, resident_id=resident_id)
    # Showing the form names the resident: an audited read (re-shown with errors, too).
    resident, access = resident_open(viewer, resident_id, need=Access.FULL)
    return render(
        request,
        "directory/refer.html",
        {
            "resident": shown(resident, access.level),
            "service": service,
            "receiver": receiver,
            "wording": referrals.consent_wording(service),
            "places_free": referrals.places_free(service),
            "form": form,
            "place": viewer.place,
        },
        status=400 if form.errors else 200,
    )
