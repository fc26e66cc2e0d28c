"""A match from proposal to thanks, the promise's clock, a graduate becoming a helper, and
privacy: an address and phone are revealed only to the matched helper after both sides
accept, and each reveal is audited."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from commonweave.audit.models import AuditEvent
from commonweave.core.visibility import Level, shown
from commonweave.demo.factories import ResidentFactory
from commonweave.mutualaid import selectors, services
from commonweave.mutualaid.actors import Helper
from commonweave.mutualaid.clock import need_clock, promise_kept
from commonweave.mutualaid.enums import (
    AidFrontDoor,
    AidUrgency,
    Kind,
    MatchStatus,
    RequestStatus,
    Side,
)
from commonweave.mutualaid.models import Alert
from commonweave.people.enums import Stage
from commonweave.tenancy.viewer import public_viewer, viewer_for_user

from . import factories

ADDRESS = "12 Hidden Lane, Testford"
PHONE = "07700 900555"
START = datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC)


@pytest.fixture
def setup(world, public, areas):
    cat = factories.category(world.place, "shopping")
    helpers = [
        factories.helper(
            world.place,
            world.org_a,
            home=areas[0],
            checks=factories.full_checks(),
            first_name=f"H{i}",
        )
        for i in range(3)
    ]
    for helper in helpers:
        factories.offer(helper, cat)
    need = services.request_create(
        viewer=public,
        kind=Kind.NEED,
        category=cat,
        what="Milk and bread",
        first_name="Ada",
        front_door=AidFrontDoor.WEB,
        neighbourhood=areas[0],
        address=ADDRESS,
        phone=PHONE,
        now=START,
    )
    return need, helpers


def test_the_whole_flow_from_proposal_to_thanks(world, coordinator, setup):
    need, helpers = setup
    match = services.match_propose(
        actor=coordinator, need=need, volunteer=helpers[0], now=START + datetime.timedelta(hours=2)
    )
    need.refresh_from_db()
    assert (match.status, need.first_proposed_at, promise_kept(need)) == (
        MatchStatus.PROPOSED,
        START + datetime.timedelta(hours=2),
        True,
    )
    services.match_accept(actor=Helper(helpers[0]), match=match, side=Side.HELPER)
    match = services.match_accept(actor=coordinator, match=match, side=Side.NEED)
    need.refresh_from_db()
    assert (match.status, need.status) == (MatchStatus.ACCEPTED, RequestStatus.MATCHED)
    match = services.match_done(actor=Helper(helpers[0]), match=match)
    match = services.match_thank(actor=coordinator, match=match, thanks="Thank you!")
    need.refresh_from_db()
    assert (match.status, need.status, match.thanks) == (
        MatchStatus.THANKED,
        RequestStatus.DONE,
        "Thank you!",
    )


def test_a_helper_saying_yes_to_an_alert_proposes_them_where_peer_to_peer(
    world, coordinator, setup
):
    need, helpers = setup
    services.place_settings_update(viewer=coordinator, peer_to_peer=True)
    alert = Alert.objects.get(need=need, volunteer=helpers[1])
    match = services.alert_answer(
        helper=Helper(helpers[1]), alert=alert, yes=True, now=START + datetime.timedelta(hours=1)
    )
    assert (match.volunteer, match.helper_accepted_at is not None, match.need_accepted_at) == (
        helpers[1],
        True,
        None,
    )
    second = Alert.objects.get(need=need, volunteer=helpers[2])
    assert services.alert_answer(helper=Helper(helpers[2]), alert=second, yes=True) is None


def test_a_decline_opens_the_need_again_and_alerts_the_next_helpers(
    world, coordinator, setup, areas
):
    need, helpers = setup
    extra = factories.helper(
        world.place, world.org_a, home=areas[0], checks=factories.full_checks()
    )
    factories.offer(extra, need.category)
    match = services.match_propose(actor=coordinator, need=need, volunteer=helpers[0])
    services.match_decline(actor=Helper(helpers[0]), match=match, side=Side.HELPER)
    need.refresh_from_db()
    assert need.status == RequestStatus.OPEN
    assert Alert.objects.filter(need=need, volunteer=extra).exists()


def test_the_clock_runs_from_creation_with_the_places_promise(world, public, areas):
    cat = factories.category(world.place, "phone-chat")
    need = services.request_create(
        viewer=public,
        kind=Kind.NEED,
        category=cat,
        what="A chat",
        first_name="Bo",
        front_door=AidFrontDoor.TEXT,
        now=START,
    )
    urgent = services.request_create(
        viewer=public,
        kind=Kind.NEED,
        category=cat,
        what="A chat today",
        first_name="Cy",
        front_door=AidFrontDoor.PHONE,
        urgency=AidUrgency.URGENT,
        now=START,
    )
    assert need.due_at == START + datetime.timedelta(hours=24)
    assert urgent.due_at == START + datetime.timedelta(hours=3)
    assert need_clock(need, START + datetime.timedelta(hours=20)).words == "Due in 4 hours"
    assert need_clock(need, START + datetime.timedelta(hours=25)).is_overdue


def test_a_graduate_becomes_a_helper_in_one_step(world):
    resident = ResidentFactory(
        organisation=world.org_a,
        catalyst=world.catalyst_a,
        full_name="Grace Okafor",
        phone="07700 900777",
        stage=Stage.GRADUATED,
    )
    volunteer, secret = services.volunteer_from_resident(
        viewer=world.viewer(world.catalyst_a), resident=resident
    )
    assert (volunteer.first_name, volunteer.resident, volunteer.phone) == (
        "Grace",
        resident,
        "07700 900777",
    )
    assert services.helper_for_link(secret).volunteer == volunteer
    with pytest.raises(Http404):  # another organisation does not hold her record
        services.volunteer_from_resident(viewer=world.viewer(world.catalyst_b), resident=resident)


# --- privacy ---------------------------------------------------------------------------


def test_a_helper_sees_first_name_area_and_what_is_needed_never_the_address(world, setup):
    need, helpers = setup
    alerts = selectors.helper_alerts(Helper(helpers[0]))
    assert [(a.first_name, a.neighbourhood.name, a.what) for a in alerts] == [
        ("Ada", "Ward 0", "Milk and bread")
    ]
    seen = shown(need, Level.PSEUDONYMOUS)
    for hidden in ("resident", "organisation", "front_door", "contact"):
        assert not seen.may_show(hidden)


def test_the_address_is_revealed_only_to_the_matched_helper_after_both_accept(
    world, coordinator, setup
):
    need, helpers = setup
    helper, other = Helper(helpers[0]), Helper(helpers[1])
    match = services.match_propose(actor=coordinator, need=need, volunteer=helpers[0])
    for actor in (helper, other):
        with pytest.raises(Http404):
            services.contact_reveal(actor=actor, match=match)
    services.match_accept(actor=helper, match=match, side=Side.HELPER)
    with pytest.raises(Http404):  # the person asking has not agreed yet
        services.contact_reveal(actor=helper, match=match)
    services.match_accept(actor=coordinator, match=match, side=Side.NEED)
    with pytest.raises(Http404):
        services.contact_reveal(actor=other, match=match)
    before = AuditEvent.objects.count()
    contact = services.contact_reveal(actor=helper, match=match)
    assert (contact.address, contact.phone) == (ADDRESS, PHONE)
    event = AuditEvent.objects.latest("pk")
    assert (AuditEvent.objects.count(), event.actor_label, event.object_id, event.detail) == (
        before + 1,
        helper.label,
        match.public_id,
        {"reveal": "contact"},
    )


def test_other_organisations_other_places_and_the_public_never_reach_the_contact(
    world, coordinator, setup
):
    need, helpers = setup
    match = services.match_propose(actor=coordinator, need=need, volunteer=helpers[0])
    outsiders = [
        world.viewer(world.catalyst_b),
        world.viewer(world.worker_b),
        world.viewer(world.analyst),
        viewer_for_user(world.outsider, world.other_place),
        public_viewer(world.place),
    ]
    for viewer in outsiders:
        with pytest.raises(Http404):
            services.contact_reveal(actor=viewer, match=match)
        with pytest.raises(Http404):
            services.need_contact_open(viewer=viewer, need=need)
        assert list(selectors.needs_held_by(viewer)) == []
    # A helper of another place has no alert for it and cannot propose themselves.
    elsewhere = factories.helper(
        world.other_place, world.other_place.lead_organisation, checks=factories.full_checks()
    )
    with pytest.raises(Http404):
        services.match_propose(actor=Helper(elsewhere), need=need, volunteer=elsewhere)


def test_a_coordinator_reading_the_contact_is_audited(world, coordinator, setup):
    need, _helpers = setup
    before = AuditEvent.objects.count()
    contact = services.need_contact_open(viewer=coordinator, need=need)
    assert (contact.phone, AuditEvent.objects.count()) == (PHONE, before + 1)


def test_a_helper_cannot_propose_themselves_for_a_need_they_were_not_alerted_to(
    world, public, setup, areas
):
    need, helpers = setup
    stranger = factories.helper(
        world.place, world.org_a, home=areas[2], checks=factories.full_checks()
    )
    with pytest.raises(Http404):
        services.match_propose(actor=Helper(stranger), need=need, volunteer=stranger)


def test_a_need_has_one_live_match_at_a_time(world, coordinator, setup):
    need, helpers = setup
    services.match_propose(actor=coordinator, need=need, volunteer=helpers[0])
    with pytest.raises(ValidationError):
        services.match_propose(actor=coordinator, need=need, volunteer=helpers[1])
