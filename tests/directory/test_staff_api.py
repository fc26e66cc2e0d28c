"""The directory's staff API: every capability in the OpenAPI schema; entries searched as
the search page searches, read, added and changed under the edit page's rules with their
history, marked checked and listed when due for review; a confidential address shown to
no one but the editors the edit page shows it to; another place's token finds nothing."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from commonweave.demo import directory as demo
from commonweave.directory.models import ChangeRecord, Location, Service, TaxonomyTerm
from commonweave.tenancy.enums import Role

from .api_helpers import NOT_FOUND, anonymous, api, fields_named, queries_for

pytestmark = pytest.mark.django_db

MARKER = "Refuge-Marker-7Q2 Hidden Lane"


@pytest.fixture
def directory(world):
    demo.generate_directory(world.place, services=30, locations=12)
    return world.place


@pytest.fixture
def coordinator(world):
    return api(world.org_a, Role.COORDINATOR)


def _entry_body(**extra):
    return {
        "name": "Thursday lunch club",
        "kind": "group",
        "description": "Hot lunch and company",
        "is_free": True,
        "languages": ["en", "ur"],
        **extra,
    }


# --- the schema ----------------------------------------------------------------------------


def test_every_directory_endpoint_is_in_the_schema_with_a_tag(db):
    schema = Client().get("/api/openapi.json").json()
    operations = {
        (path, method): op
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if "/directory" in path
    }
    assert set(operations) == {
        ("/api/directory/entries", "get"),
        ("/api/directory/entries", "post"),
        ("/api/directory/entries/search", "post"),
        ("/api/directory/entries/due-for-review", "get"),
        ("/api/directory/entries/{entry_id}", "get"),
        ("/api/directory/entries/{entry_id}", "patch"),
        ("/api/directory/entries/{entry_id}/checked", "post"),
        ("/api/directory/entries/{entry_id}/history", "get"),
        ("/api/directory/suggestions", "post"),
        ("/api/directory/suggestions", "get"),
        ("/api/directory/suggestions/{public_id}", "get"),
        ("/api/directory/suggestions/{public_id}/review", "post"),
        ("/api/directory/connections", "post"),
        ("/api/residents/{public_id}/directory", "get"),
        ("/api/directory/follow-ups", "get"),
        ("/api/directory/follow-ups/{follow_up_id}", "get"),
        ("/api/directory/follow-ups/{follow_up_id}/answer", "post"),
        ("/api/directory/referrals", "post"),
        ("/api/directory/received-referrals", "get"),
        ("/api/directory/received-referrals/{public_id}", "get"),
        ("/api/directory/received-referrals/{public_id}/decision", "post"),
        ("/api/directory/imports", "post"),
        ("/api/directory/imports/upload", "post"),
        ("/api/directory/imports", "get"),
        ("/api/directory/imports/{public_id}", "get"),
        ("/api/directory/exports/{fmt}", "get"),
    }
    assert all(op["tags"][0].startswith("Directory: ") for op in operations.values())
    # Only suggesting is open to anyone; everything else needs a token or a session.
    public = {key for key, op in operations.items() if not op.get("security")}
    assert public == {("/api/directory/suggestions", "post")}


def test_without_a_token_or_session_the_api_answers_401(world, directory):
    assert anonymous().get("/api/directory/entries").status_code == 401


# --- finding -------------------------------------------------------------------------------


def test_text_search_tolerates_typos_and_filters_like_the_page(world, directory):
    client = api(world.org_b)  # any organisation of the place, any role
    body = client.get("/api/directory/entries", text="alotments").json()
    assert body["count"] >= 1
    assert all("llotment" in item["name"] for item in body["items"])
    free = client.get("/api/directory/entries", free="true", size=100).json()
    expected = Service.objects.filter(place=directory, status="active", is_free=True).count()
    assert free["count"] == expected
    assert all(item["is_free"] for item in free["items"])
    spaces = client.get("/api/directory/entries", kind="space", size=100).json()
    assert {item["kind"] for item in spaces["items"]} == {"space"}


def test_a_page_of_entries_costs_the_same_queries_at_any_size(world, directory):
    client = api(world.org_b)
    client.get("/api/directory/entries")  # the token's first use is recorded once
    small = queries_for(lambda: client.get("/api/directory/entries", size=3))
    large = queries_for(lambda: client.get("/api/directory/entries", size=30))
    assert small == large
    postcode = demo.synthetic_postcodes(1)[0][0]
    near_small = queries_for(
        lambda: client.post("/api/directory/entries/search?size=3", {"postcode": postcode})
    )
    near_large = queries_for(
        lambda: client.post("/api/directory/entries/search?size=30", {"postcode": postcode})
    )
    assert near_small == near_large


def test_search_near_a_postcode_is_a_post_and_sorts_by_distance(world, directory):
    postcode = demo.synthetic_postcodes(1)[0][0]
    response = api(world.org_a, Role.CATALYST).post(
        "/api/directory/entries/search?size=10", {"postcode": postcode, "free": True}
    )
    assert response.status_code == 200
    items = response.json()["items"]
    distances = [item["distance_m"] for item in items]
    assert distances and distances == sorted(distances)
    assert all(item["is_free"] for item in items)


def test_search_input_errors_name_the_field(world, directory):
    client = api(world.org_a, Role.CATALYST)
    unknown = client.post("/api/directory/entries/search", {"postcode": "ZZ9 9ZZ"})
    assert (unknown.status_code, fields_named(unknown)) == (400, ["postcode"])
    assert "could not find that postcode" in unknown.json()["errors"][0]["message"]
    half = client.post("/api/directory/entries/search", {"lat": 53.5})
    assert (half.status_code, fields_named(half)) == (400, ["lon"])
    category = client.get("/api/directory/entries", category="00000000-0000-4000-8000-000000000000")
    assert (category.status_code, fields_named(category)) == (400, ["category"])
    typo = client.post("/api/directory/entries/search", {"txet": "lunch"})
    assert (typo.status_code, fields_named(typo)) == (400, ["txet"])


def test_another_places_token_finds_none_of_this_places_entries(world, directory):
    demo.generate_directory(world.other_place, services=3, seed=9)
    entry = Service.objects.filter(place=directory).first()
    outsider = api(world.outsider.memberships.first().organisation, Role.COORDINATOR)
    listed = outsider.get("/api/directory/entries", size=100).json()
    assert {item["id"] for item in listed["items"]} == {
        str(pk)
        for pk in Service.objects.filter(place=world.other_place).values_list("pk", flat=True)
    }
    for method, url, body in [
        ("get", f"/api/directory/entries/{entry.pk}", None),
        ("patch", f"/api/directory/entries/{entry.pk}", {"name": "Taken over"}),
        ("post", f"/api/directory/entries/{entry.pk}/checked", None),
        ("get", f"/api/directory/entries/{entry.pk}/history", None),
    ]:
        response = getattr(outsider, method)(url, body) if body else getattr(outsider, method)(url)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), url
    entry.refresh_from_db()
    assert entry.name != "Taken over"


def test_reading_an_entry_gives_what_its_page_shows(world, directory):
    entry = Service.objects.filter(place=directory).first()
    body = api(world.org_b).get(f"/api/directory/entries/{entry.pk}").json()
    assert (body["id"], body["name"], body["main_location"]) == (str(entry.pk), entry.name, None)
    location = entry.at_locations.get().location
    assert body["locations"][0]["postal_code"] == location.postal_code
    assert len(body["schedules"]) == 1


# --- confidential locations ----------------------------------------------------------------


def test_a_confidential_address_reaches_only_editors_as_the_edit_page_shows_it(
    world, directory, coordinator, login
):
    postcode = demo.synthetic_postcodes(1)[0][0]
    created = coordinator.post(
        "/api/directory/entries",
        _entry_body(
            name="Safe house drop-in",
            location={
                "name": MARKER,
                "address_1": MARKER,
                "postal_code": postcode,
                "confidential": True,
                "area": "Testford North",
            },
        ),
    )
    assert created.status_code == 201
    entry_id = created.json()["id"]
    assert Location.objects.get(confidential=True).address_1 == MARKER
    # Staff who may not edit: only the area, on the entry and in every search.
    catalyst = api(world.org_a, Role.CATALYST)
    responses = [
        catalyst.get(f"/api/directory/entries/{entry_id}"),
        catalyst.get("/api/directory/entries", text="safe house"),
        catalyst.post("/api/directory/entries/search", {"postcode": postcode}),
        catalyst.post("/api/directory/entries/search", {"text": "drop-in", "postcode": postcode}),
        catalyst.get("/api/directory/exports/json"),
        catalyst.get("/api/directory/exports/csv"),
        catalyst.get("/api/directory/exports/geojson"),
    ]
    assert [r.status_code for r in responses] == [200] * 7
    assert not any(MARKER.encode() in r.content for r in responses)
    assert not any(postcode.encode() in r.content for r in responses[:2])
    assert responses[0].json()["locations"] == [
        {
            "id": str(Location.objects.get(confidential=True).pk),
            "name": "Testford North",
            "confidential": True,
            "address_1": None,
            "city": None,
            "postal_code": None,
            "latitude": None,
            "longitude": None,
            "neighbourhood": None,
        }
    ]
    # An editor gets the main location as the edit page fills it in for them, no more.
    edit_page = login(world.manager_a).get(f"/directory/testford/entries/{entry_id}/edit/")
    assert MARKER in edit_page.content.decode()
    body = coordinator.get(f"/api/directory/entries/{entry_id}").json()
    assert body["main_location"] == {
        "name": MARKER,
        "address_1": MARKER,
        "city": "",
        "postal_code": postcode,
        "confidential": True,
        "area": "Testford North",
    }
    assert body["locations"][0]["address_1"] is None


# --- adding and changing -------------------------------------------------------------------


def test_only_coordinators_and_place_admins_add_entries(world, directory):
    for org, role in [
        (world.org_a, Role.CATALYST),
        (world.org_a, Role.ANALYST),
        (world.org_b, Role.PARTNER_WORKER),
    ]:
        response = api(org, role).post("/api/directory/entries", _entry_body())
        assert (response.status_code, response.json()) == (404, NOT_FOUND), role
    for role in (Role.COORDINATOR, Role.PLACE_ADMIN):
        assert api(world.org_a, role).post("/api/directory/entries", _entry_body()).status_code == (
            201
        )
    assert Service.objects.filter(name="Thursday lunch club").count() == 2


def test_adding_an_entry_keeps_who_added_it(world, directory, coordinator):
    term = TaxonomyTerm.objects.get(place=directory, code="food")
    response = coordinator.post(
        "/api/directory/entries",
        _entry_body(
            category_ids=[str(term.pk)],
            referral_organisation_id=world.org_b.pk,
            takes_referrals=True,
            referral_places=3,
        ),
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["languages"], body["categories"]) == (
        "Thursday lunch club",
        ["en", "ur"],
        [{"id": str(term.pk), "name": term.name}],
    )
    assert (body["takes_referrals_through_commonweave"], body["places_free"]) == (True, 3)
    record = ChangeRecord.objects.get(object_type="service", object_id=body["id"])
    assert (record.action, record.actor_label[:6]) == ("created", "token:")
    # Found by the search at once.
    found = coordinator.get("/api/directory/entries", text="thursday lunch").json()
    assert [item["id"] for item in found["items"]] == [body["id"]]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"minimum_age": 60, "maximum_age": 18}, "maximum_age"),
        ({"location": {"address_1": "1 Low Road", "confidential": True}}, "location.area"),
        ({"location": {"postal_code": "NOT A CODE"}}, "location.postal_code"),
        ({"url": "ftp://example.org/club"}, "url"),
        ({"email": "not-an-email"}, "email"),
        ({"organization_id": "00000000-0000-4000-8000-000000000000"}, "organization_id"),
        ({"referral_organisation_id": 999999, "takes_referrals": True}, "referral_organisation_id"),
        ({"kind": "castle"}, "kind"),
        ({"name": ""}, "name"),
        ({"languages": ["english"]}, "languages.0"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_the_edit_pages_rules_apply_and_a_400_names_the_field(
    world, directory, coordinator, extra, field
):
    response = coordinator.post("/api/directory/entries", _entry_body(**extra))
    assert (response.status_code, fields_named(response)) == (400, [field])
    assert not Service.objects.filter(name="Thursday lunch club").exists()
    # Nothing sent is repeated back.
    assert b"999999" not in response.content and b"00000000-0000" not in response.content


def test_a_referral_partner_needs_takes_referrals(world, directory, coordinator):
    response = coordinator.post(
        "/api/directory/entries", _entry_body(referral_organisation_id=world.org_b.pk)
    )
    assert (response.status_code, fields_named(response)) == (400, ["takes_referrals"])


def test_changing_an_entry_keeps_the_rest_and_its_history(world, directory, coordinator):
    entry = Service.objects.filter(place=directory, organization__isnull=False).first()
    terms_before = sorted(str(t) for t in entry.taxonomy_terms.values_list("pk", flat=True))
    location_before = entry.at_locations.get().location_id
    url = f"/api/directory/entries/{entry.pk}"
    read = coordinator.get(url).json()
    response = coordinator.patch(
        url, {"version": read["version"], "name": "Renamed club", "capacity": "2 places"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["name"], body["capacity"], body["description"]) == (
        "Renamed club",
        "2 places",
        entry.description,
    )
    assert body["organization"]["id"] == str(entry.organization_id)
    assert sorted(t["id"] for t in body["categories"]) == terms_before
    entry.refresh_from_db()
    assert entry.at_locations.get().location_id == location_before
    history = coordinator.get(f"{url}/history").json()
    assert history["items"][0]["action"] == "updated"
    assert sorted(history["items"][0]["fields"]) == ["capacity", "name"]
    assert body["version"] == read["version"] + 1
    # A change made with what was read before someone else saved is refused: 409, unsaved,
    # in the one conflict shape every edited record answers with (detail, version, current).
    stale = coordinator.patch(url, {"version": read["version"], "name": "Lost update"})
    assert stale.status_code == 409
    assert sorted(stale.json()) == ["current", "detail", "version"]
    assert (stale.json()["current"]["name"], stale.json()["version"]) == (
        "Renamed club",
        body["version"],
    )
    entry.refresh_from_db()
    assert entry.name == "Renamed club"


def test_a_partner_cannot_change_an_entry(world, directory):
    entry = Service.objects.filter(place=directory).first()
    response = api(world.org_b).patch(f"/api/directory/entries/{entry.pk}", {"name": "Mine now"})
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_entries_due_for_review_and_marking_one_checked(world, directory, coordinator):
    year_ago = timezone.now() - datetime.timedelta(days=366)
    Service.objects.filter(place=directory).update(last_checked_at=timezone.now())
    stale = list(Service.objects.filter(place=directory).order_by("name")[:2])
    for offset, entry in enumerate(stale):
        Service.objects.filter(pk=entry.pk).update(
            last_checked_at=year_ago - datetime.timedelta(days=offset)
        )
    due = coordinator.get("/api/directory/entries/due-for-review").json()
    assert [item["id"] for item in due["items"]] == [str(stale[1].pk), str(stale[0].pk)]
    checked = coordinator.post(f"/api/directory/entries/{stale[1].pk}/checked")
    assert checked.status_code == 200
    due = coordinator.get("/api/directory/entries/due-for-review").json()
    assert [item["id"] for item in due["items"]] == [str(stale[0].pk)]
    assert ChangeRecord.objects.filter(object_id=str(stale[1].pk), action="checked").count() == 1
    catalyst = api(world.org_a, Role.CATALYST)
    assert catalyst.get("/api/directory/entries/due-for-review").status_code == 404
    assert catalyst.post(f"/api/directory/entries/{stale[0].pk}/checked").status_code == 404
