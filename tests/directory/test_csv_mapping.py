"""A council's spreadsheet: every column it commonly carries can be mapped (most are guessed
from their header), and each is kept: status, phone, email, opening hours, cost, categories,
languages, accessibility. A cell that cannot be used is a warning, never a rejected row."""

import csv
import io
from datetime import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commonweave.demo.factories import PlaceFactory
from commonweave.directory import importer
from commonweave.directory.enums import ImportState, ServiceStatus
from commonweave.directory.importer.csv_fields import (
    is_free,
    read_hours,
    read_sessions,
    read_status,
)
from commonweave.directory.models import DirectoryImport, Service
from commonweave.directory.services import ensure_default_taxonomy

pytestmark = pytest.mark.django_db

HEADERS = [
    "Charity number",
    "Service name",
    "Details",
    "Active",
    "Organisation name",
    "Organisation website",
    "Web site",
    "E-mail",
    "Telephone",
    "Opening times",
    "Cost",
    "Who it is for",
    "Min age",
    "Max age",
    "Languages",
    "Disabled access",
    "Address",
    "Town",
    "Post code",
    "Lat",
    "Lng",
    "Categories",
]
ROWS = [
    [
        "1012345", "Chess club", "Weekly chess", "Yes", "Oldham Chess", "oldhamchess.org",
        "www.chess.example.org", "chess@example.org", "0161 123 4567", "Wednesdays 10:00-12:00",
        "Free", "Everyone", "8", "99", "English, Polish", "Step-free entrance",
        "1 High Street", "Oldham", "OL1 1AA", "", "", "Social groups and friendship, Older people",
    ],
    [
        "1012346", "Lunch club", "Hot meals", "No", "", "", "", "lunch@example.org",
        "01611234568", "Mon-Fri 9am-5pm", "£2.50 a meal", "", "", "", "", "", "", "", "",
        "", "", "Food and lunch clubs",
    ],
    [
        "1012347", "Walking group", "", "Temporarily closed", "", "", "", "not an email",
        "", "Every other Tuesday, weather permitting", "No charge", "", "old", "", "Klingon",
        "Ramp", "", "", "", "", "", "Knitting, Physical activity",
    ],
]  # fmt: skip


def council_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(ROWS)
    return out.getvalue()


@pytest.fixture
def place():
    place = PlaceFactory(name="Oldham", slug="oldham")
    ensure_default_taxonomy(place)
    return place


def by_name(place, name) -> Service:
    return Service.objects.get(place=place, name=name)


def test_common_council_headers_are_guessed():
    mapping = importer.guess_mapping(HEADERS)
    assert mapping == {
        "id": "Charity number",
        "name": "Service name",
        "description": "Details",
        "status": "Active",
        "organization": "Organisation name",
        "organization_url": "Organisation website",
        "url": "Web site",
        "email": "E-mail",
        "phone": "Telephone",
        "opening_hours": "Opening times",
        "fees": "Cost",
        "eligibility": "Who it is for",
        "minimum_age": "Min age",
        "maximum_age": "Max age",
        "languages": "Languages",
        "accessibility": "Disabled access",
        "address_1": "Address",
        "city": "Town",
        "postcode": "Post code",
        "latitude": "Lat",
        "longitude": "Lng",
        "category": "Categories",
    }


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Tel", "phone"),
        ("Phone number", "phone"),
        ("PHONE_NUMBER", "phone"),
        ("URL", "url"),
        ("Website", "url"),
        ("Hours", "opening_hours"),
        ("Opening hours", "opening_hours"),
        ("Status", "status"),
        ("Reference", "id"),
        ("ID", "id"),
        ("Email address", "email"),
        ("Postal code", "postcode"),
    ],
)
def test_header_spellings_are_guessed(header, field):
    assert importer.guess_mapping([header])[field] == header


def test_a_column_is_guessed_for_one_field_only():
    mapping = importer.guess_mapping(["Name", "Status", "Active"])
    assert (mapping["status"], mapping["name"]) == ("Status", "Name")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Active", ServiceStatus.ACTIVE),
        ("Yes", ServiceStatus.ACTIVE),
        ("Closed", ServiceStatus.INACTIVE),
        ("Inactive", ServiceStatus.INACTIVE),
        ("N", ServiceStatus.INACTIVE),
        ("temporarily closed", ServiceStatus.TEMPORARILY_CLOSED),
        ("Suspended", ServiceStatus.TEMPORARILY_CLOSED),
        ("maybe", None),
    ],
)
def test_status_spellings(given, expected):
    assert read_status(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Mon-Fri 9am-5pm", ("MO,TU,WE,TH,FR", "09:00", "17:00")),
        ("Wednesdays 10:00-12:00", ("WE", "10:00", "12:00")),
        ("Monday to Friday, 9.30am - 4pm", ("MO,TU,WE,TH,FR", "09:30", "16:00")),
        ("Tues & Thurs 1-3pm", ("TU,TH", "13:00", "15:00")),
        ("9-5", None),
        ("Mon-Fri 9-5", None),
        ("Every other Tuesday", None),
        ("Fri-Mon 9am-5pm", None),
        ("Sat 5pm-9am", None),
    ],
)
def test_only_simple_opening_hours_are_read_as_days_and_times(given, expected):
    found = read_hours(given)
    assert (found and (found["byday"], found["opens_at"], found["closes_at"])) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "Mon 9-12, Wed 1-4pm",
            [("MO", "09:00", "12:00", "Mon 9-12"), ("WE", "13:00", "16:00", "Wed 1-4pm")],
        ),
        (
            "Tuesday and Thursday 10am-2pm",
            [("TU,TH", "10:00", "14:00", "Tuesday and Thursday 10am-2pm")],
        ),
        (
            "Mon-Fri 9am-12pm, 1pm-4pm",
            [
                ("MO,TU,WE,TH,FR", "09:00", "12:00", "Mon-Fri 9am-12pm"),
                ("MO,TU,WE,TH,FR", "13:00", "16:00", "Mon-Fri 1pm-4pm"),
            ],
        ),
        (
            "Tuesday 10am-2pm and Thursday 13:00-15:00.",
            [
                ("TU", "10:00", "14:00", "Tuesday 10am-2pm"),
                ("TH", "13:00", "15:00", "Thursday 13:00-15:00"),
            ],
        ),
        ("Mon 9-17", [("MO", "09:00", "17:00", "Mon 9-17")]),
        # Unclear: the whole cell stays in words.
        ("Mon 9am-12pm, Wed 1-4", None),  # 1-4 could be night or afternoon
        ("Mon 1-4", None),
        ("Mon 9am-5pm (term time only)", None),
        ("Monthly 9am-5pm", None),
        ("9am-5pm Mon-Fri", None),
        ("Every other Tuesday, weather permitting", None),
    ],
)
def test_several_sessions_are_read_only_when_every_part_is_clear(given, expected):
    found = read_sessions(given)
    got = found and [(s["byday"], s["opens_at"], s["closes_at"], s["text"]) for s in found]
    assert got == expected


def test_a_cell_of_several_sessions_becomes_a_schedule_each(place):
    text = (
        "Name,Opening times\n"
        'Chess club,"Mon 9-12, Wed 1-4pm"\n'
        "Lunch club,Tuesday and Thursday 10am-2pm\n"
        'Walking group,"Mon 9am-12pm, Wed 1-4"\n'
    )
    report = importer.import_csv(place, text, importer.guess_mapping(["Name", "Opening times"]))
    assert (report.stored, report.rejected, report.warnings) == (3, 0, [])
    chess = by_name(place, "Chess club")
    assert [
        (s.byday, s.opens_at, s.closes_at, s.description) for s in chess.schedules.order_by("byday")
    ] == [
        ("MO", time(9), time(12), "Mon 9-12"),
        ("WE", time(13), time(16), "Wed 1-4pm"),
    ]
    (lunch,) = by_name(place, "Lunch club").schedules.all()
    assert (lunch.byday, lunch.opens_at, lunch.closes_at) == ("TU,TH", time(10), time(14))
    assert lunch.description == "Tuesday and Thursday 10am-2pm"
    (walk,) = by_name(place, "Walking group").schedules.all()
    assert (walk.byday, walk.opens_at, walk.description) == ("", None, "Mon 9am-12pm, Wed 1-4")
    again = importer.import_csv(place, text, importer.guess_mapping(["Name", "Opening times"]))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


PHONE_MAPPING = {"name": "Name", "phone": "Phone"}


@pytest.mark.parametrize(
    "typed", ["0161 123 4567", "01611234567", "+44 161 123 4567", "(0161) 123-4567"]
)
def test_a_uk_phone_number_is_stored_in_its_national_format(place, typed):
    report = importer.import_csv(place, f"Name,Phone\nChess club,{typed}\n", PHONE_MAPPING)
    assert (report.stored, report.warnings) == (1, [])
    chess = by_name(place, "Chess club")
    assert [c.phone for c in chess.contacts.all()] == ["0161 123 4567"]


@pytest.mark.parametrize(
    ("typed", "warned"),
    [
        ("12345", True),
        ("+33 1 23 45 67 89", True),  # a valid number, but not a UK one
        ("Ring the office", True),
        ("0161 123 4567 (Mon-Fri)", True),  # words around it: kept as typed
        ("116 123", False),  # a UK short number: kept without a warning
    ],
)
def test_a_phone_that_is_not_a_uk_number_is_kept_as_typed_with_a_warning(place, typed, warned):
    report = importer.import_csv(place, f"Name,Phone\nChess club,{typed}\n", PHONE_MAPPING)
    assert (report.stored, report.rejected) == (1, 0)
    assert [c.phone for c in by_name(place, "Chess club").contacts.all()] == [typed]
    assert [(w[0], w.field) for w in report.warnings] == ([(1, "phone")] if warned else [])
    assert report.stored_with_warnings == int(warned)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("Free", True), ("£0", True), ("£0.00", True), ("No charge", True), ("£2", False)],
)
def test_costs_that_mean_free(given, expected):
    assert is_free(given) is expected


def test_a_council_csv_keeps_every_mapped_field(place):
    text = council_csv()
    mapping = importer.guess_mapping(importer.csv_headers(text))
    report = importer.import_csv(place, text, mapping)
    assert (report.records, report.stored, report.rejected) == (3, 3, 0)

    chess = by_name(place, "Chess club")
    assert chess.status == ServiceStatus.ACTIVE
    assert (chess.url, chess.email) == ("https://www.chess.example.org", "chess@example.org")
    assert [c.phone for c in chess.contacts.all()] == ["0161 123 4567"]
    (schedule,) = chess.schedules.all()
    assert (schedule.description, schedule.byday) == ("Wednesdays 10:00-12:00", "WE")
    assert (schedule.opens_at, schedule.closes_at) == (time(10), time(12))
    assert chess.is_free and chess.fees_description == ""
    assert (chess.minimum_age, chess.maximum_age, chess.eligibility) == (8, 99, "Everyone")
    assert chess.languages == ["en", "pl"]
    assert chess.organization.name == "Oldham Chess"
    assert chess.organization.website == "https://oldhamchess.org"
    (loc,) = [sal.location for sal in chess.at_locations.all()]
    assert (loc.address_1, loc.city, loc.postal_code) == ("1 High Street", "Oldham", "OL1 1AA")
    assert [row["description"] for row in loc.accessibility] == ["Step-free entrance"]
    assert set(chess.taxonomy_terms.values_list("code", flat=True)) == {"social", "older"}

    lunch = by_name(place, "Lunch club")
    assert lunch.status == ServiceStatus.INACTIVE  # "No" in the Active column: not published
    assert not Service.objects.filter(place=place, name="Lunch club", status="active").exists()
    assert [c.phone for c in lunch.contacts.all()] == ["0161 123 4568"]  # as UK numbers are
    (schedule,) = lunch.schedules.all()
    assert (schedule.byday, schedule.opens_at, schedule.closes_at) == (
        "MO,TU,WE,TH,FR",
        time(9),
        time(17),
    )
    assert not lunch.is_free and lunch.fees_description == "£2.50 a meal"
    assert list(lunch.taxonomy_terms.values_list("code", flat=True)) == ["food"]

    walk = by_name(place, "Walking group")
    assert walk.status == ServiceStatus.TEMPORARILY_CLOSED
    (schedule,) = walk.schedules.all()
    assert schedule.description == "Every other Tuesday, weather permitting"
    assert (schedule.byday, schedule.opens_at) == ("", None)  # words only: not simple
    assert walk.is_free and walk.email == "" and walk.minimum_age is None
    assert list(walk.taxonomy_terms.values_list("code", flat=True)) == ["physical"]
    # Each cell that could not be used is a warning on its row, naming the field.
    assert {(w[0], w.field) for w in report.warnings} == {
        (3, "email"),
        (3, "minimum_age"),
        (3, "languages"),
        (3, "accessibility"),
        (3, "category"),
    }
    assert report.stored_with_warnings == 1

    # The charity number is the id: a re-import updates the same entries, changing nothing.
    again = importer.import_csv(place, text, mapping)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 0)
    assert Service.objects.filter(place=place).count() == 3


def test_an_unknown_status_is_a_warning_not_a_rejected_row(place):
    text = "Name,Status\nChess club,Maybe\n"
    report = importer.import_csv(place, text, importer.guess_mapping(["Name", "Status"]))
    assert (report.stored, report.rejected) == (1, 0)
    assert [w.field for w in report.warnings] == ["status"]


def test_the_mapping_page_offers_every_field(world, login):
    client = login(world.manager_a)
    upload = SimpleUploadedFile("council.csv", council_csv().encode(), content_type="text/csv")
    response = client.post("/directory/testford/import/", {"source": "csv", "file": upload})
    imp = DirectoryImport.objects.get()
    assert imp.state == ImportState.MAPPING
    assert imp.mapping["phone"] == "Telephone" and imp.mapping["status"] == "Active"
    page = client.get(response["Location"]).content.decode()
    for field in importer.CSV_FIELDS:
        assert f'name="{field}"' in page
    for label in ["Phone", "Opening hours", "Languages", "Accessibility", "Organisation website"]:
        assert label in page
    assert '<option value="Telephone" selected>Telephone</option>' in page
    assert '<option value="Opening times" selected>Opening times</option>' in page
    client.post(response["Location"], imp.mapping)
    imp.refresh_from_db()
    assert imp.state == ImportState.DONE
    assert imp.report["stored"] == 3
    assert {(w[0], w[3]) for w in imp.report["warnings"]} >= {(3, "category"), (3, "email")}
    assert Service.objects.get(place=world.place, name="Lunch club").status == "inactive"
