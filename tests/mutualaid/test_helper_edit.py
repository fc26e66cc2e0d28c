"""A helper's profile kept by their organisation: the edit page, pausing and resuming, and
the helpers API (profile, audited phone reveal, checks). Only the holding organisation's
caseworkers reach any of it; every other role, organisation and place gets a 404 and
never a helper's phone."""

import datetime
import json

import pytest
from django.utils import timezone

from commonweave.audit.models import AuditEvent
from commonweave.mutualaid import selectors
from commonweave.mutualaid.enums import AidFrontDoor, Kind, RiskTier
from commonweave.mutualaid.models import Request, Volunteer, VolunteerChecks
from commonweave.mutualaid.services import request_create
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from commonweave.tenancy.viewer import public_viewer
from tests.api.conftest import session_client, token_client
from tests.conftest import assert_access, client_for

from . import factories

PHONE = "07700 900123"  # factories.helper's


@pytest.fixture
def helper(world, areas):
    return factories.helper(
        world.place, world.org_a, home=areas[0], checks=factories.full_checks(), first_name="Sam"
    )


def _token(org, role=Role.CATALYST):
    _, raw = issue_api_token(organisation=org, name="Partner system", role=role)
    return token_client(raw)


def _edit_data(areas, **extra):
    return {
        "first_name": "Samira",
        "phone": "07700 900999",
        "email": "samira@example.org",
        "skills": "driving, gardening",
        "home": areas[1].pk,
        "areas": [areas[0].pk, areas[2].pk],
        "when": "evening",
        "languages": "EN ur",
        **extra,
    }


# --- pages -----------------------------------------------------------------------------------


def test_only_the_holding_caseworkers_open_the_edit_page(world, helper):
    url = f"/mutual-aid/helpers/{helper.public_id}/edit/"
    assert_access(world, "get", url, {"catalyst_a": 200, "manager_a": 200})


def test_nobody_else_can_change_pause_or_raise_a_concern(world, helper, areas):
    base = f"/mutual-aid/helpers/{helper.public_id}"
    assert_access(
        world,
        "post",
        f"{base}/edit/",
        {"catalyst_a": 302, "manager_a": 302},
        data=_edit_data(areas),
    )
    helper.refresh_from_db()
    helper.first_name = "Sam"
    helper.save(update_fields=["first_name"])
    for name in ("worker_b", "catalyst_b", "analyst", "outsider"):
        client = client_for(world.personas[name])
        assert client.post(f"{base}/availability/", {"available": "no"}).status_code == 404
        assert client.get(f"{base}/concern/").status_code == 404
    helper.refresh_from_db()
    assert (helper.first_name, helper.available) == ("Sam", True)


def test_the_edit_page_shows_and_saves_the_profile_audited(world, helper, areas):
    client = client_for(world.catalyst_a)
    before = AuditEvent.objects.count()
    page = client.get(f"/mutual-aid/helpers/{helper.public_id}/edit/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="Sam"' in html and "Safeguarding checks" in html
    events = AuditEvent.objects.order_by("-pk")[:1]
    assert [(e.action, e.object_id) for e in events] == [("view", helper.public_id)]
    response = client.post(f"/mutual-aid/helpers/{helper.public_id}/edit/", _edit_data(areas))
    assert response.status_code == 302
    assert response["Location"] == f"/mutual-aid/helpers/{helper.public_id}/"
    helper.refresh_from_db()
    assert (
        helper.first_name,
        helper.phone,
        helper.email,
        helper.skills,
        helper.home,
        sorted(a.pk for a in helper.areas.all()),
        helper.when,
        helper.languages,
    ) == (
        "Samira",
        "07700 900999",
        "samira@example.org",
        ["driving", "gardening"],
        areas[1],
        [areas[0].pk, areas[2].pk],
        "evening",
        ["en", "ur"],
    )
    change = AuditEvent.objects.order_by("-pk").first()
    assert (change.action, change.object_id, change.detail) == (
        "update",
        helper.public_id,
        {
            "fields": [
                "areas",
                "email",
                "first_name",
                "home",
                "languages",
                "phone",
                "skills",
                "when",
            ]
        },
    )
    assert "07700 900999" not in json.dumps(change.detail)
    assert AuditEvent.objects.count() == before + 2


def test_bad_input_keeps_what_was_typed_and_says_why_by_the_field(world, helper, areas):
    client = client_for(world.manager_a)
    response = client.post(
        f"/mutual-aid/helpers/{helper.public_id}/edit/",
        _edit_data(areas, first_name="", email="not-an-email", phone="07700 900555"),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_first_name-error"' in html and "Enter a first name" in html
    assert 'id="id_email-error"' in html and "Enter an email address like" in html
    assert 'value="07700 900555"' in html and 'value="driving, gardening"' in html
    helper.refresh_from_db()
    assert (helper.first_name, helper.phone) == ("Sam", PHONE)


def test_the_helper_page_links_to_edit_and_pauses_and_resumes(world, helper, areas):
    cat = factories.category(world.place, "phone-chat")
    factories.offer(helper, cat)
    need = request_create(
        viewer=public_viewer(world.place),
        kind=Kind.NEED,
        category=cat,
        what="A chat",
        first_name="Ada",
        front_door=AidFrontDoor.PHONE,
        neighbourhood=areas[0],
        alert=False,
    )
    coordinator = world.viewer(world.manager_a)
    assert selectors.suggested_helpers(coordinator, need) == [helper]
    client = client_for(world.manager_a)
    page = client.get(f"/mutual-aid/helpers/{helper.public_id}/").content.decode()
    assert f"/mutual-aid/helpers/{helper.public_id}/edit/" in page and "Pause" in page
    response = client.post(f"/mutual-aid/helpers/{helper.public_id}/availability/", {})
    assert response.status_code == 302
    helper.refresh_from_db()
    assert helper.available is False
    assert selectors.suggested_helpers(coordinator, need) == []
    page = client.get(f"/mutual-aid/helpers/{helper.public_id}/").content.decode()
    assert "Paused" in page and "Resume" in page
    event = AuditEvent.objects.filter(action="update").order_by("-pk").first()
    assert event.detail == {"fields": ["available"]}
    client.post(f"/mutual-aid/helpers/{helper.public_id}/availability/", {"available": "yes"})
    helper.refresh_from_db()
    assert helper.available is True


def test_no_helper_page_shows_their_phone_to_anyone_but_their_caseworkers(world, helper):
    urls = [
        f"/mutual-aid/helpers/{helper.public_id}/",
        f"/mutual-aid/helpers/{helper.public_id}/edit/",
        f"/mutual-aid/helpers/{helper.public_id}/concern/",
        "/mutual-aid/helpers/",
    ]
    for name in ("anonymous", "worker_b", "catalyst_b", "analyst", "outsider"):
        client = client_for(world.personas[name])
        seen = "".join(client.get(url).content.decode() for url in urls)
        assert (name, PHONE in seen) == (name, False)
    assert PHONE in client_for(world.catalyst_a).get(urls[1]).content.decode()


# --- the API ---------------------------------------------------------------------------------


def test_the_api_lists_the_organisations_helpers_with_their_tier_and_no_phone(world, helper, areas):
    factories.helper(world.place, world.org_b, first_name="Bea")
    factories.helper(world.place, world.org_a, first_name="Ali")
    response = session_client(world.catalyst_a).get("/api/mutual-aid/helpers", size=1)
    body = response.json()
    assert response.status_code == 200
    assert (body["count"], body["pages"], [h["first_name"] for h in body["items"]]) == (
        2,
        2,
        ["Ali"],
    )
    second = session_client(world.catalyst_a).get("/api/mutual-aid/helpers", page=2).json()
    assert second["items"] == []  # size 50: everything was on page 1
    full = session_client(world.catalyst_a).get("/api/mutual-aid/helpers").json()["items"]
    assert [(h["first_name"], h["allowed_tier"], h["available"]) for h in full] == [
        ("Ali", RiskTier.NO_CONTACT, True),
        ("Sam", RiskTier.AT_RISK, True),
    ]
    assert PHONE not in response.content.decode()
    assert AuditEvent.objects.filter(action="list", object_type="mutualaid.volunteer").exists()


def test_the_api_creates_a_helper_and_answers_their_link_once(world, areas):
    client = session_client(world.manager_a)
    created = client.post(
        "/api/mutual-aid/helpers",
        {
            "first_name": "Nia",
            "phone": "07700 900777",
            "home_id": areas[0].pk,
            "area_ids": [areas[1].pk],
            "skills": ["driving"],
            "languages": ["EN", "pl"],
        },
    )
    body = created.json()
    assert created.status_code == 201, body
    volunteer = Volunteer.objects.get(public_id=body["id"])
    secret = body["link"].rstrip("/").rsplit("/", 1)[-1]
    assert volunteer.link_token_hash == Volunteer.hash_token(secret)
    assert (body["neighbourhood"], body["areas"], body["languages"], body["allowed_tier"]) == (
        "Ward 0",
        [{"id": areas[1].pk, "name": "Ward 1"}],
        ["en", "pl"],
        RiskTier.NO_CONTACT,
    )
    assert "07700 900777" not in created.content.decode()
    again = client.get(f"/api/mutual-aid/helpers/{volunteer.public_id}")
    assert "link" not in again.json() and secret not in again.content.decode()
    bad = client.post("/api/mutual-aid/helpers", {"first_name": "Nia", "home_id": 999999})
    assert (bad.status_code, [e["field"] for e in bad.json()["errors"]]) == (400, ["home_id"])


def test_the_phone_comes_only_from_the_audited_contact_endpoint(world, helper):
    client = _token(world.org_a)
    profile = client.get(f"/api/mutual-aid/helpers/{helper.public_id}")
    assert profile.status_code == 200
    assert PHONE not in profile.content.decode()
    before = AuditEvent.objects.count()
    contact = client.post(f"/api/mutual-aid/helpers/{helper.public_id}/contact")
    event = AuditEvent.objects.order_by("-pk").first()
    assert (contact.status_code, contact.json(), AuditEvent.objects.count()) == (
        200,
        {"phone": PHONE, "email": ""},
        before + 1,
    )
    assert (event.action, event.object_id, event.detail) == (
        "view",
        helper.public_id,
        {"reveal": "contact"},
    )


def test_patch_changes_only_what_is_sent_and_pauses(world, helper, areas):
    client = session_client(world.catalyst_a)
    response = client.patch(
        f"/api/mutual-aid/helpers/{helper.public_id}",
        {"skills": ["cooking"], "area_ids": [areas[2].pk], "available": False},
    )
    body = response.json()
    assert response.status_code == 200, body
    assert (body["first_name"], body["skills"], body["areas"], body["available"]) == (
        "Sam",
        ["cooking"],
        [{"id": areas[2].pk, "name": "Ward 2"}],
        False,
    )
    event = AuditEvent.objects.order_by("-pk").first()
    assert event.detail == {"fields": ["areas", "available", "skills"]}
    bad = client.patch(f"/api/mutual-aid/helpers/{helper.public_id}", {"first_name": ""})
    assert (bad.status_code, [e["field"] for e in bad.json()["errors"]]) == (400, ["first_name"])
    unknown = client.patch(f"/api/mutual-aid/helpers/{helper.public_id}", {"phone_number": "1"})
    assert unknown.status_code == 400
    email = client.patch(f"/api/mutual-aid/helpers/{helper.public_id}", {"email": "nope"})
    assert (email.status_code, [e["field"] for e in email.json()["errors"]]) == (400, ["email"])
    assert "nope" not in email.content.decode()


def test_checks_are_read_and_recorded_through_the_api_audited(world, helper):
    client = session_client(world.manager_a)
    url = f"/api/mutual-aid/helpers/{helper.public_id}/checks"
    read = client.get(url)
    assert (read.status_code, read.json()["dbs_type"], read.json()["allowed_tier"]) == (
        200,
        "enhanced_barred",
        RiskTier.AT_RISK,
    )
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.detail) == ("view", {"read": "checks"})
    today = timezone.localdate()
    put = client.client.put(
        url,
        data=json.dumps(
            {
                "references_checked_on": str(today - datetime.timedelta(days=3)),
                "training_completed_on": str(today - datetime.timedelta(days=3)),
            }
        ),
        content_type="application/json",
    )
    assert (put.status_code, put.json()["allowed_tier"]) == (200, RiskTier.DOORSTEP)
    checks = VolunteerChecks.objects.get(volunteer=helper)
    assert (checks.dbs_type, checks.dbs_issued_on) == ("", None)
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, "references_checked_on" in event.detail["checks"]) == ("update", True)
    future = client.client.put(
        url,
        data=json.dumps({"training_completed_on": str(today + datetime.timedelta(days=3))}),
        content_type="application/json",
    )
    assert (future.status_code, [e["field"] for e in future.json()["errors"]]) == (
        400,
        ["training_completed_on"],
    )


def test_no_other_organisation_role_or_place_reaches_a_helper_through_the_api(world, helper):
    callers = {
        "token_b": _token(world.org_b),
        "analyst_token": _token(world.org_a, Role.ANALYST),
        "partner_token": _token(world.org_a, Role.PARTNER_WORKER),
        "worker_b": session_client(world.worker_b),
        "catalyst_b": session_client(world.catalyst_b),
        "analyst": session_client(world.analyst),
        "outsider": session_client(world.outsider),
        "other_place_token": _token(world.other_place.lead_organisation),
    }
    base = f"/api/mutual-aid/helpers/{helper.public_id}"
    for name, client in callers.items():
        answers = [
            client.get(base),
            client.patch(base, {"first_name": "X"}),
            client.post(f"{base}/contact"),
            client.get(f"{base}/checks"),
        ]
        listed = client.get("/api/mutual-aid/helpers")
        text = "".join(r.content.decode() for r in [*answers, listed])
        assert (name, [r.status_code for r in answers]) == (name, [404, 404, 404, 404])
        assert (name, PHONE in text, helper.public_id in text) == (name, False, False)
    helper.refresh_from_db()
    assert helper.first_name == "Sam"
    assert Request.objects.count() == 0
