"""Peer to peer (`PlaceSettings.peer_to_peer`): where the place allows it, a helper who
says yes to an alert on their own link proposes themselves (their side accepted, their
checks asked as for a coordinator's proposal); without it, their yes tells the coordinator,
who proposes. Either way the person asking agrees through the coordinator."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from commonweave.audit.models import AuditEvent
from commonweave.mutualaid import services
from commonweave.mutualaid.enums import AidFrontDoor, Kind, MatchStatus, RequestStatus
from commonweave.mutualaid.models import Alert, Match, VolunteerChecks
from commonweave.tenancy.viewer import public_viewer
from tests.conftest import client_for

from . import factories

ADDRESS = "4 Secret Yard"
PHONE = "07700 900888"


@pytest.fixture
def alerted(world, areas):
    """A doorstep need alerted to two helpers of organisation A, each with their own link."""
    cat = factories.category(world.place, "shopping")
    helpers = []
    for i in range(2):
        helper = factories.helper(
            world.place,
            world.org_a,
            home=areas[0],
            checks=factories.full_checks(),
            first_name=f"Hana{i}",
        )
        factories.offer(helper, cat)
        helper.link_token_hash = helper.hash_token(f"link-{i}-{helper.public_id}")
        helper.save(update_fields=["link_token_hash"])
        helpers.append(helper)
    need = services.request_create(
        viewer=public_viewer(world.place),
        kind=Kind.NEED,
        category=cat,
        what="Bread",
        first_name="Ada",
        front_door=AidFrontDoor.WEB,
        neighbourhood=areas[0],
        address=ADDRESS,
        phone=PHONE,
    )
    assert set(Alert.objects.filter(need=need).values_list("volunteer", flat=True)) == {
        h.pk for h in helpers
    }
    return need, helpers


def _home(helper, i):
    return f"/mutual-aid/helper/link-{i}-{helper.public_id}/"


def _say_yes(helper, i, need):
    client = Client()
    response = client.post(f"{_home(helper, i)}alerts/{need.public_id}/", {"answer": "yes"})
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def _peer_to_peer(world, on=True):
    services.place_settings_update(viewer=world.viewer(world.manager_a), peer_to_peer=on)


def test_without_peer_to_peer_a_yes_tells_the_coordinator_and_proposes_nothing(world, alerted):
    need, helpers = alerted
    page = _say_yes(helpers[0], 0, need)
    assert Alert.objects.get(need=need, volunteer=helpers[0]).answer == "yes"
    assert Match.objects.filter(need=need).count() == 0
    assert "We have told the coordinator, who will be in touch." in page
    assert "You said you can help" in page and "You offered to help" not in page
    # The coordinator sees who said yes and proposes them.
    coordinator = client_for(world.manager_a)
    html = coordinator.get(f"/mutual-aid/needs/{need.public_id}/").content.decode()
    assert "Helpers who said they can help" in html and "Hana0" in html
    response = coordinator.post(
        f"/mutual-aid/needs/{need.public_id}/propose/", {"helper": helpers[0].public_id}
    )
    assert response.status_code == 302
    match = Match.objects.get(need=need)
    assert (match.volunteer, match.proposed_by, match.helper_accepted_at) == (
        helpers[0],
        world.manager_a,
        None,
    )


def test_with_peer_to_peer_a_yes_proposes_the_helper_with_their_side_accepted(world, alerted):
    need, helpers = alerted
    _peer_to_peer(world)
    before = AuditEvent.objects.count()
    page = _say_yes(helpers[0], 0, need)
    match = Match.objects.get(need=need)
    assert (
        match.volunteer,
        match.status,
        match.helper_accepted_at is not None,
        match.need_accepted_at,
        match.proposed_by,
    ) == (helpers[0], MatchStatus.PROPOSED, True, None, None)
    assert "You have offered to help Ada." in page and "You offered to help" in page
    # One audit event for the proposal, by the helper.
    assert list(
        AuditEvent.objects.order_by("pk")[before:].values_list("action", "actor_label")
    ) == [("create", f"helper:{helpers[0].public_id}")]
    need.refresh_from_db()
    assert need.first_proposed_at is not None
    # Not yet accepted by the person asking: no address or phone for the helper.
    assert ADDRESS not in page and PHONE not in page
    reveal = Client().post(f"{_home(helpers[0], 0)}matches/{match.public_id}/contact/")
    assert reveal.status_code == 404


def test_the_person_asking_still_agrees_through_the_coordinator(world, alerted):
    need, helpers = alerted
    _peer_to_peer(world)
    _say_yes(helpers[0], 0, need)
    match = Match.objects.get(need=need)
    response = client_for(world.manager_a).post(f"/mutual-aid/matches/{match.public_id}/accept/")
    assert response.status_code == 302
    match.refresh_from_db()
    need.refresh_from_db()
    assert (match.status, need.status) == (MatchStatus.ACCEPTED, RequestStatus.MATCHED)
    revealed = Client().post(f"{_home(helpers[0], 0)}matches/{match.public_id}/contact/")
    assert (revealed.status_code, PHONE in revealed.content.decode()) == (200, True)


def test_a_second_yes_after_a_peer_to_peer_proposal_hears_someone_is_helping(world, alerted):
    need, helpers = alerted
    _peer_to_peer(world)
    _say_yes(helpers[0], 0, need)
    page = _say_yes(helpers[1], 1, need)
    assert Match.objects.filter(need=need).count() == 1
    assert Alert.objects.get(need=need, volunteer=helpers[1]).answer == "yes"
    assert "Someone is already helping Ada." in page


def test_a_helper_whose_checks_lapsed_is_not_proposed_by_their_own_yes(world, alerted):
    need, helpers = alerted
    _peer_to_peer(world)
    VolunteerChecks.objects.filter(volunteer=helpers[0]).update(
        references_checked_on=None, recheck_due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    page = _say_yes(helpers[0], 0, need)
    assert Match.objects.filter(need=need).count() == 0
    assert Alert.objects.get(need=need, volunteer=helpers[0]).answer == "yes"
    assert "We have told the coordinator" in page


def test_not_this_time_proposes_nothing_either_way(world, alerted):
    need, helpers = alerted
    for on in (False, True):
        _peer_to_peer(world, on)
        response = Client().post(
            f"{_home(helpers[0], 0)}alerts/{need.public_id}/", {"answer": "no"}
        )
        assert response.status_code == 302
        assert Match.objects.filter(need=need).count() == 0


def test_a_helper_cannot_answer_another_helpers_alert(world, alerted, areas):
    need, helpers = alerted
    _peer_to_peer(world)
    stranger = factories.helper(
        world.place, world.org_a, home=areas[2], checks=factories.full_checks()
    )
    stranger.link_token_hash = stranger.hash_token("stranger-link")
    stranger.save(update_fields=["link_token_hash"])
    response = Client().post(
        f"/mutual-aid/helper/stranger-link/alerts/{need.public_id}/", {"answer": "yes"}
    )
    assert response.status_code == 404
    assert Match.objects.count() == 0


def test_the_settings_page_switches_peer_to_peer_on_and_off(world, alerted):
    need, helpers = alerted
    admin = client_for(world.manager_a)
    data = {
        "alerts_per_need": "5",
        "promise_hours": "24",
        "urgent_promise_hours": "3",
        "reach_km": "3",
        "peer_to_peer": "on",
        "safeguarding_lead": "",
    }
    assert admin.post("/mutual-aid/settings/", data).status_code == 302
    _say_yes(helpers[0], 0, need)
    match = Match.objects.get(need=need)
    client_for(world.manager_a).post(f"/mutual-aid/matches/{match.public_id}/cancel/")
    data.pop("peer_to_peer")
    assert admin.post("/mutual-aid/settings/", data).status_code == 302
    _say_yes(helpers[1], 1, need)
    assert Match.objects.filter(need=need).count() == 1  # only the cancelled one
