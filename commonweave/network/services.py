"""Writes to the network: ties recorded by hand, network survey imports, and starting a
recompute. Derived ties are written by derive.py only.
"""

import csv
import datetime
import difflib
import io
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.people.models import name_key
from commonweave.tenancy.enums import Role

from .enums import NodeKind, Sector, TieSource, TieType
from .models import Node, Tie

# Who may record ties by hand and import surveys.
TIE_RECORDERS = (Role.COORDINATOR, Role.PLACE_ADMIN)
MAX_SURVEY_BYTES = 2 * 1024 * 1024
MAX_SURVEY_ROWS = 20_000
MANUAL_NODE_KINDS = (NodeKind.ORGANISATION, NodeKind.PERSON, NodeKind.GROUP, NodeKind.SERVICE)


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
    if strength is None or not 0 < strength <= 10:
        errors["strength"] = "Strength must be a number above 0 and up to 10."
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


# --- network survey import (name generator) -----------------------------------------------

_TYPE_WORDS = {
    "friend": TieType.FAMILY_FRIEND,
    "family": TieType.FAMILY_FRIEND,
    "colleague": TieType.WORKS_WITH,
    "work": TieType.WORKS_WITH,
    "partner": TieType.PARTNERSHIP,
    "help": TieType.HELPS,
    "advice": TieType.HELPS,
}
SURVEY_COLUMNS = ("respondent", "contact", "relationship", "strength", "date")


def _tie_type_from(text):
    text = (text or "").strip().lower()
    for choice in TieType:
        if text in (choice.value, choice.label.lower()):
            return choice
    for word, choice in _TYPE_WORDS.items():
        if word in text:
            return choice
    return None


@dataclass
class SurveyRow:
    line: int
    respondent: str
    contact: str
    tie_type: str
    strength: float
    started_on: datetime.date


@dataclass
class SurveyPreview:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (line, reason)
    known: dict = field(default_factory=dict)  # name -> Node
    unknown: dict = field(default_factory=dict)  # name -> [candidate Nodes]


def _read_csv(data):
    if isinstance(data, bytes):
        if len(data) > MAX_SURVEY_BYTES:
            raise ValidationError({"file": "The file must be smaller than 2 MB."})
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError({"file": "The file must be a CSV saved as UTF-8."}) from exc
    reader = csv.reader(io.StringIO(data))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in SURVEY_COLUMNS if c not in header]
    if missing:
        raise ValidationError(
            {"file": f"The first row must name the columns: {', '.join(SURVEY_COLUMNS)}."}
        )
    index = {c: header.index(c) for c in SURVEY_COLUMNS}
    return reader, index


def survey_preview(*, viewer, data) -> SurveyPreview:
    """Check a name-generator CSV (respondent, contact, relationship, strength, date).

    Nothing is saved. Bad rows come back with reasons; names not yet in the network come
    back with likely matches so a coordinator can match or create them.
    """
    _require_recorder(viewer)
    reader, index = _read_csv(data)
    preview = SurveyPreview()
    today = timezone.localdate()
    for line, raw in enumerate(reader, start=2):
        if line - 1 > MAX_SURVEY_ROWS:
            preview.errors.append((line, f"More than {MAX_SURVEY_ROWS:,} rows; the rest skipped."))
            break
        if not any(cell.strip() for cell in raw):
            continue
        cells = {c: (raw[i].strip() if i < len(raw) else "") for c, i in index.items()}
        reasons = []
        if not cells["respondent"]:
            reasons.append("the respondent is missing")
        if not cells["contact"]:
            reasons.append("the named contact is missing")
        if cells["respondent"] and name_key(cells["respondent"]) == name_key(cells["contact"]):
            reasons.append("a respondent cannot name themselves")
        tie_type = _tie_type_from(cells["relationship"])
        if tie_type is None:
            reasons.append(f"relationship type '{cells['relationship'][:40]}' is not one we know")
        try:
            strength = float(cells["strength"] or 1)
            if not 0 < strength <= 10:
                raise ValueError
        except ValueError:
            strength = None
            reasons.append("strength must be a number above 0 and up to 10")
        try:
            started_on = datetime.date.fromisoformat(cells["date"]) if cells["date"] else today
            if started_on > today:
                reasons.append("the date is in the future")
        except ValueError:
            started_on = None
            reasons.append("the date must be written as YYYY-MM-DD")
        if reasons:
            preview.errors.append((line, "; ".join(reasons)))
            continue
        preview.rows.append(
            SurveyRow(line, cells["respondent"], cells["contact"], tie_type, strength, started_on)
        )
    names = {n for row in preview.rows for n in (row.respondent, row.contact)}
    candidates = list(
        Node.objects.filter(place=viewer.place)
        .exclude(kind__in=[NodeKind.RESIDENT])
        .exclude(label="")
    )
    by_key = {}
    for node in candidates:
        by_key.setdefault(name_key(node.label), node)
    labels = list(by_key)
    for name in sorted(names):
        node = by_key.get(name_key(name))
        if node is not None:
            preview.known[name] = node
        else:
            close = difflib.get_close_matches(name_key(name), labels, n=3, cutoff=0.75)
            preview.unknown[name] = [by_key[k] for k in close]
    return preview


@transaction.atomic
def survey_import(*, viewer, data, decisions=None, new_kind=NodeKind.PERSON) -> dict:
    """Import a reviewed survey. `decisions` maps each unknown name to a node public id (a
    match) or "new" (create it); rows naming an undecided unknown name are skipped.

    Side effects: nodes for names marked new; one Tie per good row (source survey);
    one audit event for the import. Returns counts, bad rows and skipped rows.
    """
    preview = survey_preview(viewer=viewer, data=data)
    decisions = decisions or {}
    resolved = dict(preview.known)
    for name in preview.unknown:
        choice = decisions.get(name)
        if choice == "new":
            resolved[name] = node_create(viewer=viewer, kind=new_kind, label=name)
        elif choice:
            resolved[name] = _own_node(viewer, choice)
    ties, skipped = [], []
    for row in preview.rows:
        a, b = resolved.get(row.respondent), resolved.get(row.contact)
        if a is None or b is None:
            skipped.append((row.line, "a name was not matched or created"))
            continue
        if a.pk == b.pk:
            skipped.append((row.line, "both names are the same node"))
            continue
        ties.append(
            Tie(
                place=viewer.place,
                source_node=a,
                target_node=b,
                tie_type=row.tie_type,
                strength=row.strength,
                directed=True,  # a name generator records who named whom
                started_on=row.started_on,
                source=TieSource.SURVEY,
                created_by_id=viewer.user_id,
            )
        )
    Tie.objects.bulk_create(ties, batch_size=2000)
    result = {"created": len(ties), "bad": preview.errors, "skipped": skipped}
    audit_record(
        viewer=viewer,
        action=Action.CREATE,
        purpose=Purpose.ADMIN,
        object_type="network.tie",
        detail={"survey_ties": len(ties), "bad_rows": len(preview.errors)},
    )
    return result
