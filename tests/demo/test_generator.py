"""The demo place generator: a small place is complete and consistent with the rules the
services keep, and the same seed gives the same place."""

import io
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from commonweave.accounts.models import User
from commonweave.audit.models import AuditEvent
from commonweave.demo.generator import DEMO_PASSWORD, Progress, generate_demo
from commonweave.people.enums import (
    CONTACT_MADE_OUTCOMES,
    OPEN_STAGES,
    ConsentPurpose,
    FrontDoor,
    ReferralStatus,
    Stage,
    Urgency,
)
from commonweave.people.models import (
    Consent,
    ConsentEvent,
    Conversation,
    Goal,
    Referral,
    Resident,
    StageChange,
)
from commonweave.people.selectors import possible_duplicates, triage_queue
from commonweave.tenancy.enums import Role
from commonweave.tenancy.models import ApiToken, Membership
from commonweave.tenancy.tokens import authenticate_api_token
from commonweave.tenancy.viewer import viewer_for_user

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def make(residents=60, seed=1, slug="hartley-vale", **kwargs):
    return generate_demo(
        residents=residents, seed=seed, slug=slug, now=NOW, stream=io.StringIO(), **kwargs
    )


@pytest.fixture
def demo():
    return make()


def residents_of(report):
    return Resident.objects.filter(place=report.place)


def test_every_role_has_a_login_that_works(demo):
    roles = set(
        Membership.objects.filter(organisation__place=demo.place).values_list("role", flat=True)
    )
    assert roles == set(Role.values)
    assert {login.role for login in demo.logins} == set(Role.labels)
    assert len({login.organisation for login in demo.logins}) >= 2
    for login in demo.logins:
        assert login.password == DEMO_PASSWORD
        user = User.objects.get(email=login.email)
        assert user.is_active and user.check_password(login.password)


def test_organisations_of_every_kind_with_the_vcse_as_lead(demo):
    kinds = set(demo.place.organisations.values_list("kind", flat=True))
    assert kinds >= {"council", "nhs", "housing", "school", "police", "vcse", "community_group"}
    assert demo.place.lead_organisation.kind == "vcse"


def test_exactly_the_residents_asked_for(demo):
    assert residents_of(demo).count() == 60
    assert Referral.objects.filter(place=demo.place).count() == 60
    assert demo.counts["residents"] == 60


def test_referrals_arrive_through_every_front_door(demo):
    doors = set(Referral.objects.filter(place=demo.place).values_list("front_door", flat=True))
    assert doors == set(FrontDoor.values)


def test_every_referral_is_due_24_hours_after_it_arrived_or_3_if_urgent(demo):
    promise = {Urgency.ROUTINE: timedelta(hours=24), Urgency.URGENT: timedelta(hours=3)}
    for referral in Referral.objects.filter(place=demo.place):
        assert referral.due_at - referral.received_at == promise[referral.urgency]


def test_clocks_kept_late_and_still_waiting(demo):
    referrals = Referral.objects.filter(place=demo.place)
    contacted = [r for r in referrals if r.first_contact_at is not None]
    within = [r for r in contacted if r.first_contact_at <= r.due_at]
    assert len(within) > len(contacted) / 2
    assert len(within) < len(contacted)  # some were late
    waiting = [r for r in referrals if r.status == ReferralStatus.NEW]
    assert any(r.due_at < NOW for r in waiting)  # overdue, still waiting
    assert any(r.due_at >= NOW for r in waiting)  # within the promise, still waiting
    for r in referrals:
        assert r.received_at <= NOW
        assert (r.first_contact_at is not None) == (r.status == ReferralStatus.CONTACTED)
        if r.first_contact_at is not None:
            assert r.first_contact_outcome in CONTACT_MADE_OUTCOMES
            assert r.received_at < r.first_contact_at <= NOW
            assert r.assigned_at is not None and r.assigned_at <= r.first_contact_at


def test_waiting_referrals_are_in_the_triage_queue(demo):
    coordinator = demo.place.organisations.get(kind="vcse").memberships.get(role=Role.COORDINATOR)
    viewer = viewer_for_user(coordinator.user, demo.place)
    queue = list(triage_queue(viewer))
    assert queue
    assert all(r.resident.stage == Stage.REFERRED for r in queue)


def test_stage_histories_lead_to_the_residents_stage(demo):
    changes = defaultdict(list)
    for change in StageChange.objects.filter(resident__place=demo.place).order_by(
        "changed_at", "pk"
    ):
        changes[change.resident_id].append(change)
    stages = set()
    for resident in residents_of(demo):
        history = changes[resident.pk]
        stages.add(resident.stage)
        assert history[0].from_stage == ""
        assert history[0].to_stage == Stage.REFERRED
        assert history[0].changed_at == resident.created_at
        for before, after in zip(history, history[1:], strict=False):
            assert after.from_stage == before.to_stage
        assert history[-1].to_stage == resident.stage
        assert history[-1].changed_at == resident.stage_changed_at <= NOW
        assert resident.version == len(history)
    assert stages == set(Stage.values)


def test_finished_journeys_say_how_they_ended(demo):
    for resident in residents_of(demo):
        if resident.stage == Stage.GRADUATED:
            assert resident.graduation_words
            assert resident.graduated_at == resident.stage_changed_at
        else:
            assert resident.graduated_at is None
        if resident.stage == Stage.CLOSED:
            assert resident.closed_reason
            assert resident.closed_at == resident.stage_changed_at
        if resident.stage in OPEN_STAGES - {Stage.REFERRED}:
            assert resident.catalyst_id is not None
    assert residents_of(demo).exclude(giving_back="").exists()


def test_engaged_people_have_conversations_goals_and_connections(demo):
    engaged = residents_of(demo).filter(stage__in=[Stage.CONNECTING, Stage.GRADUATED])
    assert engaged.exists()
    for resident in engaged:
        assert resident.what_matters
        assert Conversation.objects.filter(resident=resident).count() >= 2
        assert Goal.objects.filter(resident=resident).exists()
        assert resident.connections.exists()
    done = Goal.objects.filter(resident__place=demo.place, progress=100)
    assert done.exists()
    assert not done.filter(achieved_at__isnull=True).exists()


def test_current_consent_is_the_latest_event(demo):
    events = defaultdict(list)
    for event in ConsentEvent.objects.filter(resident__place=demo.place):
        events[(event.resident_id, event.purpose, event.organisation_id)].append(event)
    consents = Consent.objects.filter(resident__place=demo.place)
    assert set(events) == {(c.resident_id, c.purpose, c.organisation_id) for c in consents}
    for consent in consents:
        latest = max(
            events[(consent.resident_id, consent.purpose, consent.organisation_id)],
            key=lambda e: (e.recorded_at, e.pk),
        )
        assert (consent.given, consent.since) == (latest.given, latest.recorded_at)
    purposes = set(consents.values_list("purpose", flat=True))
    assert purposes == set(ConsentPurpose.values)
    for event in ConsentEvent.objects.filter(resident__place=demo.place):
        assert event.wording
        assert (event.organisation_id is not None) == (event.purpose == ConsentPurpose.SHARE)


def test_records_are_never_shared_with_the_organisation_that_holds_them(demo):
    shared = Consent.objects.filter(
        resident__place=demo.place, purpose=ConsentPurpose.SHARE
    ).select_related("resident")
    assert shared.exists()
    for consent in shared:
        assert consent.organisation_id != consent.resident.organisation_id


def test_duplicate_keys_are_the_ones_refresh_keys_makes(demo):
    for resident in residents_of(demo):
        keys = (resident.name_key, resident.phone_key, resident.email_key)
        resident.refresh_keys()
        assert (resident.name_key, resident.phone_key, resident.email_key) == keys


def test_a_few_possible_duplicates_are_offered_in_triage(demo):
    coordinator = demo.place.organisations.get(kind="vcse").memberships.get(role=Role.COORDINATOR)
    viewer = viewer_for_user(coordinator.user, demo.place)
    waiting = residents_of(demo).filter(referrals__status=ReferralStatus.NEW)
    with_duplicates = [r for r in waiting if possible_duplicates(viewer, r).exists()]
    assert 1 <= len(with_duplicates) <= 10


def test_generation_writes_no_audit_events(demo):
    assert AuditEvent.objects.count() == 0


def test_api_tokens_are_returned_once_and_work(demo):
    assert len(demo.tokens) >= 2
    for _org, _name, _role, raw in demo.tokens:
        token = authenticate_api_token(raw)
        assert token is not None and token.organisation.place == demo.place
    assert not ApiToken.objects.filter(token_hash__in=[raw for *_, raw in demo.tokens]).exists()


def test_same_seed_same_people_and_stories():
    first = make(slug="vale-one", seed=7)
    second = make(slug="vale-two", seed=7)

    def story(report):
        return list(
            residents_of(report)
            .order_by("pk")
            .values_list("full_name", "date_of_birth", "stage", "what_matters", "stage_changed_at")
        )

    assert story(first) == story(second)
    ids = set(residents_of(first).values_list("public_id", flat=True))
    assert ids.isdisjoint(residents_of(second).values_list("public_id", flat=True))
    other = make(slug="vale-three", seed=8)
    assert story(other) != story(first)


def test_an_existing_slug_is_refused(demo):
    with pytest.raises(ValueError, match="already exists"):
        make()


def test_progress_bar_reports_counts_and_percent():
    out = io.StringIO()
    progress = Progress("residents", 100000, stream=out)
    progress.update(45000)
    line = out.getvalue()
    assert line.startswith("residents ")
    assert " 45000/100000 [=============> " in line
    assert line.split("]")[1].split()[0] == "45%"
