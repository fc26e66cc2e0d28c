"""Mutual-aid reads. Each takes the viewer (or the Helper acting on their own link), so no
read can forget whose data it is; contact details are read only through the audited
services (services.contact_reveal, services.need_contact_open)."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from commonweave.accounts.models import User
from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.visibility import Level, Shown, shown

from . import clock, matching, rules
from .actors import Helper
from .enums import LIVE_MATCH_STATUSES, Kind, RequestStatus
from .models import Alert, Match, Request, Volunteer

OPEN_STATUSES = (RequestStatus.OPEN, RequestStatus.MATCHED)


def needs_held_by(viewer) -> QuerySet[Request]:
    """Needs held by the viewer's casework organisations (the coordinator's list)."""
    if not rules.can_coordinate(viewer):
        return Request.objects.none()
    return Request.objects.filter(
        place=viewer.place, kind=Kind.NEED, organisation_id__in=viewer.casework_org_ids
    ).select_related("category", "neighbourhood")


def needs_open_for(viewer) -> QuerySet[Request]:
    """Open needs, the most overdue first (by their promise)."""
    return needs_held_by(viewer).filter(status__in=OPEN_STATUSES).order_by("due_at", "pk")


def need_for_coordinator(viewer, public_id: str) -> Request:
    need = needs_held_by(viewer).filter(public_id=public_id).first()
    if need is None:
        raise Http404
    return need


def offers_open_for(viewer) -> QuerySet[Request]:
    """Open offers of the helpers held by the viewer's casework organisations, newest
    first. An offer carries no address or phone (it has no RequestContact)."""
    if not rules.can_coordinate(viewer):
        return Request.objects.none()
    return (
        Request.objects.filter(
            place=viewer.place,
            kind=Kind.OFFER,
            status=RequestStatus.OPEN,
            organisation_id__in=viewer.casework_org_ids,
        )
        .select_related("category", "neighbourhood", "volunteer")
        .order_by("-created_at", "-pk")
    )


def helpers_who_said_yes(viewer, need: Request) -> list[Volunteer]:
    """The helpers who answered "yes" to their alert for a need (best known first):
    where the place does not allow peer to peer, this is how the coordinator hears."""
    if not rules.coordinates(viewer, need):
        raise Http404
    return list(
        Volunteer.objects.filter(
            place=viewer.place, alerts__need=need, alerts__answer="yes"
        ).select_related("home")
    )


def helper_alerts_answered(helper: Helper) -> list[tuple[Shown, str]]:
    """The needs a helper was alerted to and that still wait, each with where their answer
    stands: "" (not answered), "no", "told" (they said yes and the coordinator was told) or
    "proposed" (they said yes and are proposed: peer to peer, or by the coordinator)."""
    answers = dict(
        Alert.objects.filter(place_id=helper.volunteer.place_id, volunteer=helper.volunteer)
        .filter(need__status=RequestStatus.OPEN)
        .values_list("need_id", "answer")
    )
    proposed = set(
        Match.objects.filter(
            place_id=helper.volunteer.place_id,
            volunteer=helper.volunteer,
            status__in=LIVE_MATCH_STATUSES,
            need_id__in=list(answers),
        ).values_list("need_id", flat=True)
    )
    rows = []
    for need in helper_alerts(helper):
        answer = answers.get(need.pk, "")
        state = "proposed" if need.pk in proposed else "told" if answer == "yes" else answer
        rows.append((need, state))
    return rows


def place_members(viewer) -> QuerySet[User]:
    """Active people with a role in the viewer's place (who may be its safeguarding lead)."""
    return (
        User.objects.filter(memberships__organisation__place=viewer.place, is_active=True)
        .distinct()
        .order_by("name", "pk")
    )


def volunteers_held_by(viewer) -> QuerySet[Volunteer]:
    if not rules.can_coordinate(viewer):
        return Volunteer.objects.none()
    return Volunteer.objects.filter(
        place=viewer.place, organisation_id__in=viewer.casework_org_ids
    ).select_related("home")


def volunteer_for_coordinator(viewer, public_id: str) -> Volunteer:
    volunteer = volunteers_held_by(viewer).filter(public_id=public_id).first()
    if volunteer is None:
        raise Http404
    return volunteer


def volunteer_open(viewer, public_id: str) -> Volunteer:
    """A helper's record with their checks, for display: writes one audit event (VIEW)."""
    volunteer = volunteer_for_coordinator(viewer, public_id)
    audit_record(
        viewer=viewer,
        action=Action.VIEW,
        purpose=Purpose.ADMIN,
        obj=volunteer,
        resident=volunteer.resident,
    )
    return volunteer


def suggested_helpers(viewer, need: Request, *, limit: int = 10) -> list[Volunteer]:
    """The helpers a coordinator might propose, best first (matching.rank), across the
    place: a helper of another organisation may be proposed, and is shown by first name."""
    if not rules.coordinates(viewer, need):
        raise Http404
    from .services import place_settings

    settings = place_settings(viewer.place)
    found = matching.candidates(need, today=timezone.localdate())
    ranked = matching.rank(found, reach_km=settings.reach_km)[:limit]
    by_id = Volunteer.objects.filter(
        place=viewer.place, pk__in=[c.volunteer_id for c in ranked]
    ).in_bulk()
    return [by_id[c.volunteer_id] for c in ranked if c.volunteer_id in by_id]


def helper_alerts(helper: Helper) -> list[Shown]:
    """The needs a helper was alerted to and that still wait: what a helper sees of them."""
    needs = Request.objects.filter(
        place_id=helper.volunteer.place_id,
        alerts__volunteer=helper.volunteer,
        status=RequestStatus.OPEN,
    ).select_related("category", "neighbourhood")
    return [shown(need, Level.PSEUDONYMOUS) for need in needs]


def helper_matches(helper: Helper) -> QuerySet[Match]:
    return (
        Match.objects.filter(place_id=helper.volunteer.place_id, volunteer=helper.volunteer)
        .select_related("need__category", "need__neighbourhood", "lone_working")
        .prefetch_related("relayed")
    )


def helper_alert(helper: Helper, need_public_id: str) -> Alert:
    alert = (
        Alert.objects.filter(volunteer=helper.volunteer, need__public_id=need_public_id)
        .select_related("need__category", "need__neighbourhood", "need__place")
        .first()
    )
    if alert is None:
        raise Http404
    return alert


def live_match(need: Request) -> Match | None:
    return Match.objects.filter(need=need, status__in=LIVE_MATCH_STATUSES).first()


def time_to_match_for(viewer) -> clock.TimeToMatch:
    """Median and 90th-percentile hours from a need to its first proposed match, for the
    viewer's organisations' needs (the dashboard's measure of the promise)."""
    rows = needs_held_by(viewer).values_list("created_at", "first_proposed_at", "due_at")
    return clock.time_to_match(rows)
