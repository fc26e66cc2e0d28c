"""Issue 13 item 4: the official ORUK 3.0 example service, imported then exported, loses no
field. Every filled leaf of the input (a value that is not null, "" or []) must come back
at the same path with the same value; the export may add fields (parent ids, derived ids).
List items are matched by their id when they have one, else by position."""

import json
from pathlib import Path

import pytest

from commonweave.demo.factories import PlaceFactory
from commonweave.directory import exporter, importer, oruk, services
from commonweave.directory.models import ChangeRecord, Service, TaxonomyTerm

from .oruk_check import schema_errors

pytestmark = pytest.mark.django_db

EXAMPLE = Path("/work/shared/data/oruk/uk_profile_3.0/examples/service_full.json")
SAL = "service_at_locations[e94c9f38-1e8f-4564-91d4-d53501ab1765]"
# Filled fields of the example that are not published back, on purpose.
NOT_KEPT = {
    # Latitude 100 and longitude 101 are not on Earth: dropped with a warning.
    f"{SAL}.location.latitude",
    f"{SAL}.location.longitude",
}


def leaves(data, path=""):
    """{path: value} for every filled leaf; list items keyed by id (else index)."""
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            out.update(leaves(value, f"{path}.{key}" if path else key))
        return out
    if isinstance(data, list):
        out = {}
        for index, item in enumerate(data):
            key = item["id"] if isinstance(item, dict) and item.get("id") else index
            out.update(leaves(item, f"{path}[{key}]"))
        return out
    if data is None or data == "":
        return {}
    return {path: data}


def lost_fields(given, back):
    """The input's filled leaf paths missing or different in the output."""
    out = leaves(back)
    return sorted(
        path
        for path, value in leaves(given).items()
        if path not in out or not _same(value, out[path])
    )


def _same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()  # spaces around a text are not part of it
    return a == b


def roundtrip(place, record):
    report = importer.import_oruk(place, [record])
    assert report.stored == 1, report.rejected
    (exported,) = [s for s in exporter.export_oruk(place) if s["id"] == record["id"]]
    return exported


def test_the_official_example_loses_no_field():
    given = json.loads(EXAMPLE.read_text())
    back = roundtrip(PlaceFactory(), given)
    lost = [path for path in lost_fields(given, back) if path not in NOT_KEPT]
    assert len(leaves(given)) == 90
    assert lost == [], f"{len(lost)} of 90 filled fields lost:\n" + "\n".join(lost)


def test_the_fields_not_kept_are_only_the_documented_ones():
    given = json.loads(EXAMPLE.read_text())
    back = roundtrip(PlaceFactory(), given)
    assert set(lost_fields(given, back)) == NOT_KEPT


def test_the_exported_example_is_valid_against_the_profile():
    given = json.loads(EXAMPLE.read_text())
    back = roundtrip(PlaceFactory(), given)
    assert schema_errors("service", back) == []


def test_reimporting_the_example_changes_nothing():
    given = json.loads(EXAMPLE.read_text())
    place = PlaceFactory()
    first = roundtrip(place, given)
    report = importer.import_oruk(place, [given])
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert exporter.export_oruk(place) == [first]


def test_the_export_imported_again_changes_nothing():
    given = json.loads(EXAMPLE.read_text())
    place = PlaceFactory()
    first = roundtrip(place, given)
    report = importer.import_oruk(place, [first])
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert exporter.export_oruk(place) == [first]


def test_the_imported_organization_and_location_are_valid_against_the_profile():
    given = json.loads(EXAMPLE.read_text())
    place = PlaceFactory()
    roundtrip(place, given)
    service = Service.objects.get(pk=given["id"])
    org = service.organization
    assert schema_errors("organization", oruk.organization_full(org, [service])) == []
    assert schema_errors("organization_list", oruk.organization_summary(org)) == []
    for sal in service.at_locations.all():
        assert schema_errors("service_at_location", oruk.service_at_location(sal, full=True)) == []


def test_a_confidential_location_publishes_none_of_its_address_fields():
    given = json.loads(EXAMPLE.read_text())
    given["service_at_locations"][0]["location"]["confidential"] = True
    back = roundtrip(PlaceFactory(), given)
    location = back["service_at_locations"][0]["location"]
    assert set(location) <= {"id", "location_type", "name"}


def _uid(n):
    return f"00000000-0000-4000-8000-{n:012d}"


def record_with_every_kept_field():
    """A service filling each field kept beyond the official example: HSDS 3.0 rows the UK
    profile leaves out (contact department, email and phones; required documents; an
    organisation's funding, contacts, phones and programs) and a term with an unknown parent."""

    def phone(n, number):
        return {
            "id": _uid(n),
            "number": number,
            "extension": 12,
            "type": "voice",
            "description": "Reception",
            "languages": [{"id": _uid(n + 1), "name": "Welsh", "code": "cy", "note": "Weekdays"}],
        }

    return {
        "id": _uid(1),
        "name": "Debt advice",
        "status": "active",
        "last_modified": "2024-02-29T08:15:00.250Z",
        "contacts": [
            {
                "id": _uid(10),
                "name": "Ann Persona",
                "title": "Adviser",
                "department": "Money advice",
                "email": "ann@example.org",
                "phones": [phone(11, "0161 496 0000"), phone(13, "0161 496 0001")],
            }
        ],
        "required_documents": [
            {"id": _uid(20), "document": "Proof of address", "uri": "https://example.org/docs"}
        ],
        "organization": {
            "id": _uid(30),
            "name": "Money Matters",
            "description": "Free advice on debt.",
            "funding": [{"id": _uid(31), "source": "The council"}],
            "contacts": [
                {
                    "id": _uid(32),
                    "name": "Bea",
                    "department": "Office",
                    "email": "office@example.org",
                    "phones": [phone(33, "0161 496 0002")],
                }
            ],
            "phones": [phone(35, "0161 496 0003")],
            "programs": [
                {
                    "id": _uid(37),
                    "name": "Debt free",
                    "alternate_name": "DF",
                    "description": "A year of support.",
                }
            ],
        },
        "attributes": [
            {
                "id": _uid(40),
                "link_type": "service",
                "taxonomy_term": {
                    "id": _uid(41),
                    "name": "Debt",
                    "description": "Debt advice",
                    "parent_id": _uid(42),
                },
            }
        ],
    }


def test_every_field_kept_beyond_the_example_comes_back_and_validates():
    given = record_with_every_kept_field()
    place = PlaceFactory()
    back = roundtrip(place, given)
    assert lost_fields(given, back) == []
    assert schema_errors("service", back) == []
    service = Service.objects.get(pk=given["id"])
    org = oruk.organization_full(service.organization, [service])
    assert lost_fields(given["organization"], org) == []
    assert schema_errors("organization", org) == []
    report = importer.import_oruk(place, [back])
    assert (report.updated, report.unchanged) == (0, 1)


def test_last_modified_is_the_feeds_until_the_entry_is_changed_here():
    given = record_with_every_kept_field()
    place = PlaceFactory()
    assert roundtrip(place, given)["last_modified"] == "2024-02-29T08:15:00.250Z"
    # A new date alone is bookkeeping: no change, no history, the new date published.
    history = ChangeRecord.objects.count()
    given["last_modified"] = "2024-03-01T09:00:00+01:00"
    report = importer.import_oruk(place, [given])
    assert (report.updated, report.unchanged, ChangeRecord.objects.count()) == (0, 1, history)
    assert exporter.export_oruk(place)[0]["last_modified"] == "2024-03-01T08:00:00Z"
    service = Service.objects.get(pk=given["id"])
    services.service_save(viewer=None, place=place, data={"alert": "Closed"}, service=service)
    service.refresh_from_db()
    (back,) = exporter.export_oruk(place)
    assert (service.source_modified, back["last_modified"]) == (
        None,
        oruk.timestamp(service.updated_at),
    )


def test_a_feed_change_to_a_kept_field_is_in_the_history():
    given = record_with_every_kept_field()
    place = PlaceFactory()
    roundtrip(place, given)
    given["required_documents"][0]["document"] = "Photo id"
    given["organization"]["funding"][0]["source"] = "A charity"
    importer.import_oruk(place, [given])
    service_change = ChangeRecord.objects.filter(object_id=given["id"]).first()
    org_change = ChangeRecord.objects.filter(object_id=given["organization"]["id"]).first()
    assert sorted(service_change.changes) == ["required_documents"]
    assert sorted(org_change.changes) == ["funding"]


def test_a_term_is_linked_to_its_parent_when_the_parent_arrives():
    given = record_with_every_kept_field()
    place = PlaceFactory()
    roundtrip(place, given)
    parent = {"id": _uid(42), "name": "Money", "description": "Money matters"}
    other = {"id": _uid(2), "name": "Budgeting", "attributes": [{"taxonomy_term": parent}]}
    importer.import_oruk(place, [other])
    term = TaxonomyTerm.objects.get(pk=_uid(41))
    assert (str(term.parent_id), term.parent_ref) == (_uid(42), None)
