"""Referrals: made from any front door, assigned to a catalyst, first contact recorded."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.tenancy.enums import CASEWORK_ROLES

from ..enums import (
    CONTACT_MADE_OUTCOMES,
    CloseReason,
    ConsentMethod,
    ConsentPurpose,
    ContactOutcome,
    ConversationKind,
    FrontDoor,
    ReferralConsent,
    ReferralStatus,
    Stage,
    Urgency,
)
from ..models import (
    Conversation,
    Referral,
    Resident,
    StageChange,
)
from ._common import (
    CONTACT_CONSENT_BY_REFERRER,
    RESPONSE_PROMISE,
    PersonDetails,
    _holding_organisation,
    _require_full,
    postcode_codes,
)
from .consent import _consent_write
from .journey import _close, _move_stage


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

    Side effects: creates the Resident (stage referred, placed in the neighbourhood and ward
    of their postcode) held by the referrer's casework
    organisation or the place's lead organisation; records contact consent when the
    referrer says the person agreed; writes a StageChange and one audit event.
    """
    # The public form and the text front door are open to anyone (no role in the place).
    if front_door not in (FrontDoor.PUBLIC_WEB, FrontDoor.TEXT) and not viewer.can_refer:
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
        **postcode_codes(person.postcode),
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
def referral_record_contact(
    *, viewer, referral, outcome, note="", at=None, kind=ConversationKind.PHONE
) -> Referral:
    """Record an attempt at first contact and its outcome (`kind`: how, a phone call
    unless said otherwise, e.g. a text reply).

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
        kind=kind,
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


@transaction.atomic
def referral_mark_urgent(*, actor, referral, at=None) -> Referral:
    """Move a referral still waiting for first contact into the urgent (3-hour) queue, from
    `at` (e.g. a text that said something urgent): due no later than `at` + 3 hours.
    Does nothing to a referral already urgent or contacted.
    Side effects: updates urgency and due_at; one audit event when it changed."""
    if referral.urgency == Urgency.URGENT or referral.status != ReferralStatus.NEW:
        return referral
    at = at or timezone.now()
    referral.urgency = Urgency.URGENT
    referral.due_at = min(referral.due_at, at + RESPONSE_PROMISE[Urgency.URGENT])
    referral.save(update_fields=["urgency", "due_at"])
    audit_record(
        viewer=actor,
        action=Action.UPDATE,
        purpose=Purpose.INTAKE,
        obj=referral,
        resident=referral.resident,
        detail={"urgency": Urgency.URGENT.value},
        organisation_id=referral.resident.organisation_id,
    )
    return referral
