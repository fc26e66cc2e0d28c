"""Mutual-aid writes: set-up, needs and offers, helpers and their checks, fair alerts, and
a match from proposal to thanks. Each service takes keyword arguments and the acting
viewer (or `Helper`), runs in one transaction and writes its audit event; a rule that says
no is a 404 (Http404), input that cannot be used is a ValidationError.
"""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.people.access import Access, access_level
from commonweave.tenancy.viewer import Viewer

from . import clock, matching, rules
from .actors import Helper
from .alerts import deliver_alert, deliver_relay
from .eligibility import may_take
from .enums import (
    LIVE_MATCH_STATUSES,
    AidFrontDoor,
    AidUrgency,
    Kind,
    MatchStatus,
    RequestStatus,
    RiskTier,
    Side,
    When,
)
from .models import (
    Alert,
    Category,
    Match,
    PlaceSettings,
    RelayMessage,
    Request,
    RequestContact,
    Volunteer,
    VolunteerChecks,
)

# (slug, name, tier): the categories a place starts with; a place may add or retire its own.
DEFAULT_CATEGORIES = (
    ("phone-chat", gettext_noop("A friendly phone call"), RiskTier.NO_CONTACT),
    ("online-help", gettext_noop("Help online or with forms"), RiskTier.NO_CONTACT),
    ("shopping", gettext_noop("Shopping drop-off"), RiskTier.DOORSTEP),
    ("prescription", gettext_noop("Collecting a prescription"), RiskTier.DOORSTEP),
    ("dog-walking", gettext_noop("Dog walking"), RiskTier.DOORSTEP),
    ("lift", gettext_noop("A lift to an appointment"), RiskTier.HOME_VISIT),
    ("odd-jobs", gettext_noop("Small jobs in the home or garden"), RiskTier.HOME_VISIT),
    ("befriending", gettext_noop("Visiting someone at risk"), RiskTier.AT_RISK),
)


def _now(now):
    return now or timezone.now()


def categories_seed(place) -> int:
    """Give a place the default categories it does not have yet. Idempotent; returns how
    many were added."""
    have = set(Category.objects.filter(place=place).values_list("slug", flat=True))
    new = [
        Category(place=place, slug=slug, name=name, risk_tier=tier)
        for slug, name, tier in DEFAULT_CATEGORIES
        if slug not in have
    ]
    Category.objects.bulk_create(new)
    return len(new)


def place_settings(place) -> PlaceSettings:
    """The place's mutual-aid settings, made (with the default categories) the first time."""
    found = PlaceSettings.objects.filter(place=place).first()
    if found is not None:
        return found
    with transaction.atomic():
        found, created = PlaceSettings.objects.get_or_create(place=place)
        if created:
            categories_seed(place)
    return found


def _require_coordinator(viewer, obj=None):
    if not rules.can_coordinate(viewer) or (obj is not None and not rules.coordinates(viewer, obj)):
        raise Http404


def _holding_org_id(viewer) -> int:
    """A request made by staff is held by their own casework organisation; the public form's
    by the place's lead organisation."""
    if isinstance(viewer, Viewer) and viewer.casework_org_ids:
        return sorted(viewer.casework_org_ids)[0]
    org_id = viewer.place.lead_organisation_id
    if org_id is None:
        raise ValidationError(_("This place does not take requests yet"))
    return org_id


def _check_area(place, neighbourhood, community_area):
    if neighbourhood is not None and neighbourhood.place_id != place.pk:
        raise ValidationError({"neighbourhood": _("Choose an area in this place")})
    if community_area is not None and community_area.place_id != place.pk:
        raise ValidationError({"community_area": _("Choose an area in this place")})


@transaction.atomic
def request_create(
    *,
    viewer,
    kind: str,
    category: Category | None,
    what: str,
    first_name: str,
    front_door: str,
    neighbourhood=None,
    community_area=None,
    when: str = When.ANY,
    language: str = "",
    urgency: str = AidUrgency.ROUTINE,
    skills=(),
    address: str = "",
    phone: str = "",
    resident=None,
    volunteer: Volunteer | None = None,
    now=None,
    alert: bool = True,
) -> Request:
    """A need or an offer from any front door. `viewer` is the public viewer for the web
    form, text and phone door, or the staff member entering it.

    Side effects: a Request (and a RequestContact when an address or phone is given), one
    audit event (CREATE, intake); for a need, fair alerts to the helpers who fit it
    (`need_alert`, unless `alert=False`)."""
    now = _now(now)
    place = viewer.place
    settings = place_settings(place)
    errors = {}
    if not (what or "").strip():
        errors["what"] = (
            _("Say what help is needed") if kind == Kind.NEED else _("Say what you can offer")
        )
    if not (first_name or "").strip():
        errors["first_name"] = _("Enter a first name")
    if category is None or category.place_id != place.pk or not category.active:
        errors["category"] = _("Choose the kind of help")
    if kind == Kind.OFFER and volunteer is None:
        errors["volunteer"] = _("An offer needs a helper")
    if errors or category is None:
        raise ValidationError(errors)
    _check_area(place, neighbourhood, community_area)
    on_behalf = front_door == AidFrontDoor.CATALYST or resident is not None
    if on_behalf and not (isinstance(viewer, Viewer) and viewer.can_do_casework):
        raise Http404
    if resident is not None and access_level(viewer, resident) is not Access.FULL:
        raise Http404
    if volunteer is not None and volunteer.place_id != place.pk:
        raise Http404
    request = Request.objects.create(
        place=place,
        organisation_id=volunteer.organisation_id if volunteer else _holding_org_id(viewer),
        kind=kind,
        category=category,
        what=what.strip(),
        skills=list(skills),
        neighbourhood=neighbourhood,
        community_area=community_area,
        when=when,
        language=(language or "").strip().lower(),
        urgency=urgency,
        front_door=front_door,
        first_name=first_name.strip(),
        resident=resident,
        volunteer=volunteer,
        created_at=now,
        due_at=clock.due_at(now, settings, urgency) if kind == Kind.NEED else None,
        created_by=viewer.user if isinstance(viewer, Viewer) else None,
    )
    if (address or "").strip() or (phone or "").strip():
        RequestContact.objects.create(request=request, address=address.strip(), phone=phone.strip())
    audit_record(
        viewer=viewer,
        action=Action.CREATE,
        purpose=Purpose.INTAKE,
        obj=request,
        resident=resident,
        detail={"kind": kind, "front_door": front_door},
        organisation_id=request.organisation_id,
    )
    if kind == Kind.NEED and alert:
        need_alert(need=request, now=now)
    return request


def offer_create(
    *,
    viewer,
    volunteer: Volunteer,
    category: Category | None,
    what: str,
    neighbourhood=None,
    community_area=None,
    when: str = When.ANY,
    language: str = "",
    skills=(),
    now=None,
) -> Request:
    """A caseworker records an offer of help for one of their organisation's helpers (an
    offer is the helper's; it never carries an address or a phone).

    Side effects: as request_create (a Request, one audit event); no alerts."""
    _require_coordinator(viewer, volunteer)
    return request_create(
        viewer=viewer,
        kind=Kind.OFFER,
        category=category,
        what=what,
        first_name=volunteer.first_name,
        front_door=AidFrontDoor.CATALYST,
        neighbourhood=neighbourhood if neighbourhood is not None else volunteer.home,
        community_area=community_area,
        when=when,
        language=language,
        skills=skills,
        volunteer=volunteer,
        now=now,
    )


# PlaceSettings fields a place admin may change, and the bounds of the numbers.
SETTINGS_BOUNDS = {
    "alerts_per_need": (1, 20),
    "promise_hours": (1, 168),
    "urgent_promise_hours": (1, 72),
    "reach_km": (0.1, 50.0),
}
SETTINGS_FIELDS = (*SETTINGS_BOUNDS, "peer_to_peer", "safeguarding_lead")


def may_change_settings(viewer) -> bool:
    """The place's own admins run its mutual-aid settings (in that role alone, they see no
    needs or helpers). Everyone else, including another place's admins, gets a 404."""
    return isinstance(viewer, Viewer) and viewer.is_place_admin


def _require_place_admin(viewer):
    if not may_change_settings(viewer):
        raise Http404


def place_settings_for_admin(viewer) -> PlaceSettings:
    """The viewer's place's mutual-aid settings, for its place admins (anyone else: 404)."""
    _require_place_admin(viewer)
    return place_settings(viewer.place)


def _settings_errors(place, values) -> dict:
    errors = {}
    for name, (low, high) in SETTINGS_BOUNDS.items():
        if name in values and (values[name] is None or not low <= values[name] <= high):
            errors[name] = _("Enter a number from %(low)s to %(high)s") % {
                "low": low,
                "high": high,
            }
    if (
        "urgent_promise_hours" not in errors
        and "promise_hours" not in errors
        and values["urgent_promise_hours"] > values["promise_hours"]
    ):
        errors["urgent_promise_hours"] = _(
            "The promise for urgent needs cannot be longer than the usual promise"
        )
    lead = values.get("safeguarding_lead")
    if (
        lead is not None
        and not lead.memberships.filter(organisation__place=place, user__is_active=True).exists()
    ):
        errors["safeguarding_lead"] = _("Choose someone who works in this place")
    return errors


@transaction.atomic
def place_settings_update(*, viewer, **changes) -> PlaceSettings:
    """A place admin changes how the place runs mutual aid: any of SETTINGS_FIELDS
    (`safeguarding_lead` is a user with a role in the place, or None).

    Side effects: the PlaceSettings row (only the fields that changed); one audit event
    (UPDATE) naming the fields changed, never their values. Nothing changed writes nothing."""
    _require_place_admin(viewer)
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"not a setting: {sorted(unknown)}")
    place_settings(viewer.place)
    row = PlaceSettings.objects.select_for_update().get(place=viewer.place)
    values = {name: getattr(row, name) for name in SETTINGS_FIELDS} | changes
    errors = _settings_errors(viewer.place, values)
    if errors:
        raise ValidationError(errors)
    changed = sorted(name for name in changes if getattr(row, name) != values[name])
    if not changed:
        return row
    for name in changed:
        setattr(row, name, values[name])
    row.save(update_fields=changed)
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.ADMIN,
        obj=row,
        object_id=str(viewer.place.pk),
        detail={"settings": changed},
    )
    return row


@transaction.atomic
def volunteer_create(
    *,
    viewer,
    first_name: str,
    home=None,
    areas=(),
    skills=(),
    when: str = When.ANY,
    languages=(),
    phone: str = "",
    email: str = "",
    resident=None,
    now=None,
) -> tuple[Volunteer, str]:
    """A helper's profile, held by the viewer's organisation. Returns the helper and the
    secret of their own link (shown once; only its hash is kept).

    Side effects: a Volunteer, empty VolunteerChecks, one audit event (CREATE)."""
    _require_coordinator(viewer)
    if not (first_name or "").strip():
        raise ValidationError({"first_name": _("Enter a first name")})
    _check_area(viewer.place, home, None)
    for area in areas:
        _check_area(viewer.place, area, None)
    secret = secrets.token_urlsafe(24)
    volunteer = Volunteer.objects.create(
        place=viewer.place,
        organisation_id=_holding_org_id(viewer),
        resident=resident,
        first_name=first_name.strip(),
        phone=phone.strip(),
        email=email.strip(),
        skills=list(skills),
        home=home,
        when=when,
        languages=[code.lower() for code in languages],
        link_token_hash=Volunteer.hash_token(secret),
        created_by=viewer.user,
        created_at=_now(now),
    )
    if areas:
        volunteer.areas.set(areas)
    VolunteerChecks.objects.create(volunteer=volunteer, recorded_by=viewer.user)
    audit_record(
        viewer=viewer, action=Action.CREATE, purpose=Purpose.ADMIN, obj=volunteer, resident=resident
    )
    return volunteer, secret


def volunteer_from_resident(*, viewer, resident, home=None, areas=(), skills=(), languages=()):
    """A resident becomes a helper in one step: their first name and phone carried over
    from the record their caseworker holds. Giving back, as Connect counts it."""
    if access_level(viewer, resident) is not Access.FULL:
        raise Http404
    if Volunteer.objects.filter(resident=resident).exists():
        raise ValidationError(_("They are already a helper"))
    name = (resident.preferred_name or resident.full_name).split()[0]
    return volunteer_create(
        viewer=viewer,
        first_name=name,
        home=home,
        areas=areas,
        skills=skills,
        languages=languages,
        phone=resident.phone,
        email=resident.email,
        resident=resident,
    )


CHECK_FIELDS = (
    "dbs_type",
    "dbs_issued_on",
    "barred_list_checked_on",
    "update_service_checked_on",
    "references_checked_on",
    "training_completed_on",
    "recheck_due_on",
)


@transaction.atomic
def checks_record(*, viewer, volunteer: Volunteer, now=None, **checks) -> VolunteerChecks:
    """Record a helper's safeguarding checks (any of CHECK_FIELDS).

    Side effects: updates VolunteerChecks; one audit event naming the fields changed,
    never their values."""
    _require_coordinator(viewer, volunteer)
    unknown = set(checks) - set(CHECK_FIELDS)
    if unknown:
        raise ValueError(f"not a check: {sorted(unknown)}")
    row, _created = VolunteerChecks.objects.select_for_update().get_or_create(volunteer=volunteer)
    for name, value in checks.items():
        setattr(row, name, value or ("" if name == "dbs_type" else None))
    row.recorded_by = viewer.user
    row.recorded_at = _now(now)
    row.save(update_fields=[*checks, "recorded_by", "recorded_at"])
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.ADMIN,
        obj=volunteer,
        detail={"checks": sorted(checks)},
    )
    return row


@transaction.atomic
def need_alert(*, need: Request, now=None, limit: int | None = None) -> list[Alert]:
    """Alert the few helpers who fit a need best (matching.py): nearest within reach, asked
    least recently, never the same helper twice for one need. `limit` defaults to the
    place's alerts_per_need.

    Side effects: Alert rows, each delivered through `alerts.deliver_alert`; the helpers'
    `last_alerted_at`."""
    now = _now(now)
    settings = place_settings(need.place)
    if need.kind != Kind.NEED or need.status != RequestStatus.OPEN:
        return []
    asked = Alert.objects.filter(need=need).values_list("volunteer_id", flat=True)
    found = matching.candidates(need, today=timezone.localdate(now), exclude=list(asked))
    chosen = matching.rank(found, reach_km=settings.reach_km)[: limit or settings.alerts_per_need]
    alerts = Alert.objects.bulk_create(
        Alert(place_id=need.place_id, need=need, volunteer_id=c.volunteer_id, created_at=now)
        for c in chosen
    )
    Volunteer.objects.filter(pk__in=[c.volunteer_id for c in chosen]).update(last_alerted_at=now)
    for alert in alerts:
        deliver_alert(alert, now=now)
    return alerts


def _live_match(need):
    return Match.objects.filter(need=need, status__in=LIVE_MATCH_STATUSES).first()


def _check_eligible(volunteer, need, now):
    checks = VolunteerChecks.objects.filter(volunteer=volunteer).first()
    if not may_take(checks, need.category.risk_tier, timezone.localdate(now)):
        raise ValidationError(
            _("This helper's checks do not allow this kind of task, or a recheck is due")
        )


@transaction.atomic
def match_propose(
    *, actor, need: Request, volunteer: Volunteer, offer: Request | None = None, now=None
) -> Match:
    """Propose a helper for a need: by a coordinator holding the need, or by the helper
    saying yes to their alert (the helper's side then counts as accepted).

    Never proposes a helper whose checks do not allow the need's risk tier. Side effects:
    a Match; the need's `first_proposed_at` the first time (the promise's measure); one
    audit event."""
    now = _now(now)
    need = Request.objects.select_for_update().select_related("category").get(pk=need.pk)
    if isinstance(actor, Helper):
        if (
            actor.volunteer.pk != volunteer.pk
            or not Alert.objects.filter(need=need, volunteer=volunteer).exists()
        ):
            raise Http404
    else:
        _require_coordinator(actor, need)
    if need.kind != Kind.NEED or volunteer.place_id != need.place_id:
        raise Http404
    if need.status != RequestStatus.OPEN or _live_match(need) is not None:
        raise ValidationError(_("Someone is already matched to this"))
    _check_eligible(volunteer, need, now)
    match = Match.objects.create(
        place_id=need.place_id,
        need=need,
        offer=offer,
        volunteer=volunteer,
        proposed_at=now,
        proposed_by=getattr(actor, "user", None),
        helper_accepted_at=now if isinstance(actor, Helper) else None,
    )
    if need.first_proposed_at is None:
        need.first_proposed_at = now
        need.save(update_fields=["first_proposed_at"])
    audit_record(
        viewer=actor,
        action=Action.CREATE,
        purpose=Purpose.CASEWORK,
        obj=match,
        resident=need.resident,
        organisation_id=need.organisation_id,
    )
    return match


def _for_match(actor, match, side: str | None = None) -> Match:
    """The match, locked, if the actor may act on it for `side`: the helper for their own
    side, a coordinator holding the need for either."""
    match = Match.objects.select_for_update().select_related("need__category").get(pk=match.pk)
    if isinstance(actor, Helper):
        if not rules.is_the_helper(actor, match) or side not in (None, Side.HELPER):
            raise Http404
    else:
        _require_coordinator(actor, match.need)
    return match


def _audit(actor, match, action, detail):
    audit_record(
        viewer=actor,
        action=action,
        purpose=Purpose.CASEWORK,
        obj=match,
        resident=match.need.resident,
        detail=detail,
        organisation_id=match.need.organisation_id,
    )


@transaction.atomic
def match_accept(*, actor, match: Match, side: str, now=None) -> Match:
    """One side agrees. The person asking agrees through a coordinator (they have no
    account); the helper on their own link or through a coordinator. When both have, the
    match is accepted and the need is matched; the helper's checks are asked again then.

    Side effects: the match's acceptance times and status, the need's status; one audit event."""
    now = _now(now)
    match = _for_match(actor, match, side)
    if match.status != MatchStatus.PROPOSED:
        raise ValidationError(_("This match is no longer waiting for an answer"))
    fields = []
    if side == Side.NEED and match.need_accepted_at is None:
        match.need_accepted_at = now
        fields.append("need_accepted_at")
    elif side == Side.HELPER and match.helper_accepted_at is None:
        match.helper_accepted_at = now
        fields.append("helper_accepted_at")
    if match.need_accepted_at and match.helper_accepted_at:
        _check_eligible(match.volunteer, match.need, now)
        match.accepted_at = now
        match.status = MatchStatus.ACCEPTED
        fields += ["accepted_at", "status"]
        Request.objects.filter(pk=match.need_id).update(status=RequestStatus.MATCHED)
    if fields:
        match.save(update_fields=fields)
        _audit(actor, match, Action.UPDATE, {"accepted": side})
    return match


@transaction.atomic
def match_decline(*, actor, match: Match, side: str, now=None) -> Match:
    """One side says no. The need opens again and the next helpers are alerted.

    Side effects: the match's status; the need's status; new alerts; one audit event."""
    now = _now(now)
    match = _for_match(actor, match, side)
    if match.status not in LIVE_MATCH_STATUSES:
        raise ValidationError(_("This match is no longer waiting for an answer"))
    match.status = MatchStatus.DECLINED
    match.declined_at = now
    match.declined_by = side
    match.save(update_fields=["status", "declined_at", "declined_by"])
    Request.objects.filter(pk=match.need_id).update(status=RequestStatus.OPEN)
    _audit(actor, match, Action.UPDATE, {"declined": side})
    need = Request.objects.select_related("place", "category").get(pk=match.need_id)
    need_alert(need=need, now=now)
    return match


@transaction.atomic
def match_cancel(*, actor, match: Match, now=None) -> Match:
    """A coordinator calls a match off (the need opens again). Side effects as decline."""
    match = _for_match(actor, match)
    if isinstance(actor, Helper) or match.status not in LIVE_MATCH_STATUSES:
        raise Http404
    match.status = MatchStatus.CANCELLED
    match.cancelled_at = _now(now)
    match.save(update_fields=["status", "cancelled_at"])
    Request.objects.filter(pk=match.need_id).update(status=RequestStatus.OPEN)
    _audit(actor, match, Action.UPDATE, {"cancelled": True})
    return match


@transaction.atomic
def match_done(*, actor, match: Match, now=None) -> Match:
    """The help was given. Side effects: the match and need marked done; one audit event."""
    match = _for_match(actor, match)
    if match.status != MatchStatus.ACCEPTED:
        raise ValidationError(_("Only an accepted match can be marked done"))
    match.status = MatchStatus.DONE
    match.done_at = _now(now)
    match.save(update_fields=["status", "done_at"])
    Request.objects.filter(pk=match.need_id).update(status=RequestStatus.DONE)
    _audit(actor, match, Action.UPDATE, {"done": True})
    return match


@transaction.atomic
def match_thank(*, actor, match: Match, thanks: str = "", now=None) -> Match:
    """The person helped says thank you (through a coordinator). Side effects: the match's
    thanks; one audit event (without the words)."""
    match = _for_match(actor, match, Side.NEED)
    if isinstance(actor, Helper) or match.status != MatchStatus.DONE:
        raise ValidationError(_("Thanks can be sent once the help is done"))
    match.status = MatchStatus.THANKED
    match.thanked_at = _now(now)
    match.thanks = (thanks or "").strip()
    match.save(update_fields=["status", "thanked_at", "thanks"])
    _audit(actor, match, Action.UPDATE, {"thanked": True})
    return match


def contact_reveal(*, actor, match: Match) -> RequestContact | None:
    """The address and phone of the person asking, for the matched helper once both sides
    accepted (until the match is thanked), or for a coordinator holding the need.

    Side effects: one audit event (VIEW) for every reveal. Anyone else gets a 404."""
    match = Match.objects.select_related("need").get(pk=match.pk)
    if isinstance(actor, Helper):
        live = match.status in (MatchStatus.ACCEPTED, MatchStatus.DONE)
        if not (rules.is_the_helper(actor, match) and match.both_accepted and live):
            raise Http404
    else:
        _require_coordinator(actor, match.need)
    contact = RequestContact.objects.filter(request_id=match.need_id).first()
    audit_record(
        viewer=actor,
        action=Action.VIEW,
        purpose=Purpose.CASEWORK,
        obj=match,
        resident=match.need.resident,
        detail={"reveal": "contact"},
        organisation_id=match.need.organisation_id,
    )
    return contact


def need_contact_open(*, viewer, need: Request) -> RequestContact | None:
    """A coordinator holding the need reads its contact details (to arrange help).
    Side effects: one audit event (VIEW)."""
    _require_coordinator(viewer, need)
    contact = RequestContact.objects.filter(request=need).first()
    audit_record(
        viewer=viewer,
        action=Action.VIEW,
        purpose=Purpose.CASEWORK,
        obj=need,
        resident=need.resident,
        detail={"reveal": "contact"},
        organisation_id=need.organisation_id,
    )
    return contact


@transaction.atomic
def alert_answer(*, helper: Helper, alert: Alert, yes: bool, now=None) -> Match | None:
    """A helper answers an alert on their own link. Where the place allows peer to peer
    (`PlaceSettings.peer_to_peer`), "yes" proposes the helper for the need themselves
    (their side accepted; the person asking is still asked by the coordinator), when the
    need is still waiting and their checks allow the task. Without it, "yes" is recorded
    for the coordinator, who sees it on the need's page and proposes. "No" is recorded
    and asks nobody else by itself.

    Returns the match proposed, or None. Side effects: the alert's answer; on a peer-to-
    peer yes, a Match (through match_propose, which writes its audit event)."""
    now = _now(now)
    if alert.volunteer_id != helper.volunteer.pk:
        raise Http404
    Alert.objects.filter(pk=alert.pk).update(answered_at=now, answer="yes" if yes else "no")
    if not yes or not place_settings(helper.volunteer.place).peer_to_peer:
        return None
    need = alert.need
    if need.status != RequestStatus.OPEN or _live_match(need) is not None:
        return None
    try:
        return match_propose(actor=helper, need=need, volunteer=helper.volunteer, now=now)
    except ValidationError:
        # Their checks no longer allow the task: the "yes" stays recorded for the
        # coordinator, who sees why no match was made when they propose.
        return None


def helper_for_link(secret: str) -> Helper | None:
    """The helper whose own link carries this secret, or None."""
    volunteer = (
        Volunteer.objects.select_related("place")
        .filter(link_token_hash=Volunteer.hash_token(secret or ""))
        .first()
    )
    return Helper(volunteer) if volunteer is not None else None


def needs_due_again(*, place, now=None, after: datetime.timedelta = datetime.timedelta(hours=4)):
    """Needs still open with no live match whose latest alerts are older than `after`: a
    periodic job alerts the next few helpers for each (no need is lost)."""
    now = _now(now)
    return list(
        Request.objects.filter(
            place=place, kind=Kind.NEED, status=RequestStatus.OPEN, first_proposed_at__isnull=True
        )
        .annotate(latest=Max("alerts__created_at"))
        .filter(Q(latest__isnull=True) | Q(latest__lte=now - after))
        .select_related("category", "place")
    )


def needs_alert_again(*, place, now=None) -> int:
    """Alert the next helpers for every need waiting too long. Returns how many alerts."""
    return sum(
        len(need_alert(need=need, now=now)) for need in needs_due_again(place=place, now=now)
    )


def relay_send(*, actor, match: Match, text: str, now=None) -> RelayMessage:
    """Pass a message between the two sides of an accepted match, so numbers stay private:
    the helper on their link, or a coordinator for the person asking (who phoned or texted).

    Side effects: a RelayMessage, delivered through alerts.deliver_relay; one audit event
    (without the words)."""
    if not (text or "").strip():
        raise ValidationError({"text": _("Write a message")})
    with transaction.atomic():
        match = _for_match(actor, match)
        if match.status not in (MatchStatus.ACCEPTED, MatchStatus.DONE):
            raise ValidationError(_("Messages can be passed on once you have both said yes"))
        message = RelayMessage.objects.create(
            match=match,
            place_id=match.place_id,
            from_side=Side.HELPER if isinstance(actor, Helper) else Side.NEED,
            text=text.strip(),
            created_at=_now(now),
        )
        _audit(actor, match, Action.CREATE, {"relay": message.from_side})
    deliver_relay(message, now=now)
    return message
