from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from commonweave.audit.models import AuditEvent
from commonweave.audit.services import audit_chain_verify
from commonweave.core.versioning import Conflict
from commonweave.people import services
from commonweave.people.access import Access, access_level, residents_visible_to
from commonweave.people.enums import (
    ConsentMethod,
    ConsentPurpose,
    ContactOutcome,
    FrontDoor,
    ReferralConsent,
    ReferrerKind,
    Stage,
    Urgency,
)
from commonweave.people.models import Consent, ConsentEvent, Resident
from commonweave.tenancy.viewer import public_viewer


def make_referral(world, *, viewer=None, urgency=Urgency.ROUTINE, **person):
    person.setdefault("full_name", "Mary Jones")
    return services.referral_create(
        viewer=viewer or public_viewer(world.place),
        front_door=FrontDoor.PUBLIC_WEB,
        person=services.PersonDetails(**person),
        referrer_kind=ReferrerKind.NEIGHBOUR,
        reason="She seems lonely since her husband died.",
        urgency=urgency,
        consent=ReferralConsent.AGREED,
    )


def test_public_referral_is_held_by_the_lead_organisation_with_a_24_hour_promise(world):
    referral = make_referral(world)
    assert referral.resident.organisation == world.org_a
    assert referral.resident.stage == Stage.REFERRED
    assert referral.due_at - referral.received_at == timedelta(hours=24)
    assert Consent.objects.get(resident=referral.resident).purpose == ConsentPurpose.CONTACT


def test_urgent_referral_is_due_in_three_hours(world):
    referral = make_referral(world, urgency=Urgency.URGENT)
    assert referral.due_at - referral.received_at == timedelta(hours=3)


def test_first_contact_stops_the_clock_and_moves_stage(world):
    referral = make_referral(world)
    viewer = world.viewer(world.catalyst_a)
    services.referral_record_contact(viewer=viewer, referral=referral, outcome=ContactOutcome.SPOKE)
    referral.refresh_from_db()
    assert referral.first_contact_at is not None
    assert referral.resident.stage == Stage.CONTACTED


def test_failed_attempt_keeps_the_clock_running(world):
    referral = make_referral(world)
    viewer = world.viewer(world.catalyst_a)
    services.referral_record_contact(
        viewer=viewer, referral=referral, outcome=ContactOutcome.NO_ANSWER
    )
    referral.refresh_from_db()
    assert referral.first_contact_at is None
    assert referral.resident.conversations.count() == 1


def test_partner_cannot_act_on_a_resident_held_elsewhere(world):
    referral = make_referral(world)
    with pytest.raises(Http404):
        services.referral_record_contact(
            viewer=world.viewer(world.catalyst_b), referral=referral, outcome=ContactOutcome.SPOKE
        )


def test_sharing_consent_grants_and_withdrawal_removes_access_at_once(world, resident_a):
    catalyst = world.viewer(world.catalyst_a)
    worker_b = world.viewer(world.worker_b)
    assert access_level(worker_b, resident_a) is Access.NONE
    services.consent_record(
        viewer=catalyst,
        resident=resident_a,
        purpose=ConsentPurpose.SHARE,
        given=True,
        method=ConsentMethod.VERBAL,
        wording="Can we share your record with the council?",
        organisation=world.org_b,
    )
    assert access_level(worker_b, resident_a) is Access.SHARED
    assert list(residents_visible_to(worker_b)) == [resident_a]
    services.consent_record(
        viewer=catalyst,
        resident=resident_a,
        purpose=ConsentPurpose.SHARE,
        given=False,
        method=ConsentMethod.VERBAL,
        wording="You asked us to stop sharing.",
        organisation=world.org_b,
    )
    assert access_level(worker_b, resident_a) is Access.NONE
    assert list(residents_visible_to(worker_b)) == []
    assert ConsentEvent.objects.filter(resident=resident_a).count() == 2


def test_concurrent_profile_edits_conflict_instead_of_overwriting(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    start_version = resident_a.version
    first = Resident.objects.get(pk=resident_a.pk)
    second = Resident.objects.get(pk=resident_a.pk)
    services.resident_update_profile(
        viewer=viewer, resident=first, version=start_version, what_matters="My garden"
    )
    with pytest.raises(Conflict) as conflict:
        services.resident_update_profile(
            viewer=viewer, resident=second, version=start_version, what_matters="My dog"
        )
    assert conflict.value.current.what_matters == "My garden"
    assert Resident.objects.get(pk=resident_a.pk).what_matters == "My garden"


def test_merge_moves_history_and_leaves_a_pointer(world, resident_a):
    referral = make_referral(world, full_name=resident_a.full_name, phone=resident_a.phone)
    viewer = world.viewer(world.catalyst_a)
    from commonweave.people.selectors import possible_duplicates

    assert list(possible_duplicates(viewer, referral.resident)) == [resident_a]
    duplicate = referral.resident
    services.referral_merge(viewer=viewer, referral=referral, into=resident_a)
    referral.refresh_from_db()
    duplicate.refresh_from_db()
    assert referral.resident == resident_a
    assert duplicate.merged_into == resident_a
    assert list(residents_visible_to(viewer)) == [resident_a]


def test_graduation_records_their_words_and_leaves_nothing_next(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    type(resident_a).objects.filter(pk=resident_a.pk).update(
        next_action="Ring about the lunch club", next_action_due=timezone.now().date()
    )
    resident_a.refresh_from_db()
    services.resident_graduate(
        viewer=viewer,
        resident=resident_a,
        version=resident_a.version,
        words="I go to the club on my own now.",
        giving_back="Helps run the tea urn",
    )
    resident_a.refresh_from_db()
    assert resident_a.stage == Stage.GRADUATED
    assert resident_a.graduated_at <= timezone.now()
    assert resident_a.giving_back == "Helps run the tea urn"
    # The page hides a finished journey's next action; the API must not show one either.
    assert (resident_a.next_action, resident_a.next_action_due) == ("", None)


def test_audit_chain_is_intact_and_append_only(world, resident_a):
    make_referral(world)
    make_referral(world)
    assert AuditEvent.objects.count() == 2
    assert audit_chain_verify() == (True, None)
    event = AuditEvent.objects.first()
    with pytest.raises(ValueError):
        event.save()
    AuditEvent.objects.filter(pk=event.pk).update(action="export")
    intact, broken = audit_chain_verify()
    assert (intact, broken) == (False, event.pk)
