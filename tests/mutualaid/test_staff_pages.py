"""The coordinators' pages and API for needs recorded by staff (a phone call, a text, on
someone's behalf), offers of help, and the place's mutual-aid settings: who reaches each,
that no list or API answer carries a phone or an address, that bad input keeps what was
typed and saves nothing, and that each change is audited."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import ResidentFactory
from commonweave.messaging.enums import Direction, MessageKind, MessageStatus, ProviderName
from commonweave.messaging.models import TextMessage
from commonweave.mutualaid import services
from commonweave.mutualaid.enums import AidFrontDoor, Kind
from commonweave.mutualaid.models import PlaceSettings, Request, RequestContact
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from tests.api.conftest import session_client, token_client
from tests.conftest import assert_access, client_for

from . import factories

ADDRESS = "12 Hidden Lane"
PHONE = "07700 900555"
HELPER_PHONE = "07700 900123"  # factories.helper's number
NEW = "/mutual-aid/needs/new/"


def _need_data(cat, **extra):
    return {
        "front_door": "phone",
        "first_name": "Bea",
        "category": cat.pk,
        "what": "A lift to the surgery",
        "skills": "driving, patience",
        "when": "morning",
        "urgency": "routine",
        "language": "",
        "phone": PHONE,
        "address": ADDRESS,
        **extra,
    }


def _text(resident, body="Could someone get my shopping? I am stuck in", phone="+447700900777"):
    return TextMessage.objects.create(
        place=resident.place,
        resident=resident,
        direction=Direction.IN,
        kind=MessageKind.TEXT,
        provider=ProviderName.FAKE,
        phone=phone,
        body=body,
        status=MessageStatus.RECEIVED,
    )


# --- a need recorded by staff ----------------------------------------------------------------


def test_every_caseworker_may_record_a_need_for_their_own_organisation(world):
    caseworkers = {"catalyst_a": 200, "manager_a": 200, "catalyst_b": 200, "outsider": 200}
    assert_access(world, "get", NEW, caseworkers)


def test_a_phone_call_becomes_a_need_with_its_contact_kept_apart_and_audited(world, areas):
    cat = factories.category(world.place, "lift")
    client = client_for(world.catalyst_a)
    before = AuditEvent.objects.count()
    response = client.post(NEW, _need_data(cat, neighbourhood=areas[1].pk))
    need = Request.objects.get(place=world.place, kind=Kind.NEED)
    assert (response.status_code, response["Location"]) == (
        302,
        f"/mutual-aid/needs/{need.public_id}/",
    )
    assert (
        need.first_name,
        need.front_door,
        need.organisation,
        need.neighbourhood,
        need.skills,
        need.when,
        need.created_by,
    ) == (
        "Bea",
        AidFrontDoor.PHONE,
        world.org_a,
        areas[1],
        ["driving", "patience"],
        "morning",
        world.catalyst_a,
    )
    assert (need.contact.phone, need.contact.address) == (PHONE, ADDRESS)
    assert list(
        AuditEvent.objects.filter(pk__gt=0)
        .order_by("pk")[before:]
        .values_list("action", "object_id")
    ) == [("create", need.public_id)]
    for page in (client.get("/mutual-aid/needs/"), client.get(response["Location"])):
        body = page.content.decode()
        assert (page.status_code, PHONE in body, ADDRESS in body) == (200, False, False)


def test_bad_input_says_what_is_wrong_keeps_what_was_typed_and_saves_nothing(world, areas):
    cat = factories.category(world.place, "lift")
    elsewhere = factories.neighbourhood(world.other_place, "Far Ward")
    client = client_for(world.catalyst_a)
    response = client.post(
        NEW, _need_data(cat, what="", first_name="Beatrix", neighbourhood=elsewhere.pk)
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Say what help is needed" in html and "Choose an area in this place" in html
    assert 'value="Beatrix"' in html and PHONE in html and "driving, patience" in html
    assert (Request.objects.count(), RequestContact.objects.count()) == (0, 0)
    # A category from another place, nonsense in a choice: a message, never a 500.
    other = factories.category(world.other_place, "lift")
    response = client.post(NEW, _need_data(other, when="midnight", urgency="?"))
    assert response.status_code == 400
    assert "Choose the kind of help" in response.content.decode()
    assert Request.objects.count() == 0


def test_a_need_on_a_residents_behalf_is_for_the_caseworkers_holding_them(world, resident_a):
    url = f"{NEW}?resident={resident_a.public_id}"
    assert_access(world, "get", url, {"catalyst_a": 200, "manager_a": 200})
    cat = factories.category(world.place, "shopping")
    before = AuditEvent.objects.filter(resident_id=resident_a.public_id).count()
    page = client_for(world.catalyst_a).get(url)
    # Opening the form reads their record: one audited view.
    assert AuditEvent.objects.filter(resident_id=resident_a.public_id).count() == before + 1
    first = resident_a.display_name.split()[0]
    assert f'value="{first}"' in page.content.decode()
    response = client_for(world.catalyst_a).post(
        url, _need_data(cat, front_door="catalyst", first_name=first, phone="", address="")
    )
    assert response.status_code == 302
    need = Request.objects.get(kind=Kind.NEED)
    assert (need.resident, need.front_door, hasattr(need, "contact")) == (
        resident_a,
        AidFrontDoor.CATALYST,
        False,
    )
    # Another organisation's caseworker cannot attach it to the resident even by POST.
    assert client_for(world.catalyst_b).post(url, _need_data(cat)).status_code == 404
    assert Request.objects.count() == 1


def test_a_received_text_prefills_the_need(world, resident_a):
    text = _text(resident_a)
    url = f"{NEW}?resident={resident_a.public_id}&text={text.public_id}"
    assert_access(world, "get", url, {"catalyst_a": 200, "manager_a": 200})
    html = client_for(world.catalyst_a).get(url).content.decode()
    assert "Could someone get my shopping? I am stuck in" in html
    assert 'value="+447700900777"' in html
    assert 'name="front_door" type="radio" value="text" checked' in html
    cat = factories.category(world.place, "shopping")
    response = client_for(world.catalyst_a).post(
        url,
        _need_data(cat, front_door="text", what=text.body, phone=text.phone, address=""),
    )
    assert response.status_code == 302
    need = Request.objects.get(kind=Kind.NEED)
    assert (need.front_door, need.resident, need.contact.phone) == (
        AidFrontDoor.TEXT,
        resident_a,
        "+447700900777",
    )


def test_a_text_the_viewer_may_not_see_is_a_404(world, resident_a):
    other = ResidentFactory(organisation=world.org_b, catalyst=world.catalyst_b)
    theirs = _text(other)
    sent = TextMessage.objects.create(
        place=world.place,
        resident=resident_a,
        direction=Direction.OUT,
        kind=MessageKind.REPLY,
        provider=ProviderName.FAKE,
        phone="+447700900777",
        body="We will call you",
        status=MessageStatus.SENT,
    )
    client = client_for(world.catalyst_a)
    for url in (
        f"{NEW}?resident={resident_a.public_id}&text={theirs.public_id}",  # not theirs
        f"{NEW}?resident={other.public_id}&text={theirs.public_id}",  # another organisation's
        f"{NEW}?resident={resident_a.public_id}&text={sent.public_id}",  # one we sent
        f"{NEW}?text={theirs.public_id}",  # a text alone names nobody we hold
        f"{NEW}?resident=nobody",
    ):
        assert (url, client.get(url).status_code) == (url, 404)


def test_the_thread_links_a_received_text_to_a_new_need(world, resident_a):
    text = _text(resident_a)
    html = client_for(world.catalyst_a).get(f"/messages/residents/{resident_a.public_id}/").content
    link = f"/mutual-aid/needs/new/?resident={resident_a.public_id}&amp;text={text.public_id}"
    assert link in html.decode()


def test_the_needs_list_links_to_new_need_offers_and_settings_for_place_admins(world):
    admin = client_for(world.manager_a).get("/mutual-aid/needs/").content.decode()
    catalyst = client_for(world.catalyst_a).get("/mutual-aid/needs/").content.decode()
    for html in (admin, catalyst):
        assert NEW in html and "/mutual-aid/offers/" in html
    assert ("/mutual-aid/settings/" in admin, "/mutual-aid/settings/" in catalyst) == (True, False)


# --- offers ----------------------------------------------------------------------------------


@pytest.fixture
def offered(world, areas):
    """A helper of organisation A with an open offer, and one of organisation B."""
    cat = factories.category(world.place, "shopping")
    ours = factories.helper(world.place, world.org_a, home=areas[0], first_name="Olu")
    theirs = factories.helper(world.place, world.org_b, home=areas[1], first_name="Bryn")
    return cat, ours, theirs, factories.offer(ours, cat), factories.offer(theirs, cat)


def test_the_offers_list_shows_the_organisations_own_helpers_without_a_phone(world, offered):
    _cat, _ours, _theirs, _mine, _other = offered
    assert_access(
        world,
        "get",
        "/mutual-aid/offers/",
        {"catalyst_a": 200, "manager_a": 200, "catalyst_b": 200, "outsider": 200},
    )
    html = client_for(world.catalyst_a).get("/mutual-aid/offers/").content.decode()
    assert ("Olu" in html, "Bryn" in html, "Ward 0" in html, "Shopping drop-off" in html) == (
        True,
        False,
        True,
        True,
    )
    assert HELPER_PHONE not in html
    other = client_for(world.catalyst_b).get("/mutual-aid/offers/").content.decode()
    assert ("Olu" in other, "Bryn" in other) == (False, True)


def test_the_offers_list_costs_the_same_queries_for_one_offer_or_twenty(world, offered, areas):
    cat, ours, *_rest = offered
    client = client_for(world.catalyst_a)
    client.get("/mutual-aid/offers/")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/mutual-aid/offers/").status_code == 200
        return len(queries)

    one = count()
    for i in range(19):
        helper = factories.helper(world.place, world.org_a, home=areas[i % 3], first_name=f"X{i}")
        factories.offer(helper, cat)
    assert count() == one


def test_a_caseworker_records_an_offer_for_their_own_helper_only(world, offered):
    cat, ours, theirs, *_offers = offered
    url = f"/mutual-aid/offers/new/?helper={ours.public_id}"
    assert_access(world, "get", url, {"catalyst_a": 200, "manager_a": 200})
    client = client_for(world.catalyst_a)
    assert client.get(f"/mutual-aid/offers/new/?helper={theirs.public_id}").status_code == 404
    before = AuditEvent.objects.count()
    response = client.post(
        url, {"category": cat.pk, "what": "Big shop on Saturdays", "skills": "", "when": "weekend"}
    )
    assert response.status_code == 302
    offer = Request.objects.get(kind=Kind.OFFER, what="Big shop on Saturdays")
    assert (
        offer.volunteer,
        offer.organisation,
        offer.first_name,
        offer.neighbourhood,
        offer.when,
        offer.due_at,
        RequestContact.objects.filter(request=offer).exists(),
    ) == (ours, world.org_a, "Olu", ours.home, "weekend", None, False)
    assert AuditEvent.objects.count() == before + 1


def test_an_offer_with_bad_input_keeps_what_was_typed(world, offered):
    _cat, ours, theirs, *_offers = offered
    client = client_for(world.catalyst_a)
    count = Request.objects.count()
    response = client.post(
        f"/mutual-aid/offers/new/?helper={ours.public_id}",
        {"what": "Dog walks near the park", "when": "any"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose the kind of help" in html and "Dog walks near the park" in html
    # Without ?helper= the helper is chosen on the form: only one of their own.
    response = client.post(
        "/mutual-aid/offers/new/", {"helper": theirs.public_id, "what": "x", "when": "any"}
    )
    assert response.status_code == 400
    assert "Choose one of your helpers" in response.content.decode()
    assert Request.objects.count() == count


def _token(org, role=Role.CATALYST):
    _, raw = issue_api_token(organisation=org, name="Partner system", role=role)
    return token_client(raw)


def test_the_offers_api_lists_and_records_offers_without_a_phone(world, offered, areas):
    cat, ours, theirs, mine, _other = offered
    client = _token(world.org_a)
    listed = client.get("/api/mutual-aid/offers")
    body = listed.json()
    assert listed.status_code == 200
    assert [(o["id"], o["helper_first_name"], o["neighbourhood"]) for o in body["items"]] == [
        (mine.public_id, "Olu", "Ward 0")
    ]
    assert (body["count"], body["page"], body["pages"]) == (1, 1, 1)
    created = client.post(
        "/api/mutual-aid/offers",
        {
            "helper": ours.public_id,
            "category": "shopping",
            "what": "Prescriptions",
            "skills": ["driving"],
        },
    )
    assert created.status_code == 201, created.content
    assert (created.json()["skills"], created.json()["neighbourhood"]) == (["driving"], "Ward 0")
    for answer in (listed, created, client.get("/api/mutual-aid/offers")):
        assert HELPER_PHONE not in answer.content.decode()
    # Another organisation's helper, a category that does not exist.
    assert (
        client.post(
            "/api/mutual-aid/offers",
            {"helper": theirs.public_id, "category": "shopping", "what": "x"},
        ).status_code
        == 404
    )
    bad = client.post(
        "/api/mutual-aid/offers", {"helper": ours.public_id, "category": "nope", "what": "x"}
    )
    assert (bad.status_code, [e["field"] for e in bad.json()["errors"]]) == (400, ["category"])


def test_no_other_role_organisation_or_place_lists_or_records_our_offers(world, offered):
    _cat, ours, _theirs, mine, _other = offered
    for client in (
        _token(world.org_a, Role.ANALYST),
        _token(world.org_a, Role.PARTNER_WORKER),
        session_client(world.worker_b),
        session_client(world.outsider),
        session_client(world.catalyst_b),
    ):
        listed = client.get("/api/mutual-aid/offers")
        assert listed.status_code in (200, 404)
        assert mine.public_id not in listed.content.decode()
        made = client.post(
            "/api/mutual-aid/offers",
            {"helper": ours.public_id, "category": "shopping", "what": "x"},
        )
        assert made.status_code == 404
    assert Request.objects.filter(kind=Kind.OFFER).count() == 2


# --- the place's settings --------------------------------------------------------------------

SETTINGS = "/mutual-aid/settings/"


def _settings_data(**extra):
    return {
        "alerts_per_need": "5",
        "promise_hours": "24",
        "urgent_promise_hours": "3",
        "reach_km": "3.0",
        "safeguarding_lead": "",
        **extra,
    }


def test_only_place_admins_reach_the_settings_of_their_own_place(world):
    services.place_settings_update(viewer=world.viewer(world.manager_a), alerts_per_need=17)
    # manager_a runs Testford; outsider runs Elsewhere (and sees Elsewhere's settings).
    assert_access(world, "get", SETTINGS, {"manager_a": 200, "outsider": 200})
    assert 'value="17"' in client_for(world.manager_a).get(SETTINGS).content.decode()
    assert 'value="17"' not in client_for(world.outsider).get(SETTINGS).content.decode()
    assert_access(
        world, "post", SETTINGS, {"manager_a": 302, "outsider": 302}, data=_settings_data()
    )


def test_a_place_admin_changes_the_settings_and_each_change_is_audited(world):
    client = client_for(world.manager_a)
    before = AuditEvent.objects.count()
    response = client.post(
        SETTINGS,
        _settings_data(
            alerts_per_need="8",
            reach_km="4.5",
            peer_to_peer="on",
            safeguarding_lead=str(world.catalyst_a.pk),
        ),
    )
    assert response.status_code == 302
    row = PlaceSettings.objects.get(place=world.place)
    assert (row.alerts_per_need, row.reach_km, row.peer_to_peer, row.safeguarding_lead) == (
        8,
        4.5,
        True,
        world.catalyst_a,
    )
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.detail) for e in events] == [
        (
            "update",
            {"settings": ["alerts_per_need", "peer_to_peer", "reach_km", "safeguarding_lead"]},
        )
    ]
    # Saving again without a change writes nothing.
    client.post(
        SETTINGS,
        _settings_data(
            alerts_per_need="8",
            reach_km="4.5",
            peer_to_peer="on",
            safeguarding_lead=str(world.catalyst_a.pk),
        ),
    )
    assert AuditEvent.objects.count() == before + 1


def test_bad_settings_say_why_keep_what_was_typed_and_change_nothing(world):
    client = client_for(world.manager_a)
    response = client.post(
        SETTINGS,
        _settings_data(
            alerts_per_need="0",
            urgent_promise_hours="30",
            promise_hours="12",
            safeguarding_lead=str(world.outsider.pk),  # works in another place
        ),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="0"' in html and 'value="30"' in html
    assert "Choose someone who works in this place" in html
    row = services.place_settings(world.place)
    assert (row.alerts_per_need, row.promise_hours, row.safeguarding_lead) == (5, 24, None)
    response = client.post(SETTINGS, _settings_data(urgent_promise_hours="30", promise_hours="12"))
    assert response.status_code == 400
    assert "cannot be longer than the usual promise" in response.content.decode()


def test_the_settings_api_is_for_place_admins_only(world):
    admin = session_client(world.manager_a)
    got = admin.get("/api/mutual-aid/settings")
    assert (got.status_code, got.json()["alerts_per_need"], got.json()["peer_to_peer"]) == (
        200,
        5,
        False,
    )
    before = AuditEvent.objects.count()
    changed = admin.patch(
        "/api/mutual-aid/settings",
        {"peer_to_peer": True, "safeguarding_lead": world.catalyst_a.pk},
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["peer_to_peer"], changed.json()["safeguarding_lead"]) == (
        True,
        world.catalyst_a.pk,
    )
    assert AuditEvent.objects.count() == before + 1
    bad = admin.patch("/api/mutual-aid/settings", {"alerts_per_need": 21})
    assert bad.status_code == 400
    outsider_lead = admin.patch(
        "/api/mutual-aid/settings", {"safeguarding_lead": world.outsider.pk}
    )
    assert [e["field"] for e in outsider_lead.json()["errors"]] == ["safeguarding_lead"]
    for client in (
        session_client(world.catalyst_a),
        session_client(world.worker_b),
        session_client(world.analyst),
        _token(world.org_a),
        _token(world.org_b),
    ):
        assert client.get("/api/mutual-aid/settings").status_code == 404
        assert client.patch("/api/mutual-aid/settings", {"peer_to_peer": False}).status_code == 404
    assert services.place_settings(world.place).peer_to_peer is True
