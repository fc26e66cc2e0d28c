from datetime import timedelta
from html import escape

import pytest
from django.utils import timezone

from commonweave.audit.models import AuditEvent
from commonweave.demo import directory as demo
from commonweave.directory import services
from commonweave.directory.enums import SuggestionStatus
from commonweave.directory.models import (
    ChangeRecord,
    ConnectionLink,
    FollowUp,
    Location,
    Service,
    Suggestion,
)
from tests.conftest import assert_access
from tests.queries import assert_same_queries_at_two_sizes

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(world):
    demo.generate_directory(world.place, services=30, locations=12)
    return world.place


def test_public_search_needs_no_login_and_tolerates_typos(client, directory):
    response = client.get("/directory/testford/", {"q": "alotments"})
    assert response.status_code == 200
    names = [s.name for s in response.context["entries"]]
    assert names and all("llotment" in n for n in names)
    plural = client.get("/directory/testford/", {"q": "lunch clubs"}).context["entries"]
    assert "lunch club" in plural[0].name.lower()


def test_filters_free_and_takes_referrals(client, directory):
    response = client.get("/directory/testford/", {"free": "on", "takes_referrals": "on"})
    entries = response.context["entries"]
    assert entries and all(s.is_free and s.takes_referrals for s in entries)
    expected = Service.objects.filter(place=directory, is_free=True, takes_referrals=True).count()
    assert response.context["total"] == expected


def test_open_now_uses_schedules(client, directory):
    now = timezone.localtime()
    day = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][now.weekday()]
    s = Service.objects.filter(place=directory).first()
    s.schedules.all().delete()
    s.schedules.create(byday=day, opens_at="00:00", closes_at="23:59:59")
    response = client.get("/directory/testford/", {"open_now": "on"})
    assert s in response.context["entries"]


def test_near_postcode_sorted_by_distance_and_bad_postcode_message(client, directory):
    loc = Location.objects.filter(place=directory).first()
    response = client.get("/directory/testford/", {"postcode": loc.postal_code.lower()})
    distances = [s.distance_m for s in response.context["entries"]]
    assert distances == sorted(distances) and distances[0] < 1000
    bad = client.get("/directory/testford/", {"postcode": "XX"})
    assert "Enter a full UK postcode" in bad.content.decode()
    near = client.get("/directory/testford/", {"lat": loc.latitude, "lon": loc.longitude})
    assert near.context["entries"][0].distance_m < 1


def test_map_data_is_fetched_or_json_script_and_page_has_no_inline_script(client, directory):
    html = client.get("/directory/testford/", {"q": "club"}).content.decode()
    assert 'data-points-url="/directory/testford/map-points.json?q=club"' in html
    service = Service.objects.filter(place=directory).first()
    html = client.get(f"/directory/testford/entries/{service.id}/").content.decode()
    assert 'id="directory-map-points" type="application/json"' in html
    assert "leaflet/leaflet.js" in html and "directory/map.mjs" in html
    for chunk in html.split("<script")[1:]:
        head = chunk.split(">", 1)[0]
        assert "src=" in head or 'type="application/json"' in head


def test_tile_server_setting_reaches_map_and_csp(client, directory, settings):
    settings.DIRECTORY_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    response = client.get("/directory/testford/")
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in response.content.decode()
    assert "https://tiles.example.org" in response["Content-Security-Policy"]


def test_confidential_location_absent_from_every_page_and_export(client, world, directory):
    marker = "ZZ-REFUGE-ADDRESS-7731"
    loc = Location.objects.filter(place=directory).first()
    Location.objects.filter(pk=loc.pk).update(
        confidential=True, address_1=marker, name=marker, area="Testford North"
    )
    service = loc.at_locations.first().service
    staff = client.__class__()
    staff.force_login(world.manager_a, backend="django.contrib.auth.backends.ModelBackend")
    urls = [
        "/directory/testford/",
        f"/directory/testford/?postcode={loc.postal_code}",
        f"/directory/testford/entries/{service.id}/",
        "/directory/testford/export.csv",
        "/directory/testford/export.geojson",
        "/directory/testford/export.json",
    ]
    for c in (client, staff):
        for url in urls:
            text = c.get(url).content.decode()
            assert marker not in text, url
            assert f"{loc.latitude:.6f}"[:9] not in text, url
    assert (
        "Testford North"
        in client.get(f"/directory/testford/entries/{service.id}/").content.decode()
    )


def test_description_html_is_shown_as_text(client, directory):
    s = Service.objects.filter(place=directory).first()
    Service.objects.filter(pk=s.pk).update(description="<script>alert(1)</script>")
    html = client.get(f"/directory/testford/entries/{s.id}/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_suggest_without_account_then_coordinator_accepts_side_by_side(client, world, directory):
    s = Service.objects.filter(place=directory).first()
    url = f"/directory/testford/entries/{s.id}/suggest/"
    response = client.post(url, {"name": "Renamed group", "kind": s.kind, "url": "ftp://x"})
    assert (
        "Enter a web address starting with http" in response.content.decode()
        or "Enter a valid URL" in response.content.decode()
    )
    assert Suggestion.objects.count() == 0
    # What the pre-filled form sends back, with only the name changed.
    form = {
        "name": "Renamed group",
        "kind": s.kind,
        "description": s.description,
        "eligibility": s.eligibility,
        "how_to_access": s.how_to_access,
        "url": s.url,
    }
    if s.is_free:
        form["is_free"] = "on"
    response = client.post(url, form)
    assert response.status_code == 200
    suggestion = Suggestion.objects.get()
    assert suggestion.proposed == {"name": "Renamed group"}
    review_url = f"/directory/testford/review/{suggestion.public_id}/"
    assert_access(world, "get", review_url, {"manager_a": 200})
    manager = client.__class__()
    manager.force_login(world.manager_a, backend="django.contrib.auth.backends.ModelBackend")
    page = manager.get(review_url).content.decode()
    assert escape(s.name) in page and "Renamed group" in page
    missing = manager.post(review_url, {"decision": "accept"})
    assert missing.status_code == 400 and Suggestion.objects.get().status == "pending"
    manager.post(review_url, {"decision": "accept", "reason": "Confirmed by phone"})
    s.refresh_from_db()
    assert s.name == "Renamed group"
    record = ChangeRecord.objects.filter(object_id=str(s.pk)).first()
    assert record.action == "suggestion" and record.actor == world.manager_a
    assert record.changes["name"][1] == "Renamed group"
    assert Suggestion.objects.get().status == SuggestionStatus.ACCEPTED


def test_new_asset_suggestion_rejected_with_reason(client, world, directory):
    client.post("/directory/testford/suggest/", {"name": "Bus stop bench", "kind": "space"})
    suggestion = Suggestion.objects.get()
    viewer = world.viewer(world.manager_a)
    services.suggestion_review(
        viewer=viewer, suggestion=suggestion, accept=False, reason="Already listed"
    )
    assert Suggestion.objects.get().reason == "Already listed"
    assert not Service.objects.filter(name="Bus stop bench").exists()


def test_review_list_flags_entries_not_checked_for_a_year(client, world, directory):
    s = Service.objects.filter(place=directory).first()
    Service.objects.filter(place=directory).update(last_checked_at=timezone.now())
    Service.objects.filter(pk=s.pk).update(last_checked_at=timezone.now() - timedelta(days=400))
    assert_access(world, "get", "/directory/testford/review/", {"manager_a": 200})
    # The outsider reviews their own place's directory, which holds none of ours.
    outsider = client.__class__()
    outsider.force_login(world.outsider, backend="django.contrib.auth.backends.ModelBackend")
    assert list(outsider.get("/directory/elsewhere/review/").context["stale"]) == []
    manager = client.__class__()
    manager.force_login(world.manager_a, backend="django.contrib.auth.backends.ModelBackend")
    assert list(manager.get("/directory/testford/review/").context["stale"]) == [s]
    manager.post(f"/directory/testford/entries/{s.id}/checked/")
    assert list(manager.get("/directory/testford/review/").context["stale"]) == []


def test_connect_resident_with_follow_ups(world, resident_a, directory, login):
    s = Service.objects.filter(place=directory).first()
    url = f"/directory/testford/connect/{resident_a.public_id}/"
    assert_access(world, "get", url, {"catalyst_a": 200, "manager_a": 200})
    client = login(world.catalyst_a)
    before = AuditEvent.objects.count()
    client.post(url, {"service": str(s.id), "confirm": "yes"})
    assert AuditEvent.objects.count() == before + 1  # the connection, once
    client.get(url)  # reading the resident's connections is audited too
    link = ConnectionLink.objects.get()
    assert link.connection.resident == resident_a and link.connection.name == s.name
    assert [f.months for f in link.follow_ups.all()] == [3, 6]
    assert AuditEvent.objects.count() == before + 2
    follow = FollowUp.objects.get(months=3)
    assert_access(
        world,
        "get",
        f"/directory/testford/follow-ups/{follow.pk}/",
        {"catalyst_a": 200, "manager_a": 200},
    )
    client.post(
        f"/directory/testford/follow-ups/{follow.pk}/", {"outcome": "stopped", "why": "Moved"}
    )
    follow.refresh_from_db()
    assert (follow.outcome, follow.why) == ("stopped", "Moved")


def test_coordinator_adds_and_changes_an_entry_with_history(world, directory, login):
    assert_access(world, "get", "/directory/testford/new/", {"manager_a": 200})
    client = login(world.manager_a)
    form = {
        "name": "Friday lunch club",
        "kind": "group",
        "status": "active",
        "description": "Soup and a chat",
        "minimum_age": "70",
        "maximum_age": "60",
        "postal_code": "nonsense",
        "confidential": "on",
    }
    response = client.post("/directory/testford/new/", form)
    html = response.content.decode()
    assert "The oldest age must be the same as or more than the youngest" in html
    assert "Enter a full UK postcode" in html
    assert "Enter the area to publish instead of the address" in html
    assert 'value="Friday lunch club"' in html  # keeps what was typed
    assert not Service.objects.filter(name="Friday lunch club").exists()
    form.update(
        maximum_age="99",
        postal_code="ol1 1aa",
        area="Oldham centre",
        address_1="ZZ-SECRET-7",
        is_free="on",
        languages="en, ur",
    )
    response = client.post("/directory/testford/new/", form)
    s = Service.objects.get(name="Friday lunch club")
    assert response.status_code == 302
    assert (s.minimum_age, s.maximum_age, s.is_free, s.languages) == (70, 99, True, ["en", "ur"])
    loc = s.at_locations.get().location
    assert (loc.postal_code, loc.confidential) == ("OL1 1AA", True)
    assert (
        "ZZ-SECRET-7"
        not in login(None).get(f"/directory/testford/entries/{s.id}/").content.decode()
    )
    form.update(name="Friday lunch club (upstairs)", version=s.version)
    client.post(f"/directory/testford/entries/{s.id}/edit/", form)
    latest = ChangeRecord.objects.filter(object_id=str(s.pk)).first()
    assert latest.changes == {"name": ["Friday lunch club", "Friday lunch club (upstairs)"]}
    assert latest.actor == world.manager_a
    page = client.get(f"/directory/testford/entries/{s.id}/").content.decode()
    assert "History" in page and "Friday lunch club (upstairs)" in page


@pytest.mark.parametrize("path", ["/directory/testford/", "/oruk/testford/services"])
def test_list_query_count_does_not_grow_with_size(client, world, path):
    def make(count):
        demo.generate_directory(world.place, services=count, locations=count // 2, seed=count)

    def fetch():
        assert client.get(path, {"q": "club"}).status_code == 200

    # Warmed: the first search in a process also checks once that the FTS5 index exists.
    [at_small] = assert_same_queries_at_two_sizes(make, fetch, small=6, large=66)
    assert at_small <= 12


@pytest.mark.parametrize(
    ("template", "source"),
    [
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("https://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org"),
        ("javascript:alert(1)", ""),
        ("", ""),
    ],
)
def test_tile_source_for_csp(template, source):
    from commonweave.directory.views import tile_source

    assert tile_source(template) == source
