"""A resident's own network, drawn with their catalyst: the people and groups around them
(who they see, who they could call on, who they help), each in a circle of closeness.

Only the holding organisation's caseworkers (full access to the record) read or change
it; another organisation's resident is a 404. Reads are audited by the views through
people.access.resident_open; every change here writes its own audit event (ids only,
never names). Drawings are versions (see models.OwnNetworkDrawing): the latest changes,
drawing again copies it, so the first and the latest can be set side by side.

With the resident's consent (derive.OWN_NETWORK_CONSENT) the latest drawing rolls up
into the place network as pseudonymous ties; each change here re-derives it at once.
"""

import math
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.visibility import Level, shown
from commonweave.people.access import Access, access_level
from commonweave.people.models import Consent

from . import derive
from .enums import RELATIONS, Closeness, MemberKind
from .models import OwnNetworkDrawing, OwnNetworkMember

RELATION_FIELDS = tuple(name for name, _, _ in RELATIONS)
RELATION_LABELS = {name: label for name, label, _ in RELATIONS}
MAX_MEMBERS = 150  # Dunbar's number: more is a different exercise


def _require_full(viewer, resident):
    if access_level(viewer, resident) is not Access.FULL:
        raise Http404


# --- reading --------------------------------------------------------------------------------


def drawings_of(resident) -> list:
    """Every drawing of the resident, oldest first, with their members."""
    return list(
        OwnNetworkDrawing.objects.filter(resident=resident)
        .select_related("drawn_by")
        .prefetch_related("members")
        .order_by("number")
    )


def rolls_up(resident) -> bool:
    """Whether the resident agreed for their network to count, without names, in the place's."""
    return Consent.objects.filter(
        resident=resident, purpose=derive.OWN_NETWORK_CONSENT, organisation__isnull=True, given=True
    ).exists()


@dataclass
class Counts:
    members: int = 0
    people: int = 0
    groups: int = 0
    very_close: int = 0
    sees: int = 0
    call_on: int = 0
    helps: int = 0

    @classmethod
    def of(cls, drawing):
        counts = cls()
        for m in drawing.members.all() if drawing else []:
            counts.members += 1
            counts.people += m.kind == MemberKind.PERSON
            counts.groups += m.kind != MemberKind.PERSON
            counts.very_close += m.closeness == Closeness.VERY_CLOSE
            for name in RELATION_FIELDS:
                setattr(counts, name, getattr(counts, name) + bool(getattr(m, name)))
        return counts


COUNT_ROWS = (
    ("members", "Everyone in the drawing"),
    ("people", "People"),
    ("groups", "Groups, services and places"),
    ("very_close", "In the inner circle (very close)"),
    ("sees", "People and groups they see"),
    ("call_on", "Who they could call on"),
    ("helps", "Who they help"),
)


def compare(first, latest) -> list:
    """Then-and-now rows: (label, then, now, change) from the first to the latest drawing."""
    then, now = Counts.of(first), Counts.of(latest)
    return [
        {
            "label": label,
            "then": getattr(then, name),
            "now": getattr(now, name),
            "change": getattr(now, name) - getattr(then, name),
        }
        for name, label in COUNT_ROWS
    ]


# --- the picture: concentric circles, drawn on the server (no JavaScript) --------------------

SIZE = 480
CENTRE = SIZE / 2
RING_RADIUS = {Closeness.VERY_CLOSE: 75, Closeness.CLOSE: 145, Closeness.FURTHER: 210}


@dataclass
class Dot:
    member: OwnNetworkMember
    x: float
    y: float
    corner_x: float  # of the square drawn for a group
    corner_y: float
    label_x: float
    label_y: float
    anchor: str
    width: float  # of the line to the centre: one per thing they said
    person: bool
    says: list = field(default_factory=list)


def picture(drawing, level=Level.FULL) -> dict:
    """Coordinates for the SVG: the resident in the centre, each member on the circle of
    their closeness, spread evenly around it (turned a little per circle so labels of
    neighbouring circles do not line up). Each dot's member is `shown` at `level`."""
    members = list(drawing.members.all()) if drawing else []
    dots = []
    for ring, radius in RING_RADIUS.items():
        on_ring = [m for m in members if m.closeness == ring]
        for i, member in enumerate(on_ring):
            angle = 2 * math.pi * i / len(on_ring) - math.pi / 2 + (ring - 1) * 0.35
            x, y = CENTRE + radius * math.cos(angle), CENTRE + radius * math.sin(angle)
            cos = math.cos(angle)
            says = [RELATION_LABELS[n] for n in RELATION_FIELDS if getattr(member, n)]
            dots.append(
                Dot(
                    member=shown(member, level),
                    x=round(x, 1),
                    y=round(y, 1),
                    corner_x=round(x - 7, 1),
                    corner_y=round(y - 7, 1),
                    label_x=round(x + 12 * (1 if cos >= 0 else -1), 1),
                    label_y=round(y + 4, 1),
                    anchor="start" if cos >= 0 else "end",
                    width=1 + len(says),
                    person=member.kind == MemberKind.PERSON,
                    says=says,
                )
            )
    return {
        "size": SIZE,
        "centre": CENTRE,
        "rings": [{"r": r, "label": Closeness(c).label} for c, r in RING_RADIUS.items()],
        "dots": dots,
    }


# --- changing -------------------------------------------------------------------------------


def _clean(name, kind, closeness, relations) -> dict:
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Enter a name, a nickname or a description"
    elif len(name) > 120:
        errors["name"] = "Use 120 characters or fewer"
    if kind not in MemberKind.values:
        errors["kind"] = "Choose who or what they are"
    try:
        closeness = Closeness(int(closeness))
    except (TypeError, ValueError):
        errors["closeness"] = "Choose how close they are"
    if not any(relations.get(n) for n in RELATION_FIELDS):
        errors["relations"] = "Choose at least one: they see them, could call on them, or help them"
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "kind": kind,
        "closeness": closeness,
        **{n: bool(relations.get(n)) for n in RELATION_FIELDS},
    }


def _audit(viewer, resident, action, obj, detail=None):
    audit_record(
        viewer=viewer,
        action=action,
        purpose=Purpose.CASEWORK,
        obj=obj,
        object_type=obj._meta.label_lower,
        object_id=getattr(obj, "public_id", None) or getattr(obj, "key", None) or str(obj.pk),
        resident=resident,
        detail=detail or {},
    )


def _latest(resident):
    return OwnNetworkDrawing.objects.filter(resident=resident).order_by("-number").first()


def _first_drawing(viewer, resident):
    return OwnNetworkDrawing.objects.create(
        place_id=resident.place_id,
        resident=resident,
        number=1,
        drawn_on=timezone.localdate(),
        drawn_by_id=viewer.user_id,
    )


def latest_member(resident, key) -> OwnNetworkMember:
    """A member of the latest drawing (only the latest changes), else Http404."""
    drawing = _latest(resident)
    member = drawing and drawing.members.filter(key=key).first()
    if not member:
        raise Http404
    return member


@transaction.atomic
def member_add(*, viewer, resident, name, kind, closeness, **relations) -> OwnNetworkMember:
    """Add someone or something to the latest drawing (the first drawing starts today).

    Side effects: maybe a first OwnNetworkDrawing; an OwnNetworkMember; one audit event;
    the resident's ties re-derived (they join the place network if consent is given).
    """
    _require_full(viewer, resident)
    values = _clean(name, kind, closeness, relations)
    drawing = _latest(resident) or _first_drawing(viewer, resident)
    if drawing.members.count() >= MAX_MEMBERS:
        raise ValidationError({"name": f"A drawing holds up to {MAX_MEMBERS} people and groups"})
    member = OwnNetworkMember.objects.create(drawing=drawing, **values)
    _audit(viewer, resident, Action.CREATE, member, {"drawing": drawing.number})
    derive.sync_residents(resident.place, [resident.pk])
    return member


@transaction.atomic
def member_change(*, viewer, resident, member, name, kind, closeness, **relations):
    """Change a member of the latest drawing. Side effects: one audit event; re-derive."""
    _require_full(viewer, resident)
    if member.drawing.resident_id != resident.pk or member.drawing != _latest(resident):
        raise Http404
    values = _clean(name, kind, closeness, relations)
    for attr, value in values.items():
        setattr(member, attr, value)
    member.save(update_fields=list(values))
    _audit(viewer, resident, Action.UPDATE, member, {"drawing": member.drawing.number})
    derive.sync_residents(resident.place, [resident.pk])
    return member


@transaction.atomic
def member_remove(*, viewer, resident, member) -> None:
    """Take a member out of the latest drawing (earlier drawings keep them).
    Side effects: deletes the OwnNetworkMember; one audit event; re-derive."""
    _require_full(viewer, resident)
    if member.drawing.resident_id != resident.pk or member.drawing != _latest(resident):
        raise Http404
    _audit(viewer, resident, Action.UPDATE, member, {"removed": True})
    member.delete()
    derive.sync_residents(resident.place, [resident.pk])


@transaction.atomic
def drawing_again(*, viewer, resident, drawn_on=None) -> OwnNetworkDrawing:
    """Start a new drawing from the latest one (everyone copied, with the same keys), so
    the earlier drawing is kept as it was. Side effects: an OwnNetworkDrawing and copies
    of its members; one audit event; re-derive."""
    _require_full(viewer, resident)
    today = timezone.localdate()
    drawn_on = drawn_on or today
    latest = _latest(resident)
    if drawn_on > today:
        raise ValidationError({"drawn_on": "The date must be today or in the past"})
    if latest is not None and drawn_on < latest.drawn_on:
        last = f"{latest.drawn_on:%-d %B %Y}"
        raise ValidationError(
            {"drawn_on": f"The date must be on or after the last drawing ({last})"}
        )
    number = (
        OwnNetworkDrawing.objects.filter(resident=resident).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    drawing = OwnNetworkDrawing.objects.create(
        place_id=resident.place_id,
        resident=resident,
        number=number,
        drawn_on=drawn_on,
        drawn_by_id=viewer.user_id,
    )
    if latest is not None:
        OwnNetworkMember.objects.bulk_create(
            OwnNetworkMember(
                drawing=drawing,
                key=m.key,
                name=m.name,
                kind=m.kind,
                closeness=m.closeness,
                sees=m.sees,
                call_on=m.call_on,
                helps=m.helps,
            )
            for m in latest.members.all()
        )
    _audit(viewer, resident, Action.CREATE, drawing, {"drawing": number})
    derive.sync_residents(resident.place, [resident.pk])
    return drawing
