"""Mutual-aid pages: the public form (no account, no JavaScript), the coordinator's list and
need page, the helper's own link; and the cross-role check that nobody but the matched
helper (after both accept) and the holding coordinators ever sees an address or a phone."""

import datetime

import pytest
from django.test import Client

from commonweave.mutualaid import services
from commonweave.mutualaid.actors import Helper
from commonweave.mutualaid.enums import AidFrontDoor, Kind, Side
from commonweave.mutualaid.models import Request, RequestContact
from commonweave.tenancy.viewer import public_viewer
from tests.conftest import assert_access, client_for

from . import factories

ADDRESS = "7 Quiet Close"
PHONE = "07700 900321"


def _ask_data(cat, **extra):
    return {
        "first_name": "Ada",
        "category": cat.pk,
        "what": "Bread and milk",
        "when": "any",
        "urgency": "routine",
        "language": "",
        "phone": PHONE,
        "address": ADDRESS,
        **extra,
    }


def test_anyone_can_ask_for_help_without_an_account(world, areas):
    cat = factories.category(world.place, "shopping")
    client = Client()
    page = client.get(f"/mutual-aid/ask/{world.place.slug}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script" not in html.split("</main>")[0].split("<main")[-1]
    response = client.post(
        f"/mutual-aid/ask/{world.place.slug}/", _ask_data(cat, neighbourhood=areas[1].pk)
    )
    assert response.status_code == 302
    need = Request.objects.get(place=world.place, kind=Kind.NEED)
    assert (need.first_name, need.neighbourhood, need.front_door, need.organisation) == (
        "Ada",
        areas[1],
        AidFrontDoor.WEB,
        world.org_a,
    )
    assert (need.contact.address, need.contact.phone) == (ADDRESS, PHONE)
    thanks = client.get(response["Location"]).content.decode()
    assert "within 24 hours" in thanks and ADDRESS not in thanks


def test_the_form_says_what_is_missing_in_plain_words(world):
    factories.category(world.place, "shopping")
    response = Client().post(f"/mutual-aid/ask/{world.place.slug}/", {"first_name": "Ada"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose the kind of help" in html and "Tell us what you need" in html
    assert Request.objects.count() == 0


def test_a_place_not_taking_requests_is_a_404(world):
    assert Client().get("/mutual-aid/ask/nowhere/").status_code == 404


@pytest.fixture
def matched(world, areas):
    """A need with its address and phone, three alerted helpers, and one proposed match."""
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
    match = services.match_propose(
        actor=world.viewer(world.manager_a), need=need, volunteer=helpers[0]
    )
    secrets = {}
    for helper in helpers:
        secrets[helper.pk] = "s" + helper.public_id
        helper.link_token_hash = helper.hash_token(secrets[helper.pk])
        helper.save(update_fields=["link_token_hash"])
    return need, match, helpers, secrets


def test_who_sees_the_coordinators_pages(world, matched):
    need, match, _helpers, _secrets = matched
    coordinators = {"catalyst_a": 200, "manager_a": 200}
    # Every caseworker has a list (of their own organisation's needs); only A's open A's need.
    assert_access(
        world, "get", "/mutual-aid/needs/", coordinators | {"catalyst_b": 200, "outsider": 200}
    )
    assert_access(world, "get", f"/mutual-aid/needs/{need.public_id}/", coordinators)


def _urls(need, match, helpers, secrets):
    gets = ["/mutual-aid/needs/", f"/mutual-aid/needs/{need.public_id}/"]
    gets += [f"/mutual-aid/helper/{s}/" for s in secrets.values()]
    posts = [f"/mutual-aid/needs/{need.public_id}/contact/"]
    posts += [
        f"/mutual-aid/helper/{s}/matches/{match.public_id}/contact/" for s in secrets.values()
    ]
    return gets, posts


def _seen(client, gets, posts):
    found = 0
    for url in gets:
        found += _count(client.get(url))
    for url in posts:
        found += _count(client.post(url))
    return found


def _count(response):
    body = response.content.decode()
    return body.count(ADDRESS) + body.count(PHONE)


def test_cross_role_nobody_unmatched_sees_an_address_or_phone(world, matched):
    need, match, helpers, secrets = matched
    gets, posts = _urls(need, match, helpers, secrets)
    for name in ("anonymous", "worker_b", "catalyst_b", "analyst", "outsider"):
        assert (name, _seen(client_for(world.personas[name]), gets, posts)) == (name, 0)
    # Before both accept, not even the proposed helper sees it; afterwards only they do.
    helper_pages = [f"/mutual-aid/helper/{s}/" for s in secrets.values()]
    helper_posts = [
        f"/mutual-aid/helper/{s}/matches/{match.public_id}/contact/" for s in secrets.values()
    ]
    assert _seen(Client(), helper_pages, helper_posts) == 0
    services.match_accept(actor=Helper(helpers[0]), match=match, side=Side.HELPER)
    services.match_accept(actor=world.viewer(world.manager_a), match=match, side=Side.NEED)
    others = [s for pk, s in secrets.items() if pk != helpers[0].pk]
    assert (
        _seen(
            Client(),
            [f"/mutual-aid/helper/{s}/" for s in others],
            [f"/mutual-aid/helper/{s}/matches/{match.public_id}/contact/" for s in others],
        )
        == 0
    )
    assert (
        _count(
            Client().post(
                f"/mutual-aid/helper/{secrets[helpers[0].pk]}/matches/{match.public_id}/contact/"
            )
        )
        == 2
    )
    # Lists and need pages never carry it, even for the coordinator, until they ask.
    coordinator = client_for(world.manager_a)
    assert (
        _count(coordinator.get("/mutual-aid/needs/"))
        + _count(coordinator.get(f"/mutual-aid/needs/{need.public_id}/"))
        == 0
    )
    assert _count(coordinator.post(f"/mutual-aid/needs/{need.public_id}/contact/")) == 2


def test_the_match_flow_through_the_pages(world, matched):
    need, match, helpers, secrets = matched
    helper = Client()
    home = f"/mutual-aid/helper/{secrets[helpers[0].pk]}/"
    assert helper.post(f"{home}matches/{match.public_id}/accept/").status_code == 302
    coordinator = client_for(world.manager_a)
    assert coordinator.post(f"/mutual-aid/matches/{match.public_id}/accept/").status_code == 302
    assert helper.post(f"{home}matches/{match.public_id}/done/").status_code == 302
    response = coordinator.post(f"/mutual-aid/matches/{match.public_id}/thank/", {"thanks": "Ta!"})
    assert response.status_code == 302
    match.refresh_from_db()
    assert (match.status, match.thanks) == ("thanked", "Ta!")


def test_a_coordinator_proposes_a_suggested_helper(world, areas):
    cat = factories.category(world.place, "phone-chat")
    helper = factories.helper(world.place, world.org_a, home=areas[0])
    factories.offer(helper, cat)
    need = services.request_create(
        viewer=public_viewer(world.place),
        kind=Kind.NEED,
        category=cat,
        what="A chat",
        first_name="Bo",
        front_door=AidFrontDoor.PHONE,
        neighbourhood=areas[0],
        alert=False,
    )
    client = client_for(world.catalyst_a)
    page = client.get(f"/mutual-aid/needs/{need.public_id}/").content.decode()
    assert "Propose Sam" in page
    response = client.post(
        f"/mutual-aid/needs/{need.public_id}/propose/", {"helper": helper.public_id}
    )
    assert response.status_code == 302
    assert need.matches.get().volunteer == helper
    # Another organisation's catalyst cannot propose on it.
    other = client_for(world.catalyst_b).post(
        f"/mutual-aid/needs/{need.public_id}/propose/", {"helper": helper.public_id}
    )
    assert other.status_code == 404
    assert RequestContact.objects.count() == 0


def test_messages_are_passed_on_without_either_number(world, matched):
    need, match, helpers, secrets = matched
    home = f"/mutual-aid/helper/{secrets[helpers[0].pk]}/"
    helper = Client()
    # Not before both have said yes.
    helper.post(f"{home}matches/{match.public_id}/message/", {"text": "Too early"})
    assert match.relayed.count() == 0
    services.match_accept(actor=Helper(helpers[0]), match=match, side=Side.HELPER)
    services.match_accept(actor=world.viewer(world.manager_a), match=match, side=Side.NEED)
    helper.post(f"{home}matches/{match.public_id}/message/", {"text": "I can come at 4pm"})
    coordinator = client_for(world.manager_a)
    coordinator.post(f"/mutual-aid/matches/{match.public_id}/message/", {"text": "4pm is fine"})
    assert list(match.relayed.values_list("from_side", "text")) == [
        ("helper", "I can come at 4pm"),
        ("need", "4pm is fine"),
    ]
    pages = [helper.get(home), coordinator.get(f"/mutual-aid/needs/{need.public_id}/")]
    for page in pages:
        html = page.content.decode()
        assert "I can come at 4pm" in html and "4pm is fine" in html
        assert (_count(page), helpers[0].phone in html) == (0, False)


def test_a_coordinator_adds_a_helper_and_records_their_checks(world, areas):
    from commonweave.mutualaid.models import Volunteer

    client = client_for(world.manager_a)
    response = client.post(
        "/mutual-aid/helpers/new/",
        {
            "first_name": "Rosa",
            "phone": "07700 900888",
            "home": areas[0].pk,
            "when": "any",
            "languages": "en ur",
        },
    )
    assert response.status_code == 200
    volunteer = Volunteer.objects.get(first_name="Rosa")
    assert (volunteer.organisation, volunteer.languages) == (world.org_a, ["en", "ur"])
    link = response.content.decode().split("/mutual-aid/helper/")[1].split("/")[0]
    assert services.helper_for_link(link).volunteer == volunteer
    today = datetime.date.today()
    checks = {"dbs_type": "enhanced"}
    for name in ("dbs_issued_on", "references_checked_on", "training_completed_on"):
        checks |= {
            f"{name}_day": today.day,
            f"{name}_month": today.month,
            f"{name}_year": today.year - 1,
        }
    checks |= {
        "recheck_due_on_day": 1,
        "recheck_due_on_month": 1,
        "recheck_due_on_year": today.year + 2,
    }
    url = f"/mutual-aid/helpers/{volunteer.public_id}/"
    assert client.post(url, checks).status_code == 302
    assert "Home visit or working alone" in client.get(url).content.decode()
    assert_access(world, "get", url, {"catalyst_a": 200, "manager_a": 200})
    assert_access(
        world,
        "get",
        "/mutual-aid/helpers/",
        {"catalyst_a": 200, "manager_a": 200, "catalyst_b": 200, "outsider": 200},
    )


def test_a_graduate_becomes_a_helper_from_their_record(world):
    from commonweave.demo.factories import ResidentFactory

    resident = ResidentFactory(
        organisation=world.org_a,
        catalyst=world.catalyst_a,
        full_name="Grace Okafor",
        phone="07700 900777",
    )
    url = f"/mutual-aid/helpers/new/?resident={resident.public_id}"
    response = client_for(world.catalyst_a).post(url, {"when": "any", "languages": "en"})
    assert response.status_code == 200
    assert resident.mutualaid_volunteer.first_name == "Grace"
    assert client_for(world.catalyst_b).get(url).status_code == 404
