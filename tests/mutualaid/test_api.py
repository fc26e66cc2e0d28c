"""The mutual-aid API: the same rules as the pages. A need never carries its address or
phone; the contact endpoint reveals them to the holding organisation only, audited."""

import json

from commonweave.audit.models import AuditEvent
from commonweave.mutualaid import services
from commonweave.mutualaid.enums import AidFrontDoor, Kind
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from commonweave.tenancy.viewer import public_viewer
from tests.api.conftest import session_client, token_client

from . import factories

ADDRESS = "3 Private Row"
PHONE = "07700 900432"


def _token(org, role=Role.CATALYST):
    _, raw = issue_api_token(organisation=org, name="Partner system", role=role)
    return token_client(raw)


def _need(world, area, **extra):
    cat = factories.category(world.place, "shopping")
    return services.request_create(
        viewer=public_viewer(world.place),
        kind=Kind.NEED,
        category=cat,
        what="Bread",
        first_name="Ada",
        front_door=AidFrontDoor.WEB,
        neighbourhood=area,
        address=ADDRESS,
        phone=PHONE,
        **extra,
    )


def test_the_holding_organisation_lists_its_needs_without_contact_details(world, areas):
    need = _need(world, areas[0])
    response = session_client(world.catalyst_a).get("/api/mutual-aid/needs")
    body = response.json()
    assert response.status_code == 200
    assert [(n["id"], n["first_name"], n["neighbourhood"], n["clock"]) for n in body["items"]] == [
        (need.public_id, "Ada", "Ward 0", "Due in 23 hours")
    ]
    assert ADDRESS not in response.content.decode() and PHONE not in response.content.decode()


def test_no_other_organisation_role_or_place_reaches_a_need_or_its_contact(world, areas):
    need = _need(world, areas[0])
    helper = factories.helper(world.place, world.org_a, home=areas[0])
    offer = factories.offer(helper, factories.category(world.place, "shopping"))
    callers = [
        _token(world.org_b),
        _token(world.org_a, Role.ANALYST),
        _token(world.org_a, Role.PARTNER_WORKER),
        session_client(world.worker_b),
        session_client(world.outsider),
    ]
    for client in callers:
        seen = [
            client.get(f"/api/mutual-aid/needs/{need.public_id}"),
            client.post(f"/api/mutual-aid/needs/{need.public_id}/contact"),
            client.get(f"/api/mutual-aid/needs/{need.public_id}/helpers"),
        ]
        assert [r.status_code for r in seen] == [404, 404, 404]
        listed = client.get("/api/mutual-aid/needs")
        offers = client.get("/api/mutual-aid/offers")
        # Settings hold no personal data; a place admin elsewhere reads their own place's.
        settings = client.get("/api/mutual-aid/settings")
        assert {listed.status_code, offers.status_code, settings.status_code} <= {200, 404}
        text = "".join(r.content.decode() for r in [*seen, listed, offers, settings])
        assert (ADDRESS in text, PHONE in text, need.public_id in text) == (False, False, False)
        assert (helper.phone in text, offer.public_id in text) == (False, False)


def test_the_contact_endpoint_is_audited_each_time(world, areas):
    need = _need(world, areas[0])
    client = _token(world.org_a)
    before = AuditEvent.objects.count()
    response = client.post(f"/api/mutual-aid/needs/{need.public_id}/contact")
    assert (response.status_code, response.json(), AuditEvent.objects.count()) == (
        200,
        {"address": ADDRESS, "phone": PHONE},
        before + 1,
    )


def test_record_a_need_by_phone_and_match_it_through_the_api(world, areas):
    helper = factories.helper(
        world.place, world.org_a, home=areas[0], checks=factories.full_checks()
    )
    factories.offer(helper, factories.category(world.place, "shopping"))
    client = session_client(world.manager_a)
    created = client.post(
        "/api/mutual-aid/needs",
        {
            "category": "shopping",
            "what": "Milk",
            "first_name": "Bo",
            "neighbourhood_id": areas[0].pk,
            "phone": PHONE,
        },
    )
    assert created.status_code == 201, created.content
    need_id = created.json()["id"]
    assert PHONE not in created.content.decode()
    helpers = client.get(f"/api/mutual-aid/needs/{need_id}/helpers").json()
    assert helpers == [{"id": helper.public_id, "first_name": "Sam", "neighbourhood": "Ward 0"}]
    match = client.post(f"/api/mutual-aid/needs/{need_id}/matches", {"helper": helper.public_id})
    assert match.status_code == 201
    match_id = match.json()["id"]
    for action, side in (("accept", "need"), ("accept", "helper")):
        assert (
            client.post(f"/api/mutual-aid/matches/{match_id}/{action}", {"side": side}).status_code
            == 200
        )
    done = client.post(f"/api/mutual-aid/matches/{match_id}/done", {})
    assert done.json()["status"] == "done"
    stats = client.get("/api/mutual-aid/time-to-match").json()
    assert (stats["matched"], stats["waiting"]) == (1, 0)


def test_bad_input_is_a_400_in_the_usual_shape(world, areas):
    factories.category(world.place, "shopping")
    client = session_client(world.manager_a)
    response = client.post(
        "/api/mutual-aid/needs", {"category": "nope", "what": "x", "first_name": "Bo"}
    )
    assert response.status_code == 400
    assert [e["field"] for e in json.loads(response.content)["errors"]] == ["category"]
