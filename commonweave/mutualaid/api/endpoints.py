"""Needs, their helpers and matches, offers of help, the time-to-match measure, and the
place's mutual-aid settings."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.responses import Status

from commonweave.core.api.errors import service_errors
from commonweave.core.api.pagination import PageParams, paginate
from commonweave.core.api.schemas import Detail, Errors
from commonweave.directory.models import Neighbourhood
from commonweave.tenancy.selectors import member_in_place

from .. import clock, rules, selectors, services
from ..enums import Kind
from ..models import Category, Match
from . import router
from .schemas import (
    ContactOut,
    HelperOut,
    MatchActionIn,
    MatchOut,
    NeedIn,
    NeedOut,
    NeedPage,
    OfferIn,
    OfferOut,
    OfferPage,
    ProposeIn,
    SettingsOut,
    SettingsPatch,
    TimeToMatchOut,
)

CHANGE = {400: Errors, 404: Detail}


def _coordinator(request):
    viewer = request.auth
    if not rules.can_coordinate(viewer):
        raise Http404
    return viewer


def need_out(need, now=None):
    running = clock.need_clock(need, now)
    return {
        "id": need.public_id,
        "category": need.category.slug,
        "risk_tier": need.category.risk_tier,
        "what": need.what,
        "first_name": need.first_name,
        "neighbourhood": need.neighbourhood.name if need.neighbourhood_id else None,
        "when": need.when,
        "language": need.language,
        "urgency": need.urgency,
        "front_door": need.front_door,
        "status": need.status,
        "created_at": need.created_at,
        "due_at": need.due_at,
        "first_proposed_at": need.first_proposed_at,
        "clock": running.words if running else None,
    }


def match_out(match):
    return {
        "id": match.public_id,
        "need": match.need.public_id,
        "helper": match.volunteer.public_id,
        "status": match.status,
        "proposed_at": match.proposed_at,
        "need_accepted_at": match.need_accepted_at,
        "helper_accepted_at": match.helper_accepted_at,
        "accepted_at": match.accepted_at,
        "done_at": match.done_at,
        "thanked_at": match.thanked_at,
    }


@router.get("/mutual-aid/needs", response={200: NeedPage, 404: Detail})
def need_list(request, paging: PageParams):
    """Open needs held by your organisation, the soonest due first, with their clocks."""
    viewer = _coordinator(request)
    rows, envelope = paginate(selectors.needs_open_for(viewer), paging)
    now = timezone.now()
    return {**envelope, "items": [need_out(n, now) for n in rows]}


@router.post("/mutual-aid/needs", response={201: NeedOut, **CHANGE})
def need_create(request, payload: NeedIn):
    """Record a need on someone's behalf (a phone call, a text, a catalyst). Alerts the
    helpers who fit it best."""
    viewer = _coordinator(request)
    category = Category.objects.filter(place=viewer.place, slug=payload.category).first()
    area = None
    if payload.neighbourhood_id is not None:
        area = Neighbourhood.objects.filter(place=viewer.place, pk=payload.neighbourhood_id).first()
    with service_errors():
        if area is None and payload.neighbourhood_id is not None:
            raise ValidationError({"neighbourhood_id": _("Choose an area in this place")})
        need = services.request_create(
            viewer=viewer,
            kind=Kind.NEED,
            category=category,
            what=payload.what,
            first_name=payload.first_name,
            front_door=payload.front_door,
            neighbourhood=area,
            when=payload.when,
            language=payload.language,
            urgency=payload.urgency,
            address=payload.address,
            phone=payload.phone,
        )
    return Status(201, need_out(need))


@router.get("/mutual-aid/needs/{public_id}", response={200: NeedOut, 404: Detail})
def need_detail(request, public_id: str):
    return need_out(selectors.need_for_coordinator(_coordinator(request), public_id))


@router.post("/mutual-aid/needs/{public_id}/contact", response={200: ContactOut, 404: Detail})
def need_contact(request, public_id: str):
    """The address and phone the person gave. Every call is written to the audit log."""
    viewer = _coordinator(request)
    need = selectors.need_for_coordinator(viewer, public_id)
    contact = services.need_contact_open(viewer=viewer, need=need)
    return {
        "address": contact.address if contact else "",
        "phone": contact.phone if contact else "",
    }


@router.get("/mutual-aid/needs/{public_id}/helpers", response={200: list[HelperOut], 404: Detail})
def need_helpers(request, public_id: str):
    """Helpers who fit the need, best first: their first name and area only."""
    viewer = _coordinator(request)
    need = selectors.need_for_coordinator(viewer, public_id)
    return [
        {
            "id": v.public_id,
            "first_name": v.first_name,
            "neighbourhood": v.home.name if v.home else None,
        }
        for v in selectors.suggested_helpers(viewer, need)
    ]


@router.post("/mutual-aid/needs/{public_id}/matches", response={201: MatchOut, **CHANGE})
def need_propose(request, public_id: str, payload: ProposeIn):
    """Propose one of the suggested helpers. Never one whose checks do not allow the task."""
    viewer = _coordinator(request)
    need = selectors.need_for_coordinator(viewer, public_id)
    volunteer = next(
        (
            v
            for v in selectors.suggested_helpers(viewer, need, limit=1000)
            if v.public_id == payload.helper
        ),
        None,
    )
    if volunteer is None:
        raise Http404
    with service_errors():
        match = services.match_propose(actor=viewer, need=need, volunteer=volunteer)
    return Status(201, match_out(match))


ACTIONS = ("accept", "decline", "cancel", "done", "thank")


@router.post("/mutual-aid/matches/{public_id}/{action}", response={200: MatchOut, **CHANGE})
def match_action(request, public_id: str, action: str, payload: MatchActionIn):
    """accept or decline (for `side`: the person asking, or the helper by phone), cancel,
    done, or thank (with their words)."""
    viewer = _coordinator(request)
    match = (
        Match.objects.filter(place=viewer.place, public_id=public_id)
        .select_related("need", "volunteer")
        .first()
    )
    if match is None or action not in ACTIONS or not rules.coordinates(viewer, match.need):
        raise Http404
    with service_errors():
        if action == "accept":
            match = services.match_accept(actor=viewer, match=match, side=payload.side)
        elif action == "decline":
            match = services.match_decline(actor=viewer, match=match, side=payload.side)
        elif action == "cancel":
            match = services.match_cancel(actor=viewer, match=match)
        elif action == "done":
            match = services.match_done(actor=viewer, match=match)
        else:
            match = services.match_thank(actor=viewer, match=match, thanks=payload.thanks)
    return match_out(match)


@router.get("/mutual-aid/time-to-match", response={200: TimeToMatchOut, 404: Detail})
def time_to_match(request):
    """Median and 90th-percentile hours from a need to its first proposed match."""
    stats = selectors.time_to_match_for(_coordinator(request))
    return {
        "matched": stats.matched,
        "waiting": stats.waiting,
        "within_promise": stats.within_promise,
        "median_hours": stats.median_hours,
        "p90_hours": stats.p90_hours,
    }


# --- offers of help --------------------------------------------------------------------------


def offer_out(offer):
    return {
        "id": offer.public_id,
        "helper": offer.volunteer.public_id,
        "helper_first_name": offer.volunteer.first_name,
        "category": offer.category.slug,
        "risk_tier": offer.category.risk_tier,
        "what": offer.what,
        "skills": list(offer.skills or []),
        "neighbourhood": offer.neighbourhood.name if offer.neighbourhood_id else None,
        "when": offer.when,
        "language": offer.language,
        "status": offer.status,
        "created_at": offer.created_at,
    }


@router.get("/mutual-aid/offers", response={200: OfferPage, 404: Detail})
def offer_list(request, paging: PageParams):
    """Open offers of help from your organisation's helpers, newest first: the helper's
    first name, the kind of help, area and time. Never a phone number or an address."""
    viewer = _coordinator(request)
    rows, envelope = paginate(selectors.offers_open_for(viewer), paging)
    return {**envelope, "items": [offer_out(o) for o in rows]}


@router.post("/mutual-aid/offers", response={201: OfferOut, **CHANGE})
def offer_create(request, payload: OfferIn):
    """Record an offer of help for one of your organisation's helpers (`helper`, their
    public id: another organisation's helper is a 404). The area defaults to the helper's
    home neighbourhood."""
    viewer = _coordinator(request)
    volunteer = selectors.volunteer_for_coordinator(viewer, payload.helper)
    category = Category.objects.filter(place=viewer.place, slug=payload.category).first()
    area = None
    if payload.neighbourhood_id is not None:
        area = Neighbourhood.objects.filter(place=viewer.place, pk=payload.neighbourhood_id).first()
    with service_errors():
        if area is None and payload.neighbourhood_id is not None:
            raise ValidationError({"neighbourhood_id": _("Choose an area in this place")})
        offer = services.offer_create(
            viewer=viewer,
            volunteer=volunteer,
            category=category,
            what=payload.what,
            skills=payload.skills,
            neighbourhood=area,
            when=payload.when,
            language=payload.language,
        )
    return Status(201, offer_out(offer))


# --- the place's settings --------------------------------------------------------------------


def settings_out(row):
    return {
        "alerts_per_need": row.alerts_per_need,
        "promise_hours": row.promise_hours,
        "urgent_promise_hours": row.urgent_promise_hours,
        "reach_km": row.reach_km,
        "peer_to_peer": row.peer_to_peer,
        "safeguarding_lead": row.safeguarding_lead_id,
    }


@router.get("/mutual-aid/settings", response={200: SettingsOut, 404: Detail})
def settings_detail(request):
    """How your place runs mutual aid (place admins; anyone else gets a 404)."""
    return settings_out(services.place_settings_for_admin(request.auth))


@router.patch("/mutual-aid/settings", response={200: SettingsOut, **CHANGE})
def settings_update(request, payload: SettingsPatch):
    """Change how your place runs mutual aid (place admins). Settings left out stay as
    they are; `safeguarding_lead` is the user id of someone with a role in the place, or
    null. Each change is written to the audit log (the names of the settings changed)."""
    viewer = request.auth
    services.place_settings_for_admin(viewer)
    given = payload.model_dump(exclude_unset=True)
    with service_errors():
        if given.get("safeguarding_lead") is not None:
            lead = member_in_place(viewer, given["safeguarding_lead"])
            if lead is None or not lead.is_active:
                raise ValidationError(
                    {"safeguarding_lead": _("Choose someone who works in this place")}
                )
            given["safeguarding_lead"] = lead
        row = services.place_settings_update(viewer=viewer, **given)
    return settings_out(row)
