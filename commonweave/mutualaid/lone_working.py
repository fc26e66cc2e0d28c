"""Lone working: the planned window of a home visit, the helper's "on my way" and
"safe / done" check-ins (on their link, or by texting ON MY WAY or SAFE: texts.py), and
the escalation of a missed "safe" to the place's safeguarding lead.

`checkins_escalate` is idempotent and cheap (one indexed query); run it every minute
(`manage.py sweep_mutual_aid`), so a missed check-in escalates at most a minute after the
window plus ESCALATE_AFTER: within 31 minutes.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record

from . import rules
from .actors import Helper
from .alerts import deliver_safeguarding_note
from .enums import MatchStatus, RiskTier
from .models import LoneWorking, Match, PlaceSettings, SafeguardingNote

ESCALATE_AFTER = datetime.timedelta(minutes=30)


@transaction.atomic
def lone_working_plan(*, viewer, match: Match, starts_at, ends_at) -> LoneWorking:
    """A coordinator holding the need sets the visit's window (home-visit and at-risk tasks).

    Side effects: a LoneWorking row (or its new window); one audit event."""
    if not rules.coordinates(viewer, match.need):
        raise Http404
    if match.need.category.risk_tier < RiskTier.HOME_VISIT:
        raise ValidationError(_("Only home visits and lone working need check-ins"))
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must be after the start")})
    plan, _created = LoneWorking.objects.update_or_create(
        match=match,
        defaults={"place_id": match.place_id, "starts_at": starts_at, "ends_at": ends_at},
    )
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.CASEWORK,
        obj=match,
        detail={"lone_working": "planned"},
        organisation_id=match.need.organisation_id,
    )
    return plan


def _own_plan(helper: Helper, match: Match) -> LoneWorking:
    match = Match.objects.get(pk=match.pk)  # as it stands now, not as the caller last saw it
    if not rules.is_the_helper(helper, match) or match.status not in (
        MatchStatus.ACCEPTED,
        MatchStatus.DONE,
    ):
        raise Http404
    plan = LoneWorking.objects.select_related("match__need").filter(match=match).first()
    if plan is None:
        raise Http404
    return plan


def live_plan_for(volunteers, *, now=None) -> LoneWorking | None:
    """The helper's live lone-working task, for a check-in by text: of the planned visits
    of their accepted (or done) matches still waiting for "safe", the one that started most
    recently, or else the next to start; None when there is none."""
    now = now or timezone.now()
    plans = list(
        LoneWorking.objects.filter(
            match__volunteer__in=volunteers,
            match__status__in=(MatchStatus.ACCEPTED, MatchStatus.DONE),
            safe_at__isnull=True,
        )
        .select_related("match__need")
        .order_by("starts_at", "pk")
    )
    started = [plan for plan in plans if plan.starts_at <= now]
    if started:
        return started[-1]
    return plans[0] if plans else None


def _checked_in(helper: Helper, plan: LoneWorking, which: str) -> None:
    audit_record(
        viewer=helper,
        action=Action.UPDATE,
        purpose=Purpose.CASEWORK,
        obj=plan.match,
        detail={"lone_working": which},
        organisation_id=plan.match.need.organisation_id,
    )


@transaction.atomic
def checkin_on_my_way(*, helper: Helper, match: Match, now=None) -> LoneWorking:
    """The helper is on their way (their link, or ON MY WAY by text).
    Side effects: `on_my_way_at`; one audit event."""
    plan = _own_plan(helper, match)
    plan.on_my_way_at = now or timezone.now()
    plan.save(update_fields=["on_my_way_at"])
    _checked_in(helper, plan, "on_my_way")
    return plan


@transaction.atomic
def checkin_safe(*, helper: Helper, match: Match, now=None) -> LoneWorking:
    """The helper is safe and the visit is over (their link, or SAFE / DONE by text), so
    nothing escalates. A "safe" after an escalation is still recorded, and the lead sees it
    beside the escalation. Side effects: `safe_at`; one audit event."""
    plan = _own_plan(helper, match)
    plan.safe_at = now or timezone.now()
    plan.save(update_fields=["safe_at"])
    _checked_in(helper, plan, "safe")
    return plan


def checkins_escalate(*, now=None) -> list[SafeguardingNote]:
    """Escalate every missed "safe" check-in whose window ended ESCALATE_AFTER ago, once.

    Side effects: per missed check-in, `escalated_at` and a SafeguardingNote for the
    place's safeguarding lead, delivered through alerts.deliver_safeguarding_note."""
    now = now or timezone.now()
    notes = []
    due = LoneWorking.objects.filter(
        safe_at__isnull=True, escalated_at__isnull=True, ends_at__lte=now - ESCALATE_AFTER
    ).select_related("match")
    for plan in due:
        with transaction.atomic():
            claimed = LoneWorking.objects.filter(pk=plan.pk, escalated_at__isnull=True).update(
                escalated_at=now
            )
            if not claimed:
                continue
            settings = PlaceSettings.objects.filter(place_id=plan.place_id).first()
            note = SafeguardingNote.objects.create(
                place_id=plan.place_id,
                kind=SafeguardingNote.Kind.MISSED_CHECKIN,
                match=plan.match,
                raised_by="system",
                lead_id=settings.safeguarding_lead_id if settings else None,
                created_at=now,
            )
        deliver_safeguarding_note(note, now=now)
        notes.append(note)
    return notes


def concern_raise(*, actor, text: str, match: Match | None = None, now=None) -> SafeguardingNote:
    """Anyone in mutual aid (a helper on their link, a member of staff) raises a
    safeguarding concern; it goes to the place's safeguarding lead.

    Side effects: a SafeguardingNote, delivered; one audit event (without the words)."""
    if not (text or "").strip():
        raise ValidationError({"text": _("Tell us what worries you")})
    place = actor.place
    if match is not None and match.place_id != place.pk:
        raise Http404
    settings = PlaceSettings.objects.filter(place=place).first()
    with transaction.atomic():
        note = SafeguardingNote.objects.create(
            place=place,
            kind=SafeguardingNote.Kind.CONCERN,
            match=match,
            text=text.strip(),
            raised_by=actor.label,
            lead_id=settings.safeguarding_lead_id if settings else None,
            created_at=now or timezone.now(),
        )
        audit_record(viewer=actor, action=Action.CREATE, purpose=Purpose.CASEWORK, obj=note)
    deliver_safeguarding_note(note, now=now)
    return note
