"""Merging the person a referral created into the record they already had."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, UniqueConstraint
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record

from .. import hooks
from ..enums import (
    Stage,
)
from ..models import (
    Consent,
    Resident,
)
from ._common import _require_full
from .journey import _move_stage


def _resident_links():
    """(model, foreign key) for every foreign key or one-to-one to Resident in any app,
    found by introspection so a new app's records follow a merge without a change here.
    Hidden relations (related_name="+", many-to-many tables) are included; the merge
    pointer itself (Resident.merged_into) is not."""
    for rel in Resident._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete) or rel.many_to_many:
            continue  # a many-to-many moves through its table's own foreign key
        if rel.related_model is Resident and rel.field.name == "merged_into":
            continue
        yield rel.related_model, rel.field


def _unique_with(model, fk):
    """(fields, condition) of each uniqueness rule that includes this foreign key."""
    rules = [((fk.name,), None)] if fk.unique else []
    rules += [(tuple(t), None) for t in model._meta.unique_together if fk.name in t]
    for constraint in model._meta.constraints:
        fields = getattr(constraint, "fields", ())
        if isinstance(constraint, UniqueConstraint) and fk.name in fields:
            rules.append((tuple(fields), constraint.condition))
    return rules


def _colliding(model, fk, duplicate, into) -> set:
    """Primary keys of the duplicate's rows that `into` already has an equal of under one
    of the model's uniqueness rules (so moving them would break the rule)."""
    manager = model._base_manager
    clashes = set()
    for fields, condition in _unique_with(model, fk):
        others = {name: OuterRef(name) for name in fields if name != fk.name}
        theirs = manager.filter(**{fk.name: into}, **others)
        mine = manager.filter(**{fk.name: duplicate})
        if condition is not None:
            theirs, mine = theirs.filter(condition), mine.filter(condition)
        clashes |= set(mine.filter(Exists(theirs)).values_list("pk", flat=True))
    return clashes


def _merge_consents(duplicate, into):
    """Consent is one current state per purpose and organisation: the later decision wins
    (its log, ConsentEvent, moves in full with every other record)."""
    moved = 0
    for consent in Consent.objects.filter(resident=duplicate):
        existing = Consent.objects.filter(
            resident=into, purpose=consent.purpose, organisation=consent.organisation
        ).first()
        if existing is None:
            moved += Consent.objects.filter(pk=consent.pk).update(resident=into)
        else:
            if consent.since > existing.since:
                Consent.objects.filter(pk=existing.pk).update(
                    given=consent.given, since=consent.since
                )
            consent.delete()
    return moved, 0


def _move_records(duplicate, into) -> dict:
    """Move every row that points at the duplicate to `into`; returns counts for the audit.

    A model may merge its own rows (a QuerySet method `merge_resident(duplicate=, into=)`
    returning (moved, left)), as wellbeing.ScoreTrack does to combine first and latest
    scores. Otherwise rows move with one UPDATE, except rows that would break a
    uniqueness rule because `into` already has their equal: `into` keeps its own row and
    the duplicate's stays with the tombstone (merged_into points at it), so nothing is
    lost."""
    moved: dict[str, int] = {}
    left: dict[str, int] = {}
    merged_by_model: set[type] = set()
    for model, fk in _resident_links():
        label = model._meta.label_lower
        hook = getattr(model._default_manager, "merge_resident", None)
        if model is Consent:
            counts = _merge_consents(duplicate, into)
        elif hook is not None:
            if model in merged_by_model:
                continue  # the model merged all its rows the first time
            merged_by_model.add(model)
            counts = hook(duplicate=duplicate, into=into)
        else:
            rows = model._base_manager.filter(**{fk.name: duplicate})
            clashes = _colliding(model, fk, duplicate, into)
            counts = (rows.exclude(pk__in=clashes).update(**{fk.name: into}), len(clashes))
        moved[label] = moved.get(label, 0) + counts[0]
        left[label] = left.get(label, 0) + counts[1]
    return {
        "moved": {k: v for k, v in moved.items() if v},
        "left_on_duplicate": {k: v for k, v in left.items() if v},
    }


@transaction.atomic
def referral_merge(*, viewer, referral, into) -> Resident:
    """Merge the person created by this referral into an existing record, on a person's say-so.

    Moves every record that points at the duplicate, in every app (referrals, notes,
    goals, connections, consents and their history, wellbeing check-ins and their links,
    priorities, network and learning records, ...: see _move_records) to `into`; the
    duplicate stays as a tombstone pointing at `into`. Audit events on both, with the
    counts of what moved and of any rows kept on the tombstone. Apps that derive records
    from a resident's are told through people.hooks (the network re-derives both).
    """
    duplicate = referral.resident
    _require_full(viewer, duplicate)
    _require_full(viewer, into)
    if duplicate.pk == into.pk:
        raise ValidationError("A record cannot be merged into itself.")
    counts = _move_records(duplicate, into)
    now = timezone.now()
    Resident.objects.filter(pk=duplicate.pk).update(
        merged_into=into,
        stage=Stage.CLOSED,
        closed_at=now,
        closed_note="Merged",
        version=duplicate.version + 1,
        updated_at=now,
    )
    if into.stage == Stage.CLOSED:
        # A new referral for a closed journey reopens it.
        _move_stage(viewer, into, Stage.REFERRED, at=now, note="Reopened by a new referral")
    for resident in (duplicate, into):
        audit_record(
            viewer=viewer,
            action=Action.MERGE,
            purpose=Purpose.TRIAGE,
            obj=resident,
            resident=resident,
            detail={"duplicate": duplicate.public_id, "kept": into.public_id, **counts},
        )
    into.refresh_from_db()
    hooks.merged(duplicate, into)
    return into
