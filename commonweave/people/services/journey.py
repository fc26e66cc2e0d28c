"""A resident's journey: their details and own words, stage moves, graduating, closing.
Every change is guarded by the record's version (core.versioning)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.versioning import guarded_update

from ..enums import (
    OPEN_STAGES,
    STAGE_ORDER,
    CloseReason,
    ReferralStatus,
    Stage,
)
from ..models import (
    Referral,
    Resident,
    StageChange,
)
from ._common import PROFILE_FIELDS, _require_full, postcode_codes


def _guarded_update(resident, version, **changes):
    """Apply changes only if nobody else saved since `version`; else raise Conflict."""
    changes.setdefault("updated_at", timezone.now())
    guarded_update(resident, version, **changes)


@transaction.atomic
def resident_update_profile(*, viewer, resident, version, **fields) -> Resident:
    """Change the resident's details and their own words, guarded by `version`.

    A changed postcode also sets the neighbourhood (LSOA 2021) and ward it is in.
    Raises Conflict if someone else saved first. Audit event lists changed fields.
    """
    _require_full(viewer, resident)
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    changed = {k: v for k, v in fields.items() if getattr(resident, k) != v}
    keys = Resident(
        **{k: changed.get(k, getattr(resident, k)) for k in ("full_name", "phone", "email")}
    )
    keys.refresh_keys()
    # A new postcode places the resident anew (neighbourhood and ward, area.postcodes).
    area = postcode_codes(changed["postcode"]) if "postcode" in changed else {}
    _guarded_update(
        resident,
        version,
        **changed,
        **area,
        name_key=keys.name_key,
        phone_key=keys.phone_key,
        email_key=keys.email_key,
    )
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.CASEWORK,
        obj=resident,
        resident=resident,
        detail={"fields": sorted(changed)},
    )
    return resident


def _move_stage(viewer, resident, to_stage, *, at=None, note="", version=None, **extra):
    at = at or timezone.now()
    from_stage = resident.stage
    _guarded_update(
        resident,
        resident.version if version is None else version,
        stage=to_stage,
        stage_changed_at=at,
        updated_at=at,
        **extra,
    )
    StageChange.objects.create(
        resident=resident,
        from_stage=from_stage,
        to_stage=to_stage,
        changed_at=at,
        changed_by_id=viewer.user_id,
        note=note,
    )


def allowed_next_stages(resident):
    """The stages a catalyst can move this journey to by hand (graduate and close have
    their own forms)."""
    if resident.stage == Stage.CLOSED:
        return [Stage.ENGAGED]
    if resident.stage == Stage.GRADUATED:
        return []
    position = STAGE_ORDER.index(Stage(resident.stage))
    return list(STAGE_ORDER[position + 1 : -1]) + (
        [STAGE_ORDER[position - 1]] if position > 0 else []
    )


@transaction.atomic
def resident_move_stage(*, viewer, resident, to_stage, version, note="") -> Resident:
    """Move a journey to another stage. Side effects: StageChange row, audit event."""
    _require_full(viewer, resident)
    if Stage(to_stage) not in allowed_next_stages(resident):
        stage_now = resident.get_stage_display().lower()
        raise ValidationError({"stage": f"A journey that is {stage_now} cannot move there."})
    extra = (
        {"closed_at": None, "closed_reason": "", "closed_note": ""}
        if resident.stage == Stage.CLOSED
        else {}
    )
    _move_stage(viewer, resident, to_stage, version=version, note=note, **extra)
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.CASEWORK,
        obj=resident,
        resident=resident,
        detail={"stage": to_stage},
    )
    return resident


@transaction.atomic
def resident_graduate(*, viewer, resident, version, words, giving_back="") -> Resident:
    """Graduate at the person's own pace, recording their words on being ready and any
    giving back. Side effects: stage graduated, StageChange, audit event."""
    _require_full(viewer, resident)
    if resident.stage not in OPEN_STAGES:
        raise ValidationError({"stage": "Only an open journey can graduate."})
    if not (words or "").strip():
        raise ValidationError({"words": "Write, in their own words, why they feel ready."})
    now = timezone.now()
    _move_stage(
        viewer,
        resident,
        Stage.GRADUATED,
        at=now,
        version=version,
        graduated_at=now,
        graduation_words=words.strip(),
        giving_back=(giving_back or "").strip(),
        # A finished journey has nothing next: the page and the API both show none.
        next_action="",
        next_action_due=None,
    )
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.CASEWORK,
        obj=resident,
        resident=resident,
        detail={"stage": Stage.GRADUATED},
    )
    return resident


def _close(viewer, resident, reason, note, *, at=None, version=None):
    """Close the journey; referrals still waiting for first contact leave the triage queue."""
    at = at or timezone.now()
    Referral.objects.filter(resident=resident, status=ReferralStatus.NEW).update(
        status=ReferralStatus.CLOSED
    )
    _move_stage(
        viewer,
        resident,
        Stage.CLOSED,
        at=at,
        version=version,
        note=note,
        closed_at=at,
        closed_reason=reason,
        closed_note=note,
        next_action="",
        next_action_due=None,
    )


@transaction.atomic
def resident_close(*, viewer, resident, version, reason, note="") -> Resident:
    """Close a journey with a reason. Side effects: StageChange, audit event."""
    _require_full(viewer, resident)
    if resident.stage not in OPEN_STAGES:
        raise ValidationError({"reason": "This journey is already finished."})
    _close(viewer, resident, CloseReason(reason), note, version=version)
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.CASEWORK,
        obj=resident,
        resident=resident,
        detail={"stage": Stage.CLOSED, "reason": reason},
    )
    return resident
