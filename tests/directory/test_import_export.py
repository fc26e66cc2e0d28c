import json

import pytest
from django.core.management import call_command

from commonweave.demo.factories import PlaceFactory
from commonweave.directory import demo, importer
from commonweave.directory.models import ChangeRecord, Location, Service, ServiceAtLocation

from .oruk_check import PROFILE, check_feed

pytestmark = pytest.mark.django_db

GOOD = "11111111-1111-4111-8111-111111111111"


def record(id_, name="Lunch club", **extra):
    return {"id": id_, "name": name, "status": "active", **extra}


def loc(id_, postcode, address="1 High Street", **extra):
    return {
        "id": f"{id_}-sal",
        "location": {
            "id": id_,
            "location_type": "physical",
            "addresses": [
                {
                    "address_1": address,
                    "city": "Oldham",
                    "postal_code": postcode,
                    "country": "GB",
                    "state_province": "Greater Manchester",
                }
            ],
            **extra,
        },
    }


@pytest.fixture
def place():
    return PlaceFactory(name="Oldham", slug="oldham")


def messy_feed():
    return {
        "total_items": 7,
        "contents": [
            record(
                GOOD,
                description="<script>alert(1)</script><b>Hot</b> dinners",
                url="https://example.org/lunch",
                service_at_locations=[
                    {
                        "id": "22222222-2222-4222-8222-222222222221",
                        "location": {
                            "id": "22222222-2222-4222-8222-222222222222",
                            "location_type": "physical",
                            "latitude": 53.54,
                            "longitude": -2.11,
                            "addresses": [
                                {
                                    "address_1": "1 High St",
                                    "city": "Oldham",
                                    "postal_code": "ol11aa",
                                    "country": "GB",
                                }
                            ],
                        },
                    }
                ],
            ),
            record(GOOD, name="Duplicate of the first"),
            record("33333333-3333-4333-8333-333333333333", name="   "),
            record(
                "44444444-4444-4444-8444-444444444444",
                name="Bad postcode",
                service_at_locations=[
                    {
                        "id": "44444444-4444-4444-8444-444444444441",
                        "location": {
                            "id": "44444444-4444-4444-8444-444444444442",
                            "location_type": "physical",
                            "addresses": [
                                {
                                    "address_1": "x",
                                    "city": "y",
                                    "postal_code": "NOTAPOST",
                                    "country": "GB",
                                }
                            ],
                        },
                    }
                ],
            ),
            record(
                "55555555-5555-4555-8555-555555555555", name="Bad url", url="javascript:alert(1)"
            ),
            record("not-a-uuid", name="Bad id"),
            record(
                "66666666-6666-4666-8666-666666666666",
                name="Walking group",
                url="http://example.org/walk",
                minimum_age="18",
            ),
        ],
    }


def test_messy_feed_reports_each_bad_record_and_imports_the_rest(place):
    report = importer.import_oruk(place, messy_feed())
    reasons = {n: reason for n, _id, reason in report.errors}
    assert reasons == {
        2: "duplicate id: this id appeared earlier in the feed",
        3: "the service has no name",
        4: "a location has a postcode that is not a UK postcode",
        5: "url must be an http or https address",
        6: "service id is missing or not a UUID",
    }
    assert report.created == 2
    names = sorted(Service.objects.filter(place=place).values_list("name", flat=True))
    assert names == ["Lunch club", "Walking group"]
    # Nothing of the rejected record with the bad postcode was half-saved.
    assert not Location.objects.filter(pk="44444444-4444-4444-8444-444444444442").exists()
    lunch = Service.objects.get(pk=GOOD)
    assert lunch.description == "alert(1)Hot dinners"
    assert Location.objects.get(pk="22222222-2222-4222-8222-222222222222").postal_code == "OL1 1AA"


def test_reimport_is_idempotent(place):
    importer.import_oruk(place, messy_feed())
    counts = (
        Service.objects.count(),
        Location.objects.count(),
        ServiceAtLocation.objects.count(),
        ChangeRecord.objects.count(),
    )
    again = importer.import_oruk(place, messy_feed())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert counts == (
        Service.objects.count(),
        Location.objects.count(),
        ServiceAtLocation.objects.count(),
        ChangeRecord.objects.count(),
    )


def test_changed_record_updates_in_place_with_history(place):
    importer.import_oruk(place, [record(GOOD)])
    report = importer.import_oruk(place, [record(GOOD, name="Lunch club (Tuesdays)")])
    assert (report.created, report.updated) == (0, 1)
    assert Service.objects.get(pk=GOOD).name == "Lunch club (Tuesdays)"
    latest = ChangeRecord.objects.filter(object_id=GOOD).first()
    assert latest.changes["name"] == ["Lunch club", "Lunch club (Tuesdays)"]


def test_profile_examples_import_and_then_pass_the_validator_checks(client, place):
    for name in ["service_full", "organization_full"]:
        data = json.loads((PROFILE / "examples" / f"{name}.json").read_text())
        report = importer.import_oruk(place, data)
        assert report.errors == []
    assert Service.objects.filter(place=place).count() >= 1
    problems, checked = check_feed(client, "/oruk/oldham/", per_page=1)
    assert problems == {}
    assert "ac148810-d857-441c-9679-408f346de14b" in checked["services"]


def test_same_ids_in_another_place_are_rejected_not_stolen(place):
    importer.import_oruk(place, [record(GOOD)])
    other = PlaceFactory(name="Elsewhere", slug="elsewhere")
    report = importer.import_oruk(other, [record(GOOD, name="Mine now")])
    assert report.errors == [(1, GOOD, "this service id is used by another directory")]
    assert Service.objects.get(pk=GOOD).name == "Lunch club"


def test_csv_with_column_mapping(place):
    text = (
        "Title,About,Post code,Type\n"
        "Knit and natter,Bring wool,OL1 1AA,arts\n"
        ",No name,OL1 1AA,\n"
        "Bad postcode,x,ZZZ,\n"
    )
    mapping = {"name": "Title", "description": "About", "postcode": "Post code", "category": "Type"}
    from commonweave.directory.services import ensure_default_taxonomy

    ensure_default_taxonomy(place)
    report = importer.import_csv(place, text, mapping)
    assert [e[2] for e in report.errors] == [
        "the service has no name",
        "a location has a postcode that is not a UK postcode",
    ]
    knit = Service.objects.get(place=place, name="Knit and natter")
    assert [t.code for t in knit.taxonomy_terms.all()] == ["arts"]
    again = importer.import_csv(place, text, mapping)
    assert (again.created, again.unchanged) == (0, 1)


def test_exports_leave_out_confidential_addresses(place):
    demo.generate_directory(place, services=12, locations=6)
    marker = "ZZ-REFUGE-ADDRESS-7731"
    refuge = Location.objects.filter(place=place).first()
    Location.objects.filter(pk=refuge.pk).update(confidential=True, address_1=marker, name=marker)
    oruk_json = json.dumps(importer.export_oruk(place))
    csv_text = importer.export_csv(place)
    geojson = json.dumps(importer.export_geojson(place))
    for text in (oruk_json, csv_text, geojson):
        assert marker not in text
        assert str(refuge.latitude) not in text
    features = importer.export_geojson(place)["features"]
    assert len(features) == 5
    assert len(json.loads(oruk_json)) == 12
    assert csv_text.count("\n") == 13


def test_import_directory_command_with_progress(place, tmp_path, capsys):
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(messy_feed()))
    call_command("import_directory", "oldham", str(feed))
    out, err = capsys.readouterr()
    assert "2 created, 0 updated, 0 unchanged, 5 rejected" in out
    assert "record 4 44444444-4444-4444-8444-444444444444: a location has a postcode" in out
    assert "import [" in err and "100%" in err
