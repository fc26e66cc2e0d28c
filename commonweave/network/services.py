"""Writes to the network: nodes and ties recorded by hand. Derived ties are written by
derive.py only; network surveys are imported by survey.py, the recompute by jobs.py.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.people.models import name_key
from commonweave.tenancy.enums import Role

from .enums import NodeKind, Sector, TieSource, TieType
from .models import Node, Tie

# Who may record ties by hand and import surveys.
TIE_RECORDERS = (Role.COORDINATOR, Role.PLACE_ADMIN)
MANUAL_NODE_KINDS = (NodeKind.ORGANISATION, NodeKind.PERSON, NodeKind.GROUP, NodeKind.SERVICE)
# The scale of a tie's strength: above 0 and up to STRENGTH_MAX, 1 an ordinary tie. Forms,
# surveys and this service refuse anything above it, naming the scale.
STRENGTH_MAX = 10.0


def strength_message() -> str:
    return _(
        "Strength must be a number above 0 and up to %(max)s: the scale runs to %(max)s "
        "(the strongest), and 1 is an ordinary tie."
    ) % {"max": f"{STRENGTH_MAX:g}"}


def can_record_ties(viewer) -> bool:
    return bool(viewer) and viewer.has_role(*TIE_RECORDERS)


def _require_recorder(viewer):
    if not can_record_ties(viewer):
        raise PermissionDenied


def _own_node(viewer, public_id) -> Node:
    node = Node.objects.filter(place=viewer.place, public_id=public_id).first()
    if node is None:
        raise Http404
    return node


@transaction.atomic
def node_create(*, viewer, kind, label, sector="", neighbourhood="") -> Node:
    """A node for an organisation, group or professional contact outside the records.

    Side effects: inserts a Node (or returns the one with that name); one audit event.
    """
    _require_recorder(viewer)
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": "Enter the name."})
    if kind not in MANUAL_NODE_KINDS:
        raise ValidationError({"kind": "Choose what kind of node this is."})
    if sector and sector not in Sector.values:
        raise ValidationError({"sector": "Choose a sector from the list."})
    node, created = Node.objects.get_or_create(
        place=viewer.place,
        key=f"ext:{name_key(label)[:200]}"
        if kind == NodeKind.ORGANISATION
        else f"{kind}:manual:{name_key(label)[:180]}",
        defaults={
            "kind": kind,
            "label": label[:200],
            "sector": sector,
            "neighbourhood": neighbourhood[:120],
        },
    )
    if created:
        audit_record(viewer=viewer, action=Action.CREATE, purpose=Purpose.ADMIN, obj=node)
    return node


@transaction.atomic
def tie_record(
    *,
    viewer,
    source,
    target,
    tie_type,
    strength=1.0,
    directed=False,
    started_on=None,
    note="",
    origin=TieSource.MANUAL,
) -> Tie:
    """Record a tie by hand (organisation–organisation, person–organisation, ...).

    Residents' ties are derived from their records, never typed in here.
    Side effects: inserts a Tie; one audit event.
    """
    _require_recorder(viewer)
    errors = {}
    if source.place_id != viewer.place.pk or target.place_id != viewer.place.pk:
        raise Http404
    if NodeKind.RESIDENT in (source.kind, target.kind):
        errors["target"] = "Residents' ties come from their records, not from here."
    if source.pk == target.pk:
        errors["target"] = "Choose two different ends."
    if tie_type not in TieType.values:
        errors["tie_type"] = "Choose the kind of relationship."
    try:
        strength = float(strength)
    except (TypeError, ValueError):
        strength = None
    if strength is None or not 0 < strength <= STRENGTH_MAX:
        errors["strength"] = strength_message()
    started_on = started_on or timezone.localdate()
    if started_on > timezone.localdate():
        errors["started_on"] = "The start date must be today or in the past."
    if errors:
        raise ValidationError(errors)
    tie = Tie.objects.create(
        place=viewer.place,
        source_node=source,
        target_node=target,
        tie_type=tie_type,
        strength=strength,
        directed=bool(directed),
        started_on=started_on,
        source=origin,
        note=(note or "")[:200],
        created_by_id=viewer.user_id,
    )
    audit_record(
        viewer=viewer,
        action=Action.CREATE,
        purpose=Purpose.ADMIN,
        obj=tie,
        detail={"tie_type": tie_type, "source": origin},
    )
    return tie


@transaction.atomic
def tie_end(*, viewer, tie, ended_on=None) -> Tie:
    """End a tie recorded by hand or by survey (derived ties end with their record)."""
    _require_recorder(viewer)
    if tie.place_id != viewer.place.pk:
        raise Http404
    if tie.source not in (TieSource.MANUAL, TieSource.SURVEY, TieSource.PARTNERSHIP):
        raise ValidationError("This tie comes from a record; change the record instead.")
    ended_on = ended_on or timezone.localdate()
    if ended_on < tie.started_on:
        raise ValidationError({"ended_on": "The end date must be on or after the start."})
    tie.ended_on = ended_on
    tie.save(update_fields=["ended_on"])
    audit_record(viewer=viewer, action=Action.UPDATE, purpose=Purpose.ADMIN, obj=tie)
    return tie
