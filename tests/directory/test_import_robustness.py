"""A real borough's feed is messy: the importer keeps every service a person would keep.

Field-level problems are repaired where the intent is clear, or the field (or one nested
location) is dropped with a warning naming it; only a record that cannot be a service is
rejected, and records in = stored + rejected. Descriptions sent as HTML are stored as clean
plain text. A complete feed of a source retires (never deletes) what vanished from it and
restores what comes back; a partial one retires nothing.

The messy corpus is built here, in the ORUK 3.0 shape and as a council CSV.
"""

import json
import uuid

import pytest

from commonweave.core.text import html_to_text
from commonweave.demo.factories import PlaceFactory
from commonweave.directory import exporter, importer, selectors
from commonweave.directory.forms import ImportForm
from commonweave.directory.models import (
    ChangeRecord,
    Contact,
    DirectoryImport,
    Location,
    Organization,
    Service,
)
from commonweave.tenancy.enums import Role

from .api_helpers import api

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    return PlaceFactory(name="Oldham", slug="oldham")


@pytest.fixture
def coordinator(world):
    return api(world.org_a, Role.COORDINATOR)


PLACEHOLDERS = ["NA", "N/A", "n/a", "-", "none", "null", "TBC"]


def uid(n: int) -> str:
    return str(uuid.UUID(int=n, version=4))


def service(n: int, name: str, **extra) -> dict:
    return {"id": uid(n), "name": name, "status": "active", **extra}


def location(n: int, postcode: str, **extra) -> dict:
    return {
        "id": uid(n + 1),
        "location": {
            "id": uid(n),
            "location_type": "physical",
            "addresses": [
                {"address_1": "1 Union Street", "city": "Oldham", "postal_code": postcode}
            ],
            **extra,
        },
    }


HTML_DESCRIPTION = (
    "<h3>Facilities</h3><p>FREE&nbsp;Wi-Fi &amp; &quot;tea&quot;</p>"
    "<ul><li>Toilets</li><li>Step-free&nbsp;access</li></ul>"
    "<p>Fish &amp;amp; chips on Fridays<br>Bring a friend</p><script>track()</script>"
)


def messy_oruk_feed() -> dict:
    """One record per defect class, each still a service a person would keep, plus two
    records that cannot be a service (no name; no name and no id)."""
    contents = [
        service(100, "Scheme-less website", url="www.example.org"),
        service(110, "  Spaced  out  ", url="  https://example.org/spaced  ", email=" a@x.org "),
        service(120, "Bracketed email", email="<info@x.org>"),
        service(130, "Mailto email", email="mailto:info@x.org"),
        service(140, "Trailing dot email", email="info@x.org."),
        service(150, "Bad email", email="not an email"),
        service(160, "Ftp site", url="ftp://files.example.org"),
        service(170, "JavaScript link", url="javascript:alert(1)"),
        service(
            180,
            "Two locations, one bad postcode",
            service_at_locations=[location(181, "OL1 1AA"), location(183, "NOTAPOSTCODE")],
        ),
        service(190, "Html description", description=HTML_DESCRIPTION),
        service(200, "Bad age", minimum_age="eighteen", maximum_age="200"),
        service(210, "Odd status", status="temporarily_closed"),
        service(220, "Unknown status", status="maybe"),
        {"id": "council-42", "name": "Council numeric id"},
        {"name": "No id at all"},
        service(
            230,
            "Organisation with a bad website",
            organization={"id": uid(231), "name": "Friends of Alexandra Park", "website": "-"},
        ),
        service(
            240,
            "Organisation without a name",
            organization={"id": uid(241), "name": "", "email": "x@y.org"},
        ),
        service(
            250,
            "Contact with placeholders",
            contacts=[
                {"id": uid(251), "name": "Jo", "email": "N/A", "phones": [{"number": "TBC"}]},
                {"id": "c-2", "name": "Sam", "email": "sam@", "phones": [{"number": "0161 1"}]},
            ],
        ),
        service(260, "Bad term", attributes=[{"taxonomy_term": {"id": uid(261), "name": ""}}]),
        service(
            270,
            "Bad coordinates",
            service_at_locations=[location(271, "OL1 1AB", latitude=123, longitude=-2.1)],
        ),
        {"id": uid(900), "name": "   "},  # rejected: no name
        {"description": "neither a name nor an id"},  # rejected
        "not even an object",  # rejected
    ]
    # A placeholder in each address, email and phone field is no value, not a warning.
    for i, placeholder in enumerate(PLACEHOLDERS):
        contents.append(
            service(
                300 + i * 10,
                f"Placeholder {placeholder}",
                url=placeholder,
                email=placeholder,
                contacts=[{"id": uid(301 + i * 10), "phones": [{"number": placeholder}]}],
            )
        )
    return {"total_items": len(contents), "contents": contents}


STORABLE = 20 + len(PLACEHOLDERS)  # every record with a name
REJECTED = 3


def by_name(place, name) -> Service:
    return Service.objects.get(place=place, name=name)


def warnings_of(report, name_or_number) -> dict:
    """{field: reason} of one record's warnings."""
    return {w.field: w[2] for w in report.warnings if w[0] == name_or_number}


def number_of(feed, name) -> int:
    names = [r.get("name") if isinstance(r, dict) else None for r in feed["contents"]]
    return names.index(name) + 1


# --- 1. Keep every service a person would keep --------------------------------------------


def test_no_service_is_lost_for_a_field_and_the_counts_add_up(place):
    feed = messy_oruk_feed()
    report = importer.import_oruk(place, feed)
    assert report.records == len(feed["contents"])
    assert (report.stored, report.rejected) == (STORABLE, REJECTED)
    assert report.records == report.stored + report.rejected
    assert Service.objects.filter(place=place).count() == STORABLE
    # Rejected only for what cannot be a service; each with its field and reason.
    assert sorted((e[0], e.field, e[2]) for e in report.errors) == [
        (21, "name", "the service has no name"),
        (22, "name", "the service has no name"),
        (23, "record", "the record is not a JSON object"),
    ]
    # Every warning names its field and says why; stored_with_warnings counts records.
    assert report.warnings and all(w.field and w[2] for w in report.warnings)
    assert report.stored_with_warnings == len({w[0] for w in report.warnings})
    assert report.stored_with_warnings < report.stored


def test_fields_are_repaired_where_the_intent_is_clear(place):
    feed = messy_oruk_feed()
    report = importer.import_oruk(place, feed)
    assert by_name(place, "Scheme-less website").url == "https://www.example.org"
    spaced = by_name(place, "Spaced out")
    assert (spaced.url, spaced.email) == ("https://example.org/spaced", "a@x.org")
    for name in ["Bracketed email", "Mailto email", "Trailing dot email"]:
        assert by_name(place, name).email == "info@x.org"
        assert warnings_of(report, number_of(feed, name)) == {}  # repaired: no warning
    assert by_name(place, "Odd status").status == "temporarily closed"
    # Ids that are not UUIDs, or missing, give a stable UUID (so a re-import matches).
    numeric = by_name(place, "Council numeric id")
    assert warnings_of(report, number_of(feed, "Council numeric id")) == {
        "id": "service id is not a UUID: an id was made from it"
    }
    assert by_name(place, "No id at all").pk != numeric.pk


def test_placeholders_in_address_email_and_phone_fields_mean_none(place):
    feed = messy_oruk_feed()
    report = importer.import_oruk(place, feed)
    for placeholder in PLACEHOLDERS:
        entry = by_name(place, f"Placeholder {placeholder}")
        assert (entry.url, entry.email) == ("", "")
        assert list(Contact.objects.filter(service=entry).values_list("phone", flat=True)) == [""]
        assert warnings_of(report, number_of(feed, f"Placeholder {placeholder}")) == {}
    jo = Contact.objects.get(name="Jo")
    assert (jo.email, jo.phone) == ("", "")


def test_fields_that_cannot_be_used_are_dropped_with_a_warning_naming_them(place):
    feed = messy_oruk_feed()
    report = importer.import_oruk(place, feed)

    def warned(name):
        return warnings_of(report, number_of(feed, name))

    assert warned("Bad email") == {"email": "email is not a valid address"}
    assert by_name(place, "Bad email").email == ""
    assert warned("Ftp site") == {"url": "url is not an http or https address"}
    assert warned("JavaScript link") == {"url": "url is not an http or https address"}
    assert by_name(place, "JavaScript link").url == ""
    assert warned("Bad age") == {
        "minimum_age": "minimum_age is not a number",
        "maximum_age": "maximum_age is out of range",
    }
    assert warned("Unknown status")["status"].startswith("status is not one of")
    assert by_name(place, "Unknown status").status == "active"
    assert warned("Organisation without a name") == {
        "organization name": "an organization has no name: it was left out"
    }
    assert by_name(place, "Organisation without a name").organization is None
    org = by_name(place, "Organisation with a bad website").organization
    assert (org.name, org.website) == ("Friends of Alexandra Park", "")
    assert warned("Contact with placeholders") == {
        "contact email": "contact email is not a valid address",
    }
    assert sorted(
        Contact.objects.filter(service__name="Contact with placeholders").values_list(
            "name", "email", "phone"
        )
    ) == [("Jo", "", ""), ("Sam", "", "0161 1")]
    assert warned("Bad term") == {"taxonomy term name": "a taxonomy term has no name"}
    assert warned("Bad coordinates") == {
        "location latitude/longitude": "coordinates out of range were dropped"
    }


def test_a_bad_postcode_drops_that_location_only(place):
    feed = messy_oruk_feed()
    report = importer.import_oruk(place, feed)
    entry = by_name(place, "Two locations, one bad postcode")
    kept = [sal.location for sal in entry.at_locations.select_related("location")]
    assert [loc.postal_code for loc in kept] == ["OL1 1AA"]
    assert not Location.objects.filter(pk=uid(183)).exists()
    assert warnings_of(report, number_of(feed, "Two locations, one bad postcode")) == {
        "location postal_code": "a location has a postcode that is not a UK postcode: "
        "the location was left out"
    }


def test_a_rejected_record_leaves_no_warning_and_nothing_half_saved(place):
    feed = {"contents": [service(1, "Fine"), {"id": uid(2), "name": "", "email": "bad"}]}
    report = importer.import_oruk(place, feed)
    assert [w[0] for w in report.warnings] == []
    assert not Service.objects.filter(pk=uid(2)).exists()


# --- 2. Clean text from HTML ----------------------------------------------------------------


def test_html_descriptions_become_clean_plain_text(place):
    importer.import_oruk(place, messy_oruk_feed())
    text = by_name(place, "Html description").description
    assert text == (
        "Facilities\n\n"
        'FREE Wi-Fi & "tea"\n\n'
        "• Toilets\n"
        "• Step-free access\n\n"
        "Fish & chips on Fridays\n"
        "Bring a friend"
    )
    published = json.dumps(exporter.export_oruk(place), ensure_ascii=False)
    for entity in ("&nbsp;", "&amp;", "&quot;", "\\u00a0", "track()"):
        assert entity not in published
    for entry in Service.objects.filter(place=place):
        for value in (entry.description, entry.name, entry.search_text):
            assert "&nbsp;" not in value and "&amp;" not in value and "&quot;" not in value


def test_searching_for_entity_debris_finds_nothing(place):
    importer.import_oruk(place, messy_oruk_feed())
    found = selectors.find_services(place, selectors.Filters(text="nbsp"))
    assert found.total == 0
    found = selectors.find_services(place, selectors.Filters(text="facilities"))
    assert found.total == 1


@pytest.mark.parametrize(
    "given, expected",
    [
        ("Facilities</h3><p>FREE Wi-Fi</p>", "Facilities\n\nFREE Wi-Fi"),
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("<ol><li>First</li><li>Second</li></ol>", "1. First\n2. Second"),
        ("<div>a<div>b</div>c</div>", "a\n\nb\n\nc"),
        ("Tea &amp; cake&nbsp;&pound;2", "Tea & cake £2"),
        (
            "Plain text\r\n\r\n\r\nwith   paragraphs\nand lines",
            "Plain text\n\nwith paragraphs\nand lines",
        ),
        ("<b>Hot</b> dinners<!-- x --><style>p{}</style>", "Hot dinners"),
        ("Ages < 5 & over", "Ages < 5 & over"),
        ("", ""),
        (None, ""),
    ],
)
def test_html_to_text(given, expected):
    assert html_to_text(given) == expected


def test_html_to_text_survives_deep_nesting():
    assert html_to_text("<div>" * 5000 + "deep" + "</div>" * 5000) == "deep"


# --- re-import is idempotent ------------------------------------------------------------------


def test_reimporting_the_messy_feed_changes_nothing(place):
    importer.import_oruk(place, messy_oruk_feed(), complete=True, source_key="council")
    before = list(Service.objects.order_by("pk").values_list("pk", "updated_at", "version"))
    history = ChangeRecord.objects.count()
    again = importer.import_oruk(place, messy_oruk_feed(), complete=True, source_key="council")
    assert (again.created, again.updated, again.unchanged) == (0, 0, STORABLE)
    assert (again.retired, again.restored) == ([], [])
    assert ChangeRecord.objects.count() == history
    assert list(Service.objects.order_by("pk").values_list("pk", "updated_at", "version")) == before


# --- 3. A complete feed retires what vanished ---------------------------------------------------


def feed_of(*numbers) -> list:
    return [service(n, f"Service {n}") for n in numbers]


def test_a_complete_reimport_retires_what_vanished_and_restores_what_returns(place):
    importer.import_oruk(place, feed_of(1, 2, 3), complete=True, source_key="council feed")
    assert set(Service.objects.values_list("import_source", flat=True)) == {"council feed"}

    report = importer.import_oruk(place, feed_of(1, 3), complete=True, source_key="council feed")
    gone = Service.objects.get(pk=uid(2))  # never deleted
    assert gone.status == "inactive"
    assert report.retired == [(gone.pk, "Service 2")]
    assert report.as_dict()["retired"] == [[uid(2), "Service 2"]]
    assert ChangeRecord.objects.filter(object_id=uid(2)).first().changes["status"] == [
        "active",
        "inactive",
    ]
    # Retired once: the next complete import without it reports nothing new.
    again = importer.import_oruk(place, feed_of(1, 3), complete=True, source_key="council feed")
    assert again.retired == [] and again.unchanged == 2

    back = importer.import_oruk(place, feed_of(1, 2, 3), complete=True, source_key="council feed")
    assert Service.objects.get(pk=uid(2)).status == "active"
    assert back.restored == [(uuid.UUID(uid(2)), "Service 2")]
    assert back.retired == []


def test_a_partial_import_retires_nothing(place):
    importer.import_oruk(place, feed_of(1, 2), complete=True, source_key="council feed")
    report = importer.import_oruk(place, feed_of(3), source_key="council feed")
    assert report.retired == []
    assert set(Service.objects.values_list("status", flat=True)) == {"active"}
    csv_report = importer.import_csv(place, "name,postcode\nChess club,OL1 1AA\n")
    assert csv_report.retired == [] and not csv_report.complete


def test_only_the_same_source_is_retired_and_rejected_records_still_count_as_present(place):
    importer.import_oruk(place, feed_of(1, 2), complete=True, source_key="council feed")
    importer.import_oruk(place, feed_of(10), complete=True, source_key="nhs feed")
    Service.objects.create(place=place, name="Typed in by hand")
    # Record 2 is in the feed but cannot be stored (its name is gone): not retired.
    feed = [service(1, "Service 1"), {"id": uid(2), "name": ""}]
    report = importer.import_oruk(place, feed, complete=True, source_key="council feed")
    assert report.rejected == 1 and report.retired == []
    assert set(Service.objects.values_list("status", flat=True)) == {"active"}


def test_a_complete_feed_that_stored_nothing_retires_nothing(place):
    importer.import_oruk(place, feed_of(1, 2), complete=True, source_key="council feed")
    report = importer.import_oruk(place, [{"id": uid(1)}], complete=True, source_key="council feed")
    assert report.retired == []
    assert report.warnings[-1][2] == (
        "nothing was stored from this complete feed, so nothing was retired"
    )
    assert set(Service.objects.values_list("status", flat=True)) == {"active"}


def test_a_complete_import_needs_its_source():
    with pytest.raises(ValueError):
        importer.import_oruk(None, [], complete=True)


# --- the council CSV -------------------------------------------------------------------------


def test_a_messy_council_csv_keeps_every_named_row(place):
    text = (
        "Name,Description,Website,Email,Postcode,Min age\n"
        "Chess club,<p>Fridays&nbsp;7pm</p><p>All welcome</p>,www.chess.example.org,"
        "<chess@x.org>,OL1 1AA,N/A\n"
        "Knit and natter,Bring wool,N/A,TBC,NOTAPOSTCODE,-\n"
        "  Sewing bee  ,, ftp://x.org ,mailto:sew@x.org.,OL1 1AB,eight\n"
        ",,,,,\n"
        ",Orphan description,,,,\n"
    )
    mapping = importer.guess_mapping(importer.csv_headers(text))
    assert (mapping["minimum_age"], mapping["url"], mapping["postcode"]) == (
        "Min age",
        "Website",
        "Postcode",
    )
    report = importer.import_csv(place, text, mapping)
    # The row of empty cells is not a record; the one without a name is rejected.
    assert (report.records, report.stored, report.rejected) == (4, 3, 1)
    assert [(e[0], e.field) for e in report.errors] == [(4, "name")]
    chess = by_name(place, "Chess club")
    assert (chess.url, chess.email, chess.minimum_age) == (
        "https://www.chess.example.org",
        "chess@x.org",
        None,
    )
    assert chess.description == "Fridays 7pm\n\nAll welcome"
    knit = by_name(place, "Knit and natter")
    assert (knit.url, knit.email, knit.at_locations.count()) == ("", "", 0)
    sew = by_name(place, "Sewing bee")
    assert sew.email == "sew@x.org" and sew.url == ""
    assert {(w[0], w.field) for w in report.warnings} == {
        (2, "location postal_code"),
        (3, "url"),
        (3, "minimum_age"),
    }
    again = importer.import_csv(place, text, mapping)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


# --- the choice on the form, the API and the report pages ---------------------------------------


def test_the_import_form_offers_the_choice_and_is_partial_by_default():
    form = ImportForm({"source": "url", "url": "https://example.org/feed"})
    assert form.is_valid(), form.errors
    assert form.import_options() == {"complete": False, "source_name": ""}
    form = ImportForm(
        {
            "source": "url",
            "url": "https://example.org/feed",
            "complete": "on",
            "source_name": "  Oldham  council ",
        }
    )
    assert form.is_valid(), form.errors
    assert form.import_options() == {"complete": True, "source_name": "Oldham council"}


def test_the_staff_api_runs_a_complete_import_and_reports_retired_and_restored(
    world, coordinator, login
):
    def run(numbers, **options):
        response = coordinator.post(
            "/api/directory/imports",
            {"source": "oruk_json", "feed": feed_of(*numbers), **options},
        )
        assert response.status_code == 202, response.json()
        return coordinator.get(f"/api/directory/imports/{response.json()['id']}").json()

    first = run([1, 2], complete=True, source_name="Council")
    assert (first["complete"], first["source_key"]) == (True, "Council")
    partial = run([3], source_name="Council")
    assert partial["complete"] is False and partial["report"]["retired"] == []
    second = run([1, 3], complete=True, source_name="Council")
    assert second["report"]["retired"] == [{"id": uid(2), "name": "Service 2"}]
    assert Service.objects.get(pk=uid(2)).status == "inactive"
    imp = DirectoryImport.objects.get(public_id=second["id"])
    page = (
        login(world.manager_a)
        .get(f"/directory/{world.place.slug}/import/{imp.public_id}/")
        .content.decode()
    )
    assert "Retired: no longer in the feed, now inactive" in page and "Service 2" in page
    third = run([1, 2, 3], complete=True, source_name="Council")
    assert third["report"]["restored"] == [{"id": uid(2), "name": "Service 2"}]
    assert third["report"]["records"] == third["report"]["stored"] == 3


def test_the_report_page_lists_each_warning_with_its_field(world, coordinator, login):
    response = coordinator.post(
        "/api/directory/imports", {"source": "oruk_json", "feed": messy_oruk_feed()}
    )
    body = coordinator.get(f"/api/directory/imports/{response.json()['id']}").json()
    report = body["report"]
    assert report["records"] == report["stored"] + report["rejected"]["count"]
    assert all(w["field"] and w["reason"] for w in report["warned"])
    assert all(len(w) == 4 for w in report["warnings"])
    page = (
        login(world.manager_a)
        .get(f"/directory/{world.place.slug}/import/{body['id']}/")
        .content.decode()
    )
    assert "Imported with a warning" in page
    assert "location postal_code" in page and "Email is not a valid address" in page
    assert f"{STORABLE + REJECTED}" in page  # records in the file


def test_reports_kept_before_fields_were_named_still_render(world, login):
    imp = DirectoryImport.objects.create(
        public_id="oldreport001",
        place=world.place,
        source="oruk_json",
        state="done",
        report={
            "created": 1,
            "updated": 0,
            "unchanged": 0,
            "errors": [[2, "x", "the service has no name"]],
            "warnings": [[1, "y", "coordinates out of range were dropped"]],
        },
    )
    page = (
        login(world.manager_a)
        .get(f"/directory/{world.place.slug}/import/{imp.public_id}/")
        .content.decode()
    )
    assert "The service has no name" in page and "Coordinates out of range" in page
    assert Organization.objects.count() == 0
