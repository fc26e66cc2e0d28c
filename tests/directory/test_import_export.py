import json

import pytest
from django.core.management import call_command

from commonweave.demo import directory as demo
from commonweave.demo.factories import PlaceFactory
from commonweave.directory import exporter, importer
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


def test_messy_feed_keeps_every_service_and_rejects_only_what_cannot_be_one(place):
    report = importer.import_oruk(place, messy_feed())
    # Only a repeated id and a record with no name are rejected; the rest are stored,
    # with the field that could not be used left out and named.
    assert {e[0]: (e[2], e.field) for e in report.errors} == {
        2: ("duplicate id: this id appeared earlier in the feed", "id"),
        3: ("the service has no name", "name"),
    }
    warnings = {(w[0], w.field): w[2] for w in report.warnings}
    assert warnings[(4, "location postal_code")].startswith(
        "a location has a postcode that is not a UK postcode"
    )
    assert warnings[(5, "url")] == "url is not an http or https address"
    assert warnings[(6, "id")] == "service id is not a UUID: an id was made from it"
    assert (report.created, report.records, report.stored, report.rejected) == (5, 7, 5, 2)
    names = sorted(Service.objects.filter(place=place).values_list("name", flat=True))
    assert names == ["Bad id", "Bad postcode", "Bad url", "Lunch club", "Walking group"]
    # The bad postcode left out its location only.
    assert not Location.objects.filter(pk="44444444-4444-4444-8444-444444444442").exists()
    assert Service.objects.get(name="Bad url").url == ""
    lunch = Service.objects.get(pk=GOOD)
    assert lunch.description == "Hot dinners"  # no script text, tags gone
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
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
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
    assert [e[2] for e in report.errors] == ["the service has no name"]
    assert [(w[0], w.field) for w in report.warnings] == [(3, "location postal_code")]
    assert Service.objects.get(place=place, name="Bad postcode").at_locations.count() == 0
    knit = Service.objects.get(place=place, name="Knit and natter")
    assert [t.code for t in knit.taxonomy_terms.all()] == ["arts"]
    again = importer.import_csv(place, text, mapping)
    assert (again.created, again.unchanged) == (0, 2)


def test_exports_leave_out_confidential_addresses(place):
    demo.generate_directory(place, services=12, locations=6)
    marker = "ZZ-REFUGE-ADDRESS-7731"
    refuge = Location.objects.filter(place=place).first()
    Location.objects.filter(pk=refuge.pk).update(confidential=True, address_1=marker, name=marker)
    oruk_json = json.dumps(exporter.export_oruk(place))
    csv_text = exporter.export_csv(place)
    geojson = json.dumps(exporter.export_geojson(place))
    for text in (oruk_json, csv_text, geojson):
        assert marker not in text
        assert str(refuge.latitude) not in text
    features = exporter.export_geojson(place)["features"]
    assert len(features) == 5
    assert len(json.loads(oruk_json)) == 12
    assert csv_text.count("\n") == 13


def test_import_directory_command_with_progress(place, tmp_path, capsys):
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(messy_feed()))
    call_command("import_directory", "oldham", str(feed))
    out, err = capsys.readouterr()
    assert "5 created, 0 updated, 0 unchanged, 2 rejected, 3 with warnings" in out
    assert "record 3 33333333-3333-4333-8333-333333333333: the service has no name" in out
    assert "import [" in err and "100%" in err


def test_shared_location_and_conflicting_ids_within_one_feed(place):
    shared = {
        "id": "77777777-7777-4777-8777-777777777777",
        "location_type": "physical",
        "latitude": 53.54,
        "longitude": -2.11,
    }
    feed = [
        record(
            "71111111-1111-4111-8111-111111111111",
            name="Monday club",
            service_at_locations=[
                {"id": "72222222-2222-4222-8222-222222222221", "location": shared}
            ],
        ),
        record(
            "73333333-3333-4333-8333-333333333333",
            name="Tuesday club",
            service_at_locations=[
                {"id": "72222222-2222-4222-8222-222222222222", "location": shared}
            ],
        ),
        # Reuses the first record's service_at_location id: a conflict, reported. It fails
        # part-way, so the chunk (tried without savepoints) is redone with one per record.
        record(
            "74444444-4444-4444-8444-444444444444",
            name="Wednesday club",
            service_at_locations=[
                {"id": "72222222-2222-4222-8222-222222222221", "location": shared}
            ],
        ),
        record("75555555-5555-4555-8555-555555555555", name="Thursday club"),
    ]
    report = importer.import_oruk(place, feed)
    assert report.errors == [(3, "74444444-4444-4444-8444-444444444444", "conflicting ids")]
    assert report.created == 3
    assert Location.objects.filter(place=place).count() == 1
    assert ServiceAtLocation.objects.filter(place=place).count() == 2
    assert not Service.objects.filter(name="Wednesday club").exists()
    # History for everything that was imported, nothing for what was rolled back.
    ids = set(ChangeRecord.objects.filter(place=place).values_list("object_id", flat=True))
    assert "74444444-4444-4444-8444-444444444444" not in ids
    assert "75555555-5555-4555-8555-555555555555" in ids


def test_a_place_loads_its_own_taxonomy_from_csv(place, tmp_path, capsys):
    from commonweave.directory.models import TaxonomyTerm

    path = tmp_path / "categories.csv"
    path.write_text(
        "name,description,code,parent\n"
        "Keeping well,Health and wellbeing,well,\n"
        "Walking,<b>Walks</b>,walk,well\n"
        ",No name,x,\n"
        "Orphan,,orph,missing\n"
    )
    call_command("import_directory", "oldham", taxonomy=str(path), taxonomy_name="Oldham")
    out = capsys.readouterr().out
    assert "categories: 3 created, 0 updated, 0 unchanged, 1 rejected" in out
    assert "term 4" in out and "parent not found" in out
    walking = TaxonomyTerm.objects.get(place=place, code="walk")
    assert (walking.parent.name, walking.description, walking.taxonomy.name) == (
        "Keeping well",
        "Walks",
        "Oldham",
    )
    call_command("import_directory", "oldham", taxonomy=str(path), taxonomy_name="Oldham")
    assert "0 created, 0 updated, 3 unchanged" in capsys.readouterr().out
    assert TaxonomyTerm.objects.filter(place=place, taxonomy__name="Oldham").count() == 3


def test_csv_export_cannot_become_a_formula_and_numbers_stay_numbers(place):
    importer.import_oruk(
        place,
        [
            record(
                GOOD,
                name='=HYPERLINK("http://evil")',
                description="+cmd",
                service_at_locations=[
                    {
                        "id": "22222222-2222-4222-8222-222222222221",
                        "location": {
                            "id": "22222222-2222-4222-8222-222222222222",
                            "location_type": "physical",
                            "latitude": 53.54,
                            "longitude": -2.11,
                        },
                    }
                ],
            )
        ],
    )
    row = exporter.export_csv(place).splitlines()[1]
    assert "'=HYPERLINK" in row and ",'+cmd," in row
    assert row.endswith(",53.54,-2.11,")


def test_command_refuses_files_that_are_not_json_or_too_big(place, tmp_path, monkeypatch):
    from django.core.management.base import CommandError

    bad = tmp_path / "feed.json"
    bad.write_text("not json")
    with pytest.raises(CommandError, match="the file is not JSON"):
        call_command("import_directory", "oldham", str(bad))
    monkeypatch.setattr(importer.sources, "MAX_FEED_BYTES", 10)
    big = tmp_path / "big.json"
    big.write_text(json.dumps([record(GOOD)]))
    with pytest.raises(CommandError, match="larger than"):
        call_command("import_directory", "oldham", str(big))


def test_a_nul_in_an_imported_file_is_dropped_not_a_failed_import(place):
    """JSON can spell a NUL ("\\u0000"), which PostgreSQL refuses in text: the import keeps
    the service and drops the character, on every database."""
    from commonweave.directory.importer.sources import decode_text, parse_json

    feed = {"total_items": 1, "contents": [record(GOOD, name="Lunch\u0000 club")]}
    report = importer.import_oruk(place, parse_json(json.dumps(feed).encode()))
    assert report.created == 1
    assert Service.objects.get(pk=GOOD).name == "Lunch club"
    assert decode_text(b"name\r\nTea\x00 dance\r\n") == "name\r\nTea dance\r\n"
