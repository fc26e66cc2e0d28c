"""Suggestions through the API (open to anyone, with the suggest page's spam trap and
hourly limit; reviewed by coordinators with a reason), imports as background jobs with
their per-record report, and exports."""

import json

import pytest

from commonweave.demo import directory as demo
from commonweave.directory.importer import CSV_FIELDS
from commonweave.directory.models import ChangeRecord, DirectoryImport, Service, Suggestion
from commonweave.tenancy.enums import Role

from .api_helpers import NOT_FOUND, anonymous, api, fields_named
from .test_import_export import messy_feed

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(world):
    demo.generate_directory(world.place, services=10, locations=4)
    return world.place


@pytest.fixture
def coordinator(world):
    return api(world.org_a, Role.COORDINATOR)


# --- suggestions ---------------------------------------------------------------------------


def test_anyone_suggests_a_new_entry_without_an_account(world, directory):
    response = anonymous().post(
        "/api/directory/suggestions",
        {"place": "testford", "name": "Friday chess club", "url": "https://example.org/chess"},
    )
    assert (response.status_code, response.json()["detail"][:9]) == (202, "Thank you")
    suggestion = Suggestion.objects.get()
    assert (suggestion.service, suggestion.proposed["name"], suggestion.proposed["kind"]) == (
        None,
        "Friday chess club",
        "group",
    )


def test_a_correction_keeps_only_what_differs(world, directory):
    entry = Service.objects.filter(place=directory).first()
    response = anonymous().post(
        "/api/directory/suggestions",
        {"place": "testford", "entry_id": str(entry.pk), "is_free": not entry.is_free},
    )
    assert response.status_code == 202
    assert Suggestion.objects.get().proposed == {"is_free": not entry.is_free}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"place": "nowhere", "name": "Chess"}, "place"),
        ({"place": "testford"}, "name"),
        ({"place": "testford", "name": "Chess", "url": "javascript:alert(1)"}, "url"),
        ({"place": "testford", "name": "Chess", "kind": "castle"}, "kind"),
        (
            {"place": "testford", "name": "Chess", "entry_id": "00000000-0000-4000-8000-00000000"},
            "entry_id",
        ),
    ],
)
def test_a_bad_suggestion_is_a_400_naming_the_field(world, directory, body, field):
    response = anonymous().post("/api/directory/suggestions", body)
    assert (response.status_code, fields_named(response)) == (400, [field])
    assert not Suggestion.objects.exists()
    assert b"javascript" not in response.content


def test_the_spam_trap_and_the_hourly_limit_apply_as_on_the_page(world, directory):
    client = anonymous()
    trapped = client.post(
        "/api/directory/suggestions",
        {"place": "testford", "name": "Cheap pills", "website_address": "http://spam.example"},
    )
    assert trapped.status_code == 202 and not Suggestion.objects.exists()
    body = {"place": "testford", "name": "Knitting circle"}
    answers = [client.post("/api/directory/suggestions", body).status_code for _ in range(21)]
    assert answers == [202] * 20 + [429]
    assert Suggestion.objects.count() == 20
    # The page and the API share the limit: the page is refused too.
    page = client.client.post("/directory/testford/suggest/", {"name": "x", "kind": "group"})
    assert page.status_code == 429


def test_coordinators_review_suggestions_with_a_reason(world, directory, coordinator):
    entry = Service.objects.filter(place=directory).first()
    anonymous().post(
        "/api/directory/suggestions",
        {"place": "testford", "entry_id": str(entry.pk), "name": "Renamed by a neighbour"},
    )
    suggestion = Suggestion.objects.get()
    listed = coordinator.get("/api/directory/suggestions").json()
    assert [item["id"] for item in listed["items"]] == [suggestion.public_id]
    detail = coordinator.get(f"/api/directory/suggestions/{suggestion.public_id}").json()
    assert detail["rows"] == [
        {
            "field": "name",
            "label": "Name",
            "current": entry.name,
            "proposed": "Renamed by a neighbour",
        }
    ]
    url = f"/api/directory/suggestions/{suggestion.public_id}/review"
    unexplained = coordinator.post(url, {"decision": "accept", "reason": " "})
    assert (unexplained.status_code, fields_named(unexplained)) == (400, ["reason"])
    accepted = coordinator.post(url, {"decision": "accept", "reason": "Checked with the group"})
    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")
    entry.refresh_from_db()
    assert entry.name == "Renamed by a neighbour"
    change = ChangeRecord.objects.get(object_id=str(entry.pk), action="suggestion")
    assert "Checked with the group" in change.note
    again = coordinator.post(url, {"decision": "reject", "reason": "Changed my mind"})
    assert (again.status_code, fields_named(again)) == (400, ["__all__"])
    assert coordinator.get("/api/directory/suggestions").json()["items"] == []


def test_only_the_places_editors_see_and_review_suggestions(world, directory):
    anonymous().post("/api/directory/suggestions", {"place": "testford", "name": "Chess"})
    suggestion = Suggestion.objects.get()
    elsewhere = api(world.outsider.memberships.first().organisation, Role.COORDINATOR)
    for client in [
        api(world.org_a, Role.CATALYST),
        api(world.org_a, Role.ANALYST),
        api(world.org_b),
        elsewhere,
    ]:
        responses = [
            client.get(f"/api/directory/suggestions/{suggestion.public_id}"),
            client.post(
                f"/api/directory/suggestions/{suggestion.public_id}/review",
                {"decision": "accept", "reason": "Looks fine"},
            ),
        ]
        if client is not elsewhere:
            responses.append(client.get("/api/directory/suggestions"))
        for response in responses:
            assert (response.status_code, response.json()) == (404, NOT_FOUND)
    # Another place's coordinator reviews their own place's suggestions: none of these.
    assert elsewhere.get("/api/directory/suggestions").json()["items"] == []
    suggestion.refresh_from_db()
    assert suggestion.status == "pending"


# --- imports -------------------------------------------------------------------------------


def test_an_oruk_feed_in_the_body_runs_as_a_job_with_its_report(world, coordinator):
    response = coordinator.post(
        "/api/directory/imports", {"source": "oruk_json", "feed": messy_feed()}
    )
    assert response.status_code == 202
    body = response.json()
    imp = DirectoryImport.objects.get()
    assert (body["id"], body["job"]["id"]) == (imp.public_id, imp.job.public_id)
    # The task backend in tests runs the job at once; poll it as a client would.
    polled = coordinator.get(f"/api/directory/imports/{imp.public_id}", size=2).json()
    assert (polled["state"], polled["job"]["status"], polled["job"]["percent"]) == (
        "done",
        "done",
        100,
    )
    report = polled["report"]
    assert (report["created"], report["rejected"]["count"], report["rejected"]["pages"]) == (
        5,
        2,
        1,
    )
    assert (report["records"], report["stored"], report["stored_with_warnings"]) == (7, 5, 3)
    assert report["rejected"]["items"] == [
        {
            "record": 2,
            "id": "11111111-1111-4111-8111-111111111111",
            "reason": "duplicate id: this id appeared earlier in the feed",
            "field": "id",
        },
        {
            "record": 3,
            "id": "33333333-3333-4333-8333-333333333333",
            "reason": "the service has no name",
            "field": "name",
        },
    ]
    assert {(w["record"], w["field"]) for w in report["warned"]} == {
        (4, "location postal_code"),
        (5, "url"),
        (6, "id"),
    }
    # Sending the same feed again changes nothing.
    again = coordinator.post(
        "/api/directory/imports", {"source": "oruk_json", "feed": messy_feed()}
    )
    report = coordinator.get(f"/api/directory/imports/{again.json()['id']}").json()["report"]
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 5)
    listed = coordinator.get("/api/directory/imports").json()
    assert [item["id"] for item in listed["items"]] == [again.json()["id"], imp.public_id]


def test_a_csv_in_the_body_with_its_column_mapping(world, coordinator):
    text = "Group,About,Post code\nChess club,Friday nights,OL1 1AA\nSewing bee,,OL1 1AB\n"
    response = coordinator.post(
        "/api/directory/imports",
        {"source": "csv", "csv": text, "mapping": {"name": "Group", "description": "About"}},
    )
    assert response.status_code == 202
    body = response.json()
    assert body["mapping"]["postcode"] == "Post code"  # guessed from the header row
    assert (body["state"], body["report"]["created"]) == ("done", 2)
    assert Service.objects.get(name="Chess club").description == "Friday nights"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"source": "csv", "csv": "Group\nChess\n", "mapping": {"title": "Group"}},
            "mapping.title",
        ),
        ({"source": "csv", "csv": "Group\nChess\n", "mapping": {"name": "Team"}}, "mapping.name"),
        ({"source": "csv", "csv": "Group\nChess\n"}, "mapping.name"),
        ({"source": "csv", "csv": ""}, "csv"),
        ({"source": "csv", "feed": []}, "feed"),
        ({"source": "oruk_json", "feed": "not a feed"}, "feed"),
        ({"source": "url", "url": "ftp://example.org/feed.json"}, "url"),
        ({"source": "url"}, "url"),
        ({"source": "zip"}, "source"),
    ],
)
def test_a_bad_import_request_is_a_400_naming_the_field(world, coordinator, body, field):
    response = coordinator.post("/api/directory/imports", body)
    assert response.status_code == 400
    assert field in fields_named(response)
    assert not DirectoryImport.objects.exists()


def test_a_feed_address_on_a_private_network_is_reported_not_fetched(world, coordinator):
    response = coordinator.post(
        "/api/directory/imports", {"source": "url", "url": "http://127.0.0.1:9/feed.json"}
    )
    assert response.status_code == 202
    body = response.json()
    assert (body["state"], body["report"]["rejected"]["items"]) == (
        "failed",
        [{"record": 0, "id": "", "reason": "the address is on a private network", "field": ""}],
    )


def test_only_the_places_editors_import(world, coordinator):
    started = coordinator.post("/api/directory/imports", {"source": "oruk_json", "feed": []})
    public_id = started.json()["id"]
    for client in [
        api(world.org_a, Role.CATALYST),
        api(world.org_a, Role.ANALYST),
        api(world.org_b),
    ]:
        for response in [
            client.post("/api/directory/imports", {"source": "oruk_json", "feed": []}),
            client.get("/api/directory/imports"),
            client.get(f"/api/directory/imports/{public_id}"),
        ]:
            assert (response.status_code, response.json()) == (404, NOT_FOUND)
    # Another place's admin imports into their own place and sees none of this one's.
    elsewhere = api(world.outsider.memberships.first().organisation, Role.PLACE_ADMIN)
    response = elsewhere.get(f"/api/directory/imports/{public_id}")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert elsewhere.get("/api/directory/imports").json()["items"] == []
    assert DirectoryImport.objects.count() == 1


# --- exports -------------------------------------------------------------------------------


def test_exports_are_the_tokens_places_directory(world, directory):
    client = api(world.org_b)
    as_json = client.get("/api/directory/exports/json")
    assert as_json.status_code == 200
    assert {s["id"] for s in as_json.json()} == {
        str(pk) for pk in Service.objects.filter(place=directory).values_list("pk", flat=True)
    }
    as_csv = client.get("/api/directory/exports/csv")
    assert as_csv["Content-Type"].startswith("text/csv")
    assert as_csv.content.decode().splitlines()[0] == ",".join(CSV_FIELDS)
    geo = json.loads(client.get("/api/directory/exports/geojson").content)
    assert geo["type"] == "FeatureCollection" and geo["features"]
    assert client.get("/api/directory/exports/xlsx").status_code == 404
    # Another place's token exports its own (empty) directory, never this one.
    elsewhere = world.outsider.memberships.first().organisation
    assert api(elsewhere).get("/api/directory/exports/json").json() == []
