"""Helpers and their checks, the safeguarding log, and lone-working windows.

The same rules as the pages: a helper, their phone and their checks are for the
caseworkers (or a caseworker token) of the organisation holding them; the safeguarding
log for the place's safeguarding lead and the coordinators of the organisations
concerned (safeguarding.py); a lone-working window for the caseworkers holding the need.
Anyone else gets a 404, whatever exists."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.responses import Status

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.api.errors import service_errors
from commonweave.core.api.pagination import PageParams, paginate
from commonweave.core.api.schemas import Detail, Errors
from commonweave.directory.models import Neighbourhood

from .. import lone_working, rules, safeguarding, selectors, services, volunteers
from ..eligibility import highest_tier
from ..enums import RiskTier
from ..models import LoneWorking, Match, Volunteer, VolunteerChecks
from . import router
from .helper_schemas import (
    ChecksIn,
    ChecksOut,
    HelperContactOut,
    HelperCreatedOut,
    HelperIn,
    HelperPage,
    HelperPatchIn,
    HelperProfileOut,
    LoneWorkingIn,
    LoneWorkingOut,
    NoteCloseIn,
    NoteConcernIn,
    NoteCreatedOut,
    NoteStatusOut,
    SafeguardingNotePage,
)

CHANGE = {400: Errors, 404: Detail}


def _caseworker(request):
    viewer = request.auth
    if not rules.can_coordinate(viewer):
        raise Http404
    return viewer


def _allowed(checks) -> tuple[int, str]:
    tier = RiskTier(highest_tier(checks, timezone.localdate()))
    return int(tier), str(tier.label)


def _summary(volunteer: Volunteer, checks) -> dict:
    tier, words = _allowed(checks)
    return {
        "id": volunteer.public_id,
        "first_name": volunteer.first_name,
        "neighbourhood": volunteer.home.name if volunteer.home else None,
        "available": volunteer.available,
        "when": volunteer.when,
        "languages": list(volunteer.languages or []),
        "allowed_tier": tier,
        "allowed": words,
    }


def helper_out(volunteer: Volunteer) -> dict:
    checks = VolunteerChecks.objects.filter(volunteer=volunteer).first()
    return {
        **_summary(volunteer, checks),
        "skills": list(volunteer.skills or []),
        "home_id": volunteer.home_id,
        "areas": [{"id": a.pk, "name": a.name} for a in volunteer.areas.order_by("name")],
        "from_resident": volunteer.resident_id is not None,
        "created_at": volunteer.created_at,
    }


def _areas(viewer, home_id, area_ids):
    """The neighbourhoods named by id, in the viewer's place; a 400 naming the field
    for one that is not."""
    home = None
    errors = {}
    if home_id is not None:
        home = Neighbourhood.objects.filter(place=viewer.place, pk=home_id).first()
        if home is None:
            errors["home_id"] = _("Choose an area in this place")
    areas = None
    if area_ids is not None:
        areas = list(Neighbourhood.objects.filter(place=viewer.place, pk__in=area_ids))
        if len(areas) != len(set(area_ids)):
            errors["area_ids"] = _("Choose areas in this place")
    if errors:
        raise ValidationError(errors)
    return home, areas


# --- helpers ---------------------------------------------------------------------------------


@router.get("/mutual-aid/helpers", response={200: HelperPage, 404: Detail})
def helper_list(request, paging: PageParams):
    """Your organisation's helpers, by first name, with the highest risk tier their checks
    allow today and whether they are paused. No phone, email or check details."""
    viewer = _caseworker(request)
    helpers = selectors.volunteers_held_by(viewer).select_related("checks")
    rows, envelope = paginate(helpers, paging)
    audit_record(
        viewer=viewer,
        action=Action.LIST,
        purpose=Purpose.ADMIN,
        object_type=Volunteer._meta.label_lower,
        residents=[v.resident for v in rows if v.resident_id is not None],
    )
    return {**envelope, "items": [_summary(v, getattr(v, "checks", None)) for v in rows]}


@router.post("/mutual-aid/helpers", response={201: HelperCreatedOut, **CHANGE})
def helper_create(request, payload: HelperIn):
    """Add a helper, held by your organisation, with empty checks (they can take
    no-contact tasks until checks are recorded). The answer carries their own link once:
    give it to them; it cannot be shown again."""
    viewer = _caseworker(request)
    with service_errors():
        if payload.email and not volunteers.email_valid(payload.email):
            raise ValidationError({"email": _("Enter an email address like name@example.org")})
        home, areas = _areas(viewer, payload.home_id, payload.area_ids)
        volunteer, secret = services.volunteer_create(
            viewer=viewer,
            first_name=payload.first_name,
            phone=payload.phone,
            email=payload.email,
            home=home,
            areas=areas or (),
            skills=[s for s in payload.skills if s],
            when=payload.when,
            languages=[code for code in payload.languages if code],
        )
    link = request.build_absolute_uri(reverse("mutualaid:helper_home", args=[secret]))
    return Status(201, {**helper_out(volunteer), "link": link})


@router.get("/mutual-aid/helpers/{public_id}", response={200: HelperProfileOut, 404: Detail})
def helper_detail(request, public_id: str):
    """A helper's profile (audited). Their phone and email come only from
    `POST …/contact`, their checks from `GET …/checks`."""
    volunteer = volunteers.volunteer_profile_open(_caseworker(request), public_id)
    return helper_out(volunteer)


@router.patch("/mutual-aid/helpers/{public_id}", response={200: HelperProfileOut, **CHANGE})
def helper_update(request, public_id: str, payload: HelperPatchIn):
    """Change a helper's profile; only the fields sent change. `available: false` pauses
    them (no alerts, not suggested for needs); `true` resumes them. Audited, without the
    values."""
    viewer = _caseworker(request)
    volunteer = selectors.volunteer_for_coordinator(viewer, public_id)
    sent = payload.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {
        name: sent[name]
        for name in ("first_name", "phone", "email", "skills", "when", "languages", "available")
        if name in sent
    }
    for name in ("first_name", "when", "available"):
        if name in changes and changes[name] is None:
            changes.pop(name)
    with service_errors(home="home_id", areas="area_ids"):
        home, areas = _areas(viewer, sent.get("home_id"), sent.get("area_ids"))
        if "home_id" in sent:
            changes["home"] = home
        if areas is not None:
            changes["areas"] = areas
        volunteer = volunteers.volunteer_update(viewer=viewer, volunteer=volunteer, **changes)
    return helper_out(volunteer)


@router.post(
    "/mutual-aid/helpers/{public_id}/contact", response={200: HelperContactOut, 404: Detail}
)
def helper_contact(request, public_id: str):
    """The helper's phone and email, for their organisation's caseworkers. Every call is
    written to the audit log."""
    viewer = _caseworker(request)
    volunteer = selectors.volunteer_for_coordinator(viewer, public_id)
    volunteer = volunteers.volunteer_contact_open(viewer=viewer, volunteer=volunteer)
    return {"phone": volunteer.phone, "email": volunteer.email}


def _checks_out(checks) -> dict:
    tier, words = _allowed(checks)
    return {
        "dbs_type": getattr(checks, "dbs_type", "") or "",
        **{
            name: getattr(checks, name, None)
            for name in services.CHECK_FIELDS
            if name != "dbs_type"
        },
        "recorded_at": getattr(checks, "recorded_at", None),
        "allowed_tier": tier,
        "allowed": words,
    }


@router.get("/mutual-aid/helpers/{public_id}/checks", response={200: ChecksOut, 404: Detail})
def helper_checks(request, public_id: str):
    """A helper's safeguarding checks: restricted to the caseworkers of the organisation
    holding them. Every read is written to the audit log."""
    viewer = _caseworker(request)
    volunteer = selectors.volunteer_for_coordinator(viewer, public_id)
    return _checks_out(volunteers.checks_open(viewer=viewer, volunteer=volunteer))


@router.put("/mutual-aid/helpers/{public_id}/checks", response={200: ChecksOut, **CHANGE})
def helper_checks_record(request, public_id: str, payload: ChecksIn):
    """Record every check as it stands now (one left out is recorded as not done). Dates
    of checks done cannot be in the future. Audited, naming the fields, never the values.
    The tier the helper may take follows at once: alerts and proposals read it."""
    viewer = _caseworker(request)
    volunteer = selectors.volunteer_for_coordinator(viewer, public_id)
    with service_errors():
        checks = volunteers.checks_validate(payload.model_dump())
        row = services.checks_record(viewer=viewer, volunteer=volunteer, **checks)
    return _checks_out(row)


# --- the safeguarding log --------------------------------------------------------------------


def _person(obj, area) -> dict | None:
    if obj is None:
        return None
    return {
        "id": obj.public_id,
        "first_name": obj.first_name,
        "neighbourhood": area.name if area else None,
    }


def note_out(row: safeguarding.NoteRow) -> dict:
    note = row.note
    return {
        "id": note.public_id,
        "kind": note.kind,
        "status": row.status,
        "created_at": note.created_at,
        "raised_by": row.raised_by,
        "need": _person(row.need, row.need.neighbourhood if row.need else None),
        "helper": _person(row.helper, row.helper.home if row.helper else None),
        "match": note.match.public_id if note.match else None,
        "text": note.text,
        "acknowledged_at": note.acknowledged_at,
        "closed_at": note.closed_at,
        "outcome": note.outcome,
    }


def _log_reader(request):
    viewer = request.auth
    if not safeguarding.may_read_log(viewer):
        raise Http404
    return viewer


@router.get("/mutual-aid/safeguarding-notes", response={200: SafeguardingNotePage, 404: Detail})
def note_list(request, paging: PageParams, closed: bool = False):
    """The safeguarding log, newest first: open notes (or, with `closed=true`, closed
    ones). For the place's safeguarding lead (every note) and the coordinators of the
    organisations holding the need or helper concerned; anyone else gets a 404. Each
    answer is written to the audit log, naming the notes it carried."""
    viewer = _log_reader(request)
    rows, envelope = paginate(safeguarding.notes_list(viewer, closed=closed), paging)
    return {**envelope, "items": [note_out(r) for r in safeguarding.notes_read(viewer, rows)]}


@router.post("/mutual-aid/safeguarding-notes", response={201: NoteCreatedOut, **CHANGE})
def note_raise(request, payload: NoteConcernIn):
    """Raise a safeguarding concern, about a need, a helper or a match your organisation
    holds (or none). It goes to the place's safeguarding lead. The answer does not repeat
    the words."""
    viewer = _caseworker(request)
    need = volunteer = match = None
    if payload.need:
        need = selectors.need_for_coordinator(viewer, payload.need)
    if payload.helper:
        volunteer = selectors.volunteer_for_coordinator(viewer, payload.helper)
    if payload.match:
        match = _match_for(viewer, payload.match)
    with service_errors():
        note = safeguarding.concern_raise(
            viewer=viewer, text=payload.text, need=need, volunteer=volunteer, match=match
        )
    return Status(201, {"id": note.public_id, "kind": note.kind, "created_at": note.created_at})


def _status(note) -> dict:
    return {
        "id": note.public_id,
        "status": safeguarding.note_status(note),
        "acknowledged_at": note.acknowledged_at,
        "closed_at": note.closed_at,
    }


@router.post(
    "/mutual-aid/safeguarding-notes/{public_id}/acknowledge",
    response={200: NoteStatusOut, **CHANGE},
)
def note_acknowledge(request, public_id: str):
    """Say you have seen a note and are dealing with it. Twice changes nothing; a closed
    note is a 400."""
    viewer = _log_reader(request)
    note = safeguarding.note_get(viewer, public_id)
    with service_errors():
        note = safeguarding.note_acknowledge(viewer=viewer, note=note)
    return _status(note)


@router.post(
    "/mutual-aid/safeguarding-notes/{public_id}/close", response={200: NoteStatusOut, **CHANGE}
)
def note_close(request, public_id: str, payload: NoteCloseIn):
    """Close a note with its outcome (what was done); it is acknowledged too if nobody had.
    Audited, without the words."""
    viewer = _log_reader(request)
    note = safeguarding.note_get(viewer, public_id)
    with service_errors():
        note = safeguarding.note_close(viewer=viewer, note=note, outcome=payload.outcome)
    return _status(note)


# --- lone working ----------------------------------------------------------------------------


def _match_for(viewer, public_id: str) -> Match:
    match = (
        Match.objects.filter(place=viewer.place, public_id=public_id)
        .select_related("need__category")
        .first()
    )
    if match is None or not rules.coordinates(viewer, match.need):
        raise Http404
    return match


def _plan_out(plan: LoneWorking) -> dict:
    return {
        "match": plan.match.public_id,
        "starts_at": plan.starts_at,
        "ends_at": plan.ends_at,
        "on_my_way_at": plan.on_my_way_at,
        "safe_at": plan.safe_at,
        "escalated": plan.escalated_at is not None,
        "escalated_at": plan.escalated_at,
    }


def _aware(value):
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@router.post(
    "/mutual-aid/matches/{public_id}/lone-working", response={200: LoneWorkingOut, **CHANGE}
)
def lone_working_plan(request, public_id: str, payload: LoneWorkingIn):
    """Plan (or move) a home visit's window. The helper checks in "on my way" and
    "safe / done" on their link; a "safe" still missing 30 minutes after `ends_at` goes
    to the safeguarding lead. Only home-visit and at-risk tasks (400 otherwise). A time
    without an offset is on the place's clock."""
    viewer = _caseworker(request)
    match = _match_for(viewer, public_id)
    with service_errors():
        plan = lone_working.lone_working_plan(
            viewer=viewer,
            match=match,
            starts_at=_aware(payload.starts_at),
            ends_at=_aware(payload.ends_at),
        )
    return _plan_out(plan)


@router.get(
    "/mutual-aid/matches/{public_id}/lone-working", response={200: LoneWorkingOut, 404: Detail}
)
def lone_working_get(request, public_id: str):
    """A home visit's window, the helper's "on my way" and "safe / done" times, and
    whether a missed check-in was escalated (404 while no window is planned). Audited."""
    viewer = _caseworker(request)
    match = _match_for(viewer, public_id)
    plan = LoneWorking.objects.filter(match=match, place=viewer.place).first()
    if plan is None:
        raise Http404
    audit_record(
        viewer=viewer,
        action=Action.VIEW,
        purpose=Purpose.CASEWORK,
        obj=match,
        resident=match.need.resident,
        detail={"lone_working": "read"},
        organisation_id=match.need.organisation_id,
    )
    return _plan_out(plan)
