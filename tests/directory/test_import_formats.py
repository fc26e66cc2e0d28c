"""The formats and sources a council has: ORUK v1 JSON, an HSDS tabular datapackage (.zip),
CSV in UTF-8 (with or without a byte-order mark) or Windows-1252, GeoJSON points, a feed at
an address followed page by page, and a wrong file refused at upload saying what it is.
Every corpus is built here; nothing touches the network (the fetch is replaced)."""

import io
import json
import zipfile
from html import escape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commonweave.directory.enums import ImportState
from commonweave.directory.importer import jobs as import_jobs
from commonweave.directory.importer.formats import (
    datapackage_records,
    from_v1,
    geojson_records,
    upload_refusal,
)
from commonweave.directory.importer.report import Invalid
from commonweave.directory.importer.sources import decode_csv
from commonweave.directory.models import DirectoryImport, Service
from commonweave.tenancy.enums import Role

from .api_helpers import api, fields_named

pytestmark = pytest.mark.django_db

IMPORT_URL = "/directory/testford/import/"
S1 = "aaaaaaaa-0000-4000-8000-000000000001"
S2 = "aaaaaaaa-0000-4000-8000-000000000002"
ORG = "bbbbbbbb-0000-4000-8000-000000000001"
LOC = "cccccccc-0000-4000-8000-000000000001"


def _upload(name, content):
    data = content if isinstance(content, bytes) else content.encode()
    return SimpleUploadedFile(name, data)


def _start(client, source, upload=None, url=""):
    data = {"source": source, "url": url}
    if upload is not None:
        data["file"] = upload
    return client.post(IMPORT_URL, data)


def _warnings(imp):
    return [w[2] for w in imp.report["warnings"]]


# --- ORUK v1 --------------------------------------------------------------------------------


def v1_service(id_=S1, name="Toddler group"):
    return {
        "id": id_,
        "name": name,
        "description": "Songs and play",
        "url": "https://example.org/toddlers",
        "status": "active",
        "organization": {"id": ORG, "name": "Testford Families", "description": ""},
        "eligibilitys": [{"eligibility": "Under fives", "minimum_age": 1, "maximum_age": 5}],
        "regular_schedules": [{"weekday": "Tuesday", "opens_at": "10:00", "closes_at": "11:30"}],
        "languages": [{"language": "English"}],
        "service_taxonomys": [
            {"taxonomy": {"id": "dddddddd-0000-4000-8000-000000000001", "name": "Families"}}
        ],
        "contacts": [{"name": "Ann", "phones": [{"number": "01632 960000"}]}],
        "service_at_locations": [
            {
                "location": {
                    "id": LOC,
                    "name": "Church hall",
                    "latitude": 53.54,
                    "longitude": -2.11,
                    "physical_addresses": [
                        {"address_1": "1 High Street", "city": "Testford", "postal_code": "OL1 1AA"}
                    ],
                }
            }
        ],
    }


def test_a_v1_record_is_mapped_to_the_3_0_shape():
    mapped = from_v1(v1_service())
    assert (mapped["minimum_age"], mapped["maximum_age"]) == (1, 5)
    assert mapped["eligibility_description"] == "Under fives"
    assert mapped["schedules"][0]["byday"] == "TU" and mapped["schedules"][0]["freq"] == "WEEKLY"
    assert mapped["attributes"][0]["taxonomy_term"]["name"] == "Families"
    location = mapped["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] == "OL1 1AA"
    assert "physical_addresses" not in location and "eligibilitys" not in mapped
    three = {"id": S1, "name": "Already 3.0", "schedules": []}
    assert from_v1(three) is three


def test_a_v1_feed_uploads_and_imports(world, login):
    page = {"total_items": 1, "total_pages": 1, "page_number": 1, "contents": [v1_service()]}
    response = _start(login(world.manager_a), "oruk_json", _upload("v1.json", json.dumps(page)))
    assert response.status_code == 302
    imp = DirectoryImport.objects.get()
    assert imp.state == ImportState.DONE and imp.report["created"] == 1
    assert "read as an Open Referral UK version 1 feed" in _warnings(imp)
    service = Service.objects.get(pk=S1)
    assert (service.minimum_age, service.maximum_age) == (1, 5)
    assert service.at_locations.get().location.postal_code == "OL1 1AA"
    assert service.schedules.get().byday == "TU"
    assert service.contacts.get().phone


def test_v1_costs_and_fees_are_imported(world, login):
    record = v1_service() | {
        "fees": "£2.50 a session",
        "cost_options": [
            {
                "id": "99999999-0000-4000-8000-000000000001",
                "option": "Per session",
                "amount": 2.5,
                "amount_description": "Siblings half price",
            }
        ],
    }
    free = v1_service(S2, "Stay and play") | {
        "cost_options": [{"id": "99999999-0000-4000-8000-000000000002", "amount": 0}]
    }
    _start(login(world.manager_a), "oruk_json", _upload("v1.json", json.dumps([record, free])))
    assert DirectoryImport.objects.get().report["created"] == 2
    toddlers = Service.objects.get(pk=S1)
    assert toddlers.fees_description == "£2.50 a session" and not toddlers.is_free
    [cost] = toddlers.cost_options
    assert (cost["option"], cost["amount"], cost["amount_description"]) == (
        "Per session",
        2.5,
        "Siblings half price",
    )
    assert Service.objects.get(pk=S2).is_free


def test_a_feed_phone_number_is_stored_in_its_national_format(world, login):
    """The feed and the CSV share one field check (fields.clean_phone)."""
    record = v1_service() | {"contacts": [{"name": "Ann", "phones": [{"number": "+441614960000"}]}]}
    _start(login(world.manager_a), "oruk_json", _upload("v1.json", json.dumps([record])))
    assert Service.objects.get(pk=S1).contacts.get().phone == "0161 496 0000"


# --- HSDS datapackage ---------------------------------------------------------------------

TERM = "dddddddd-0000-4000-8000-000000000002"
OTHER_TERM = "dddddddd-0000-4000-8000-000000000003"


def datapackage_with_categories_and_costs():
    return datapackage(
        extra={
            "services.csv": _csv(
                ("id", "organization_id", "name", "fees_description"),
                (S1, ORG, "Lunch club", "£2.50 a meal"),
                (S2, ORG, "Walking group", ""),
            ),
            "taxonomy_terms.csv": _csv(
                ("id", "name", "code", "taxonomy"),
                (TERM, "Food", "food", "Testford"),
                (OTHER_TERM, "Charity", "charity", "Testford"),
            ),
            "attributes.csv": _csv(
                ("id", "link_id", "link_entity", "taxonomy_term_id"),
                ("a1", S1, "service", TERM),
                ("a2", ORG, "organization", OTHER_TERM),  # not a service's: left out
                ("a3", S2, "", TERM),
            ),
            "cost_options.csv": _csv(
                ("id", "service_id", "option", "amount", "currency", "amount_description"),
                ("c1", S1, "A meal", "£2.50", "GBP", "Pudding included"),
                ("c2", S2, "", "0", "GBP", ""),
            ),
        }
    )


def test_datapackage_categories_and_costs_are_joined():
    lunch, walking = datapackage_records(datapackage_with_categories_and_costs()).records
    assert [a["taxonomy_term"]["name"] for a in lunch["attributes"]] == ["Food"]
    assert [a["taxonomy_term"]["name"] for a in walking["attributes"]] == ["Food"]
    assert lunch["cost_options"][0]["amount"] == 2.5
    assert walking["cost_options"][0]["amount"] == 0
    assert lunch["fees"] == "£2.50 a meal"


def test_datapackage_categories_and_costs_are_imported(world, login):
    client = login(world.manager_a)
    response = _start(
        client, "oruk_json", _upload("hsds.zip", datapackage_with_categories_and_costs())
    )
    assert response.status_code == 302
    assert DirectoryImport.objects.get().report["created"] == 2
    lunch, walking = Service.objects.get(pk=S1), Service.objects.get(pk=S2)
    assert list(lunch.taxonomy_terms.values_list("code", flat=True)) == ["food"]
    assert list(walking.taxonomy_terms.values_list("code", flat=True)) == ["food"]
    assert [(c["option"], c["amount"]) for c in lunch.cost_options] == [("A meal", 2.5)]
    assert lunch.fees_description == "£2.50 a meal" and not lunch.is_free
    assert walking.is_free


def _csv(*rows):
    return "\n".join(",".join(row) for row in rows) + "\n"


def datapackage(*, with_manifest=True, folder="", extra=None):
    tables = {
        "services.csv": _csv(
            ("id", "organization_id", "name", "description", "email"),
            (S1, ORG, "Lunch club", "Hot meals", "lunch@example.org"),
            (S2, ORG, "Walking group", "", ""),
        ),
        "organizations.csv": _csv(("id", "name", "website"), (ORG, "Testford Age", "")),
        "locations.csv": _csv(
            ("id", "name", "latitude", "longitude"), (LOC, "Community centre", "53.5", "-2.1")
        ),
        "addresses.csv": _csv(
            ("id", "location_id", "address_1", "city", "postal_code", "country"),
            (
                "eeeeeeee-0000-4000-8000-000000000001",
                LOC,
                "2 Mill Lane",
                "Testford",
                "OL1 1AB",
                "GB",
            ),
        ),
        "service_at_location.csv": _csv(
            ("id", "service_id", "location_id"), ("ffffffff-0000-4000-8000-000000000001", S1, LOC)
        ),
        "phones.csv": _csv(("id", "service_id", "number"), ("p1", S1, "01632 960001")),
        "schedules.csv": _csv(
            ("id", "service_id", "freq", "byday", "opens_at", "closes_at"),
            ("s1", S1, "WEEKLY", "WE", "12:00", "14:00"),
        ),
    } | (extra or {})
    manifest = {
        "name": "hsds",
        "resources": [
            {"name": name.removesuffix(".csv").rstrip("s"), "path": name} for name in tables
        ],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if with_manifest:
            archive.writestr(folder + "datapackage.json", json.dumps(manifest))
        for name, text in tables.items():
            archive.writestr(folder + name, text)
    return buffer.getvalue()


def test_a_datapackage_is_joined_into_nested_records():
    converted = datapackage_records(datapackage(folder="hsds/"))
    lunch, walking = converted.records
    assert lunch["organization"]["name"] == "Testford Age"
    location = lunch["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] == "OL1 1AB"
    assert lunch["contacts"][0]["phones"][0]["number"] == "01632 960001"
    assert lunch["schedules"][0]["byday"] == "WE"
    assert walking["service_at_locations"] == [] and walking["contacts"] == []


def test_a_datapackage_zip_uploads_and_imports(world, login):
    client = login(world.manager_a)
    response = _start(client, "oruk_json", _upload("hsds.zip", datapackage()))
    assert response.status_code == 302
    imp = DirectoryImport.objects.get()
    assert imp.state == ImportState.DONE and imp.report["created"] == 2
    lunch = Service.objects.get(pk=S1)
    assert lunch.organization.name == "Testford Age"
    assert lunch.at_locations.get().location.address_1 == "2 Mill Lane"
    assert lunch.schedules.get().byday == "WE"


# --- CSV encodings ---------------------------------------------------------------------------

CSV_TEXT = "Name,Cost,Postcode\r\nCafé social,£2 a session,OL1 1AA\r\n"


def test_utf8_with_or_without_a_bom_and_windows_1252_are_read():
    assert decode_csv(CSV_TEXT.encode()) == (CSV_TEXT, "")
    assert decode_csv(b"\xef\xbb\xbf" + CSV_TEXT.encode()) == (CSV_TEXT, "")
    assert decode_csv(CSV_TEXT.encode("cp1252")) == (CSV_TEXT, "Windows-1252")
    with pytest.raises(Invalid, match="neither UTF-8 nor Windows-1252"):
        decode_csv(CSV_TEXT.encode("utf-16"))


@pytest.mark.parametrize(
    ("raw", "warned"),
    [
        (CSV_TEXT.encode("cp1252"), True),
        (b"\xef\xbb\xbf" + CSV_TEXT.encode(), False),
    ],
)
def test_a_csv_is_decoded_before_its_columns_are_matched(world, login, raw, warned):
    client = login(world.manager_a)
    response = _start(client, "csv", _upload("groups.csv", raw))
    imp = DirectoryImport.objects.get()
    assert imp.state == ImportState.MAPPING
    assert (imp.mapping["name"], imp.mapping["fees"], imp.mapping["postcode"]) == (
        "Name",
        "Cost",
        "Postcode",
    )
    client.post(response["Location"], imp.mapping)
    imp.refresh_from_db()
    assert imp.state == ImportState.DONE and imp.report["created"] == 1
    service = Service.objects.get()
    assert (service.name, service.fees_description) == ("Café social", "£2 a session")
    assert ("read as Windows-1252" in _warnings(imp)) is warned


def test_a_csv_in_neither_encoding_is_refused_at_upload(world, login):
    response = _start(login(world.manager_a), "csv", _upload("x.csv", CSV_TEXT.encode("utf-16")))
    assert response.status_code == 400
    assert "neither UTF-8 nor Windows-1252" in response.content.decode()
    assert not DirectoryImport.objects.exists()


# --- GeoJSON ---------------------------------------------------------------------------------


def geojson():
    def point(name, lon, lat, **props):
        return {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"name": name, **props},
        }

    return {
        "type": "FeatureCollection",
        "features": [
            point(
                "Repair café",
                -2.11,
                53.54,
                description="Bring what is broken",
                url="https://example.org/repair",
                email="fix@example.org",
                phone="01632 960002",
                postcode="OL1 1AA",
            ),
            point("Community fridge", -2.12, 53.55),
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": []}},
        ],
    }


def test_geojson_points_become_services_with_one_location():
    converted = geojson_records(geojson(), salt="testford")
    first, second = converted.records
    location = first["service_at_locations"][0]["location"]
    assert (location["latitude"], location["longitude"]) == (53.54, -2.11)
    assert location["addresses"][0]["postal_code"] == "OL1 1AA"
    assert first["contacts"][0]["phones"][0]["number"] == "01632 960002"
    assert "1 features were left out: only points are read" in converted.notes
    again = geojson_records(geojson(), salt="testford").records
    assert [r["id"] for r in again] == [first["id"], second["id"]]  # stable on re-import


def test_a_geojson_file_uploads_and_imports(world, login):
    client = login(world.manager_a)
    _start(client, "oruk_json", _upload("places.geojson", json.dumps(geojson())))
    imp = DirectoryImport.objects.get()
    assert imp.state == ImportState.DONE and imp.report["created"] == 2
    repair = Service.objects.get(name="Repair café")
    assert repair.url == "https://example.org/repair"
    assert repair.at_locations.get().location.latitude == pytest.approx(53.54)


# --- a feed by address, every page ----------------------------------------------------------


def _page(number, total):
    contents = [
        {"id": f"aaaaaaaa-0000-4000-8000-00000000{number:02d}{i:02d}", "name": f"S{number}.{i}"}
        for i in range(2)
    ]
    return {
        "total_items": 2 * total,
        "total_pages": total,
        "page_number": number,
        "contents": contents,
    }


def test_a_feed_by_address_is_followed_to_its_last_page(world, login, monkeypatch):
    fetched = []

    def fetch(url, **kwargs):
        fetched.append(url)
        number = int(parse_qs(urlsplit(url).query).get("page", ["1"])[0])
        return json.dumps(_page(number, 3)).encode()

    monkeypatch.setattr(import_jobs, "fetch_url", fetch)
    url = "https://feed.example.org/services?per_page=2"
    _start(login(world.manager_a), "url", url=url)
    imp = DirectoryImport.objects.get()
    assert fetched == [url, f"{url}&page=2", f"{url}&page=3"]
    assert imp.report["errors"] == [] and imp.report["created"] == 6, imp.report
    assert imp.job.total == 6 and imp.job.done == 6


def test_a_feed_beyond_the_page_cap_is_read_in_part_and_retires_nothing(world, login, monkeypatch):
    monkeypatch.setattr(import_jobs, "MAX_PAGES", 2)
    monkeypatch.setattr(
        import_jobs,
        "fetch_url",
        lambda url, **kw: json.dumps(_page(2 if "page=2" in url else 1, 5)).encode(),
    )
    client = login(world.manager_a)
    client.post(
        IMPORT_URL,
        {"source": "url", "url": "https://feed.example.org/s", "complete": "on"},
    )
    imp = DirectoryImport.objects.get()
    assert imp.report["created"] == 4 and imp.report.get("retired", []) == []
    assert "the feed has 5 pages: only the first 2 were read" in _warnings(imp)


# --- a wrong file is refused at upload ------------------------------------------------------


def _xlsx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def _plain_zip():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("services.csv", "id,name\n")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("source", "name", "raw", "message"),
    [
        ("csv", "groups.csv", _xlsx(), "This looks like an Excel workbook (.xlsx). Save it as CSV"),
        ("csv", "groups.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 50, "(.xls)"),
        ("oruk_json", "feed.json", b"%PDF-1.7\n...", "This is a PDF"),
        ("oruk_json", "feed.zip", _plain_zip(), "This .zip file has no datapackage.json"),
        ("oruk_json", "feed.json", b'{"hello": 1}', "This JSON is not a list of services"),
        ("oruk_json", "feed.json", b"[1, 2]", "This JSON is not a list of services"),
        ("csv", "hsds.zip", datapackage(), "This is an HSDS datapackage (.zip)"),
    ],
)
def test_a_wrong_file_is_refused_at_upload_saying_what_it_is(
    world, login, source, name, raw, message
):
    assert message in upload_refusal(raw, name, source)
    response = _start(login(world.manager_a), source, _upload(name, raw))
    assert response.status_code == 400
    assert escape(message) in response.content.decode()
    assert not DirectoryImport.objects.exists()


def test_the_staff_api_refuses_with_the_same_check(world):
    coordinator = api(world.org_a, Role.COORDINATOR)
    response = coordinator.post(
        "/api/directory/imports", {"source": "oruk_json", "feed": {"hello": 1}}
    )
    assert response.status_code == 400
    assert "feed" in fields_named(response)
    assert "This JSON is not a list of services" in json.dumps(response.json())
    ok = coordinator.post("/api/directory/imports", {"source": "oruk_json", "feed": [v1_service()]})
    assert ok.status_code == 202 and ok.json()["report"]["created"] == 1
