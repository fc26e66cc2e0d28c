"""Writes for resident journeys. Each service takes the acting viewer, runs in one
transaction, checks access, and writes its audit event. Nothing happens in save() or signals.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, UniqueConstraint
from django.http import Http404
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.tenancy.enums import CASEWORK_ROLES
from commonweave.tenancy.models import Organisation

from .access import Access, access_level
from .enums import (
    CONTACT_MADE_OUTCOMES,
    OPEN_STAGES,
    STAGE_ORDER,
    CloseReason,
    ConsentMethod,
    ConsentPurpose,
    ContactOutcome,
    ConversationKind,
    FrontDoor,
    GoalProgress,
    ReferralConsent,
    ReferralStatus,
    Stage,
    Urgency,
)
from .models import (
    Connection,
    Consent,
    ConsentEvent,
    Conversation,
    Goal,
    Referral,
    Resident,
    StageChange,
)

# The response promise: "someone will contact you within 24 hours - 3 if it's an emergency".
RESPONSE_PROMISE = {Urgency.ROUTINE: timedelta(hours=24), Urgency.URGENT: timedelta(hours=3)}

CONTACT_CONSENT_BY_REFERRER = (
    "The person who referred them told us they agreed to be contacted by the partnership."
)

# Fields a caseworker may edit on the resident's profile (the version guards them).
PROFILE_FIELDS = (
    "full_name",
    "preferred_name",
    "date_of_birth",
    "phone",
    "email",
    "address",
    "postcode",
    "contact_method",
    "contact_when",
    "what_matters",
    "strengths",
    "has_to_give",
)


class EditConflict(Exception):
    """Someone else saved the record after this edit began. Carries the current record."""

    def __init__(self, current):
        super().__init__("The record was changed by someone else")
        self.current = current


@dataclass(frozen=True)
class PersonDetails:
    full_name: str
    preferred_name: str = ""
    date_of_birth: object = None
    phone: str = ""
    email: str = ""
    address: str = ""
    postcode: str = ""
    contact_method: str = "phone"
    contact_when: str = ""


def _require_full(viewer, resident):
    if access_level(viewer, resident) is not Access.FULL:
        raise Http404


def _holding_organisation(viewer, referring_org_id):
    """Who holds a new referral: the referrer's own casework organisation, or the place's lead."""
    if referring_org_id and referring_org_id in viewer.casework_org_ids:
        return Organisation.objects.get(pk=referring_org_id)
    lead = viewer.place.lead_organisation
    if lead is None:
        raise ValidationError("This place has no lead organisation to receive referrals yet.")
    return lead


@transaction.atomic
def referral_create(
    *,
    viewer,
    front_door,
    person: PersonDetails,
    referrer_kind,
    reason,
    urgency=Urgency.ROUTINE,
    consent=ReferralConsent.NOT_YET,
    referrer_name="",
    referrer_contact="",
    referring_organisation_id=None,
    received_at=None,
) -> Referral:
    """Receive a referral through any front door.

    Side effects: creates the Resident (stage referred) held by the referrer's casework
    organisation or the place's lead organisation; records contact consent when the
    referrer says the person agreed; writes a StageChange and one audit event.
    """
    if front_door != FrontDoor.PUBLIC_WEB and not viewer.can_refer:
        raise PermissionDenied
    if (
        referring_organisation_id is not None
        and referring_organisation_id not in viewer.member_org_ids
    ):
        raise PermissionDenied
    received_at = received_at or timezone.now()
    holder = _holding_organisation(viewer, referring_organisation_id)
    resident = Resident(
        place=viewer.place,
        organisation=holder,
        stage=Stage.REFERRED,
        stage_changed_at=received_at,
        created_at=received_at,
        updated_at=received_at,
        **person.__dict__,
    )
    resident.refresh_keys()
    resident.save()
    referral = Referral.objects.create(
        place=viewer.place,
        resident=resident,
        front_door=front_door,
        referrer_kind=referrer_kind,
        referrer_name=referrer_name,
        referrer_contact=referrer_contact,
        referring_organisation_id=referring_organisation_id,
        referred_by_id=viewer.user_id,
        reason=reason,
        urgency=urgency,
        consent=consent,
        received_at=received_at,
        due_at=received_at + RESPONSE_PROMISE[Urgency(urgency)],
    )
    StageChange.objects.create(
        resident=resident,
        from_stage="",
        to_stage=Stage.REFERRED,
        changed_at=received_at,
        changed_by_id=viewer.user_id,
    )
    if consent == ReferralConsent.AGREED:
        _consent_write(
            resident=resident,
            purpose=ConsentPurpose.CONTACT,
            organisation=None,
            given=True,
            method=ConsentMethod.REFERRER,
            wording=CONTACT_CONSENT_BY_REFERRER,
            recorded_by_id=viewer.user_id,
            at=received_at,
        )
    audit_record(
        viewer=viewer,
        action=Action.CREATE,
        purpose=Purpose.INTAKE,
        obj=referral,
        resident=resident,
        detail={"front_door": front_door},
        organisation_id=holder.pk,
    )
    return referral


def catalysts_for(organisation_id):
    """Users who can take a referral held by this organisation."""
    from commonweave.accounts.models import User

    return User.objects.filter(
        is_active=True,
        memberships__organisation_id=organisation_id,
        memberships__role__in=CASEWORK_ROLES,
    ).distinct()


def catalysts_for_orgs(organisation_ids):
    """Everyone who does casework in any of these organisations (a coordinator's team)."""
    from commonweave.accounts.models import User

    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation_id__in=organisation_ids,
            memberships__role__in=CASEWORK_ROLES,
        )
        .distinct()
        .order_by("name")
    )


@transaction.atomic
def referral_assign(*, viewer, referral, catalyst) -> Referral:
    """Assign a referral (and the resident's casework) to a catalyst of the holding organisation.

    Side effects: sets referral.assigned_to and resident.catalyst; one audit event.
    """
    resident = referral.resident
    _require_full(viewer, resident)
    if not catalysts_for(resident.organisation_id).filter(pk=catalyst.pk).exists():
        raise ValidationError(
            {"catalyst": "Choose someone who works with this organisation's residents."}
        )
    now = timezone.now()
    referral.assigned_to = catalyst
    referral.assigned_at = now
    referral.save(update_fields=["assigned_to", "assigned_at"])
    Resident.objects.filter(pk=resident.pk).update(
        catalyst=catalyst, version=resident.version + 1, updated_at=now
    )
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.TRIAGE,
        obj=referral,
        resident=resident,
        detail={"assigned_to": catalyst.pk},
    )
    return referral


@transaction.atomic
def referral_record_contact(*, viewer, referral, outcome, note="", at=None) -> Referral:
    """Record an attempt at first contact and its outcome.

    A conversation or a message left stops the clock and moves the resident to
    "contacted"; "don't want support now" also closes the journey. Failed attempts
    are kept as notes and the clock keeps running.
    Side effects: updates the referral and resident, adds a Conversation, audit event.
    """
    resident = referral.resident
    _require_full(viewer, resident)
    at = at or timezone.now()
    outcome = ContactOutcome(outcome)
    Conversation.objects.create(
        resident=resident,
        author_id=viewer.user_id,
        happened_at=at,
        kind=ConversationKind.PHONE,
        notes=f"First contact: {outcome.label}." + (f"\n{note}" if note else ""),
    )
    if outcome in CONTACT_MADE_OUTCOMES and referral.first_contact_at is None:
        referral.first_contact_at = at
        referral.first_contact_outcome = outcome
        referral.first_contact_note = note
        referral.first_contact_by_id = viewer.user_id
        referral.status = ReferralStatus.CONTACTED
        referral.save(
            update_fields=[
                "first_contact_at",
                "first_contact_outcome",
                "first_contact_note",
                "first_contact_by",
                "status",
            ]
        )
        if resident.stage == Stage.REFERRED:
            _move_stage(viewer, resident, Stage.CONTACTED, at=at)
        if outcome == ContactOutcome.DECLINED:
            _close(viewer, resident, CloseReason.DECLINED, note, at=at)
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.TRIAGE,
        obj=referral,
        resident=resident,
        detail={"contact_outcome": outcome.value},
    )
    return referral


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
    moved, left, merged_by_model = {}, {}, set()
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
    counts of what moved and of any rows kept on the tombstone.
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
    return into


def _guarded_update(resident, version, **changes):
    """Apply changes only if nobody else saved since `version`; else raise EditConflict."""
    changes.setdefault("updated_at", timezone.now())
    updated = Resident.objects.filter(pk=resident.pk, version=version).update(
        version=version + 1, **changes
    )
    if not updated:
        raise EditConflict(Resident.objects.get(pk=resident.pk))
    for name, value in changes.items():
        setattr(resident, name, value)
    resident.version = version + 1


@transaction.atomic
def resident_update_profile(*, viewer, resident, version, **fields) -> Resident:
    """Change the resident's details and their own words, guarded by `version`.

    Raises EditConflict if someone else saved first. Audit event lists changed fields.
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
    _guarded_update(
        resident,
        version,
        **changed,
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


@transaction.atomic
def conversation_add(
    *, viewer, resident, kind, notes, happened_at=None, next_action="", next_action_due=None
) -> Conversation:
    """Add a 1-to-1 conversation note; its next action becomes the resident's next action.
    Side effects: updates resident.next_action(_due); audit event."""
    _require_full(viewer, resident)
    conversation = Conversation.objects.create(
        resident=resident,
        author_id=viewer.user_id,
        happened_at=happened_at or timezone.now(),
        kind=kind,
        notes=notes,
        next_action=next_action,
        next_action_due=next_action_due,
    )
    Resident.objects.filter(pk=resident.pk).update(
        next_action=next_action, next_action_due=next_action_due, updated_at=timezone.now()
    )
    audit_record(
        viewer=viewer,
        action=Action.CREATE,
        purpose=Purpose.CASEWORK,
        obj=conversation,
        object_id=str(conversation.pk),
        resident=resident,
    )
    return conversation


@transaction.atomic
def goal_add(*, viewer, resident, text, progress=GoalProgress.NOT_STARTED) -> Goal:
    _require_full(viewer, resident)
    goal = Goal.objects.create(
        resident=resident, text=text, progress=progress, created_by_id=viewer.user_id
    )
    audit_record(
        viewer=viewer,
        action=Action.CREATE,
        purpose=Purpose.CASEWORK,
        obj=goal,
        object_id=str(goal.pk),
        resident=resident,
    )
    return goal


@transaction.atomic
def goal_set_progress(*, viewer, goal, progress) -> Goal:
    """Record progress on a goal; reaching 'done' marks it achieved."""
    _require_full(viewer, goal.resident)
    now = timezone.now()
    goal.progress = GoalProgress(int(progress))
    goal.updated_at = now
    goal.achieved_at = now if goal.progress == GoalProgress.DONE else None
    goal.save(update_fields=["progress", "updated_at", "achieved_at"])
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.CASEWORK,
        obj=goal,
        object_id=str(goal.pk),
        resident=goal.resident,
        detail={"progress": int(progress)},
    )
    return goal


@transaction.atomic
def connection_add(
    *, viewer, resident, kind, name, description="", made_on=None, status="made"
) -> Connection:
    """Record a connection made for the resident (free text until the directory exists)."""
    _require_full(viewer, resident)
    connection = Connection.objects.create(
        resident=resident,
        kind=kind,
        name=name,
        description=description,
        status=status,
        made_on=made_on or timezone.localdate(),
        recorded_by_id=viewer.user_id,
    )
    audit_record(
        viewer=viewer,
        action=Action.CREATE,
        purpose=Purpose.CASEWORK,
        obj=connection,
        object_id=str(connection.pk),
        resident=resident,
    )
    return connection


def _consent_write(
    *, resident, purpose, organisation, given, method, wording, recorded_by_id, at=None
):
    at = at or timezone.now()
    event = ConsentEvent.objects.create(
        resident=resident,
        purpose=purpose,
        organisation=organisation,
        given=given,
        method=method,
        wording=wording,
        recorded_by_id=recorded_by_id,
        recorded_at=at,
    )
    Consent.objects.update_or_create(
        resident=resident,
        purpose=purpose,
        organisation=organisation,
        defaults={"given": given, "since": at},
    )
    return event


@transaction.atomic
def consent_record(
    *, viewer, resident, purpose, given, method, wording, organisation=None
) -> ConsentEvent:
    """Record consent given or withdrawn. Takes effect on the very next request: access
    checks read the current Consent row, which this updates in the same transaction.
    Side effects: ConsentEvent (append-only), Consent state, audit event."""
    _require_full(viewer, resident)
    purpose = ConsentPurpose(purpose)
    if purpose == ConsentPurpose.SHARE:
        if organisation is None or organisation.place_id != resident.place_id:
            raise ValidationError(
                {"organisation": "Choose the partner organisation to share with."}
            )
        if organisation.pk == resident.organisation_id:
            raise ValidationError({"organisation": "This organisation already holds the record."})
    else:
        organisation = None
    if not (wording or "").strip():
        raise ValidationError({"wording": "Record the words shown or read to them."})
    event = _consent_write(
        resident=resident,
        purpose=purpose,
        organisation=organisation,
        given=given,
        method=method,
        wording=wording.strip(),
        recorded_by_id=viewer.user_id,
    )
    audit_record(
        viewer=viewer,
        action=Action.CONSENT,
        purpose=Purpose.CASEWORK,
        obj=resident,
        resident=resident,
        detail={
            "purpose": purpose.value,
            "given": given,
            "organisation": organisation.pk if organisation else None,
        },
    )
    return event


def organisations_to_share_with(resident):
    return Organisation.objects.filter(place_id=resident.place_id).exclude(
        pk=resident.organisation_id
    )
