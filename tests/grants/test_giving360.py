"""Awards as 360Giving 1.4.3 open data, safe for the people who receive them: the package
validates against the schema (offline), every grant to a person carries its codes and names
nobody (their email, postcode and phone, and the catalyst's words about them, do not leak),
small groups give only the local authority, community grants carry GB-CHC / GB-COH ids, the
project's own checker refuses a hand-broken package, and the page is for the funds' runners
with every download audited."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from commonweave.audit.enums import Action
from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import ResidentFactory
from commonweave.directory.models import PostcodeLookup
from commonweave.grants import giving360, services
from commonweave.grants.models import Fund
from commonweave.mutualaid.enums import AidFrontDoor, Kind
from commonweave.mutualaid.models import Request
from tests.conftest import assert_access, client_for
from tests.mutualaid.factories import category, neighbourhood

PREFIX = "360G-testford"
EMAIL, POSTCODE, PHONE = "jo.bloggs@example.org", "HV1 2AB", "07700 900123"
FREE_TEXT = f"For Jo Bloggs ({EMAIL}, {PHONE}) at 12 Mill Lane, {POSTCODE}"
URL = reverse("grants:open_data")


def _approve(money, award, amount=None):
    return services.award_decide(viewer=money.first, award=award, decision="approve", amount=amount)


def _postcode(postcode, *, ward="E05000001", lsoa="E01000001", lad="E08000004"):
    PostcodeLookup.objects.create(
        postcode=postcode.replace(" ", "").upper(),
        latitude=53.545,
        longitude=-2.115,
        ward_code=ward,
        lsoa_code=lsoa,
        lad_code=lad,
    )


@pytest.fixture
def ledger(world, money):
    """Awards of every kind, approved, with a resident and free text that hold an email, a
    postcode and a phone number; one declined and one waiting, which are not published."""
    place = world.place
    place.suppression_threshold = 2
    place.save(update_fields=["suppression_threshold"])
    ward = neighbourhood(place, "Hartley North")
    ward.code = "E05000001"
    ward.save(update_fields=["code"])
    _postcode(POSTCODE)
    _postcode("HV1 3CD")

    jo = ResidentFactory(
        organisation=world.org_a,
        catalyst=world.catalyst_a,
        full_name="Jo Bloggs",
        email=EMAIL,
        phone=PHONE,
        postcode=POSTCODE,
        address="12 Mill Lane",
    )
    sam = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a, postcode="HV1 3CD")
    alex = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a, postcode="HV1 3CD")
    nowhere = ResidentFactory(
        organisation=world.org_a, catalyst=world.catalyst_a, postcode="ZZ9 9ZZ"
    )

    def personal(resident, purpose="GTIP100", reason="GTIR010", amount="45.50", **more):
        award = services.award_request(
            viewer=money.catalyst,
            fund=money.fund,
            resident=resident,
            title=FREE_TEXT,
            why=f"Jo's daughter said call {PHONE} or email {EMAIL}",
            amount=amount,
            purpose_code=purpose,
            reason_code=reason,
            **more,
        )
        return _approve(money, award)

    awards = {
        # Two people, one purpose, one ward: at the threshold (2), the ward is published.
        "jo": personal(jo),
        "sam": personal(sam),
        # Alone with this purpose in the ward: coarsened to the local authority.
        "alex": personal(alex, purpose="GTIP040", reason=""),
        # A postcode the lookup does not know: no area at all.
        "nowhere": personal(nowhere, purpose="", reason="GTIR080"),
    }
    community = services.fund_create(
        viewer=money.first,
        name="Community chest",
        programme="Neighbourhood grants 2026",
        community=True,
        personal=False,
        mutual_aid=True,
        open_call=True,
        starts_on="2026-04-01",
        ends_on="2027-03-31",
    )
    community.refresh_from_db()

    def group(**recipient):
        award = services.award_request(
            viewer=money.catalyst,
            fund=community,
            title="Lunch club kitchen",
            why="A new cooker for the Tuesday lunch club",
            amount="80",
            **recipient,
        )
        return _approve(money, award)

    awards["charity"] = group(group_name="Hartley Lunch Club", charity_number="1164883")
    awards["company"] = group(group_name="Vale Cycles CIC", company_number="1234567")
    awards["partner"] = group(organisation=world.org_b)
    need = Request.objects.create(
        place=place,
        organisation=world.org_a,
        kind=Kind.NEED,
        category=category(place),
        what=f"Shopping for {EMAIL}",
        neighbourhood=ward,
        front_door=AidFrontDoor.WEB,
        first_name="Jo",
        resident=jo,
    )
    awards["aid"] = _approve(
        money,
        services.award_request(
            viewer=money.catalyst,
            fund=community,
            aid_request=need,
            aid_money="reimbursement",
            title=f"Shopping for Jo, {POSTCODE}",
            amount="30",
            purpose_code="GTIP070",
            reason_code="GTIR010",
        ),
    )
    declined = services.award_request(
        viewer=money.catalyst, fund=money.fund, resident=sam, title="Declined", amount="20"
    )
    services.award_decide(viewer=money.first, award=declined, decision="decline")
    services.award_request(
        viewer=money.catalyst, fund=money.fund, resident=sam, title="Waiting", amount="20"
    )
    return awards


def _export(world):
    return giving360.package(world.place, prefix=PREFIX, publisher="Testford Connect")


def _by_award(package, awards):
    grants = {grant["id"]: grant for grant in package["grants"]}
    return {name: grants[f"{PREFIX}-{award.public_id}"] for name, award in awards.items()}


def _individuals(package):
    return [grant for grant in package["grants"] if "recipientIndividual" in grant]


def test_the_export_validates_against_the_1_4_3_schema(world, ledger):
    package = _export(world)
    assert list(giving360._validator().iter_errors(package)) == []
    assert giving360.check(package) == []
    assert len(package["grants"]) == len(ledger)  # declined and waiting awards are not in it
    assert package["version"] == "1.4"


def test_the_schema_is_checked_offline_and_refuses_a_bad_currency(world, ledger):
    package = _export(world)
    package["grants"][0]["currency"] = "ZZZ"
    del package["grants"][1]["fundingOrganization"]
    problems = giving360.check(package)
    assert {(p.grant, p.where) for p in problems} >= {
        (package["grants"][0]["id"], "/currency"),
        (package["grants"][1]["id"], "/"),
    }


def test_every_grant_to_a_person_carries_its_codes_and_an_anonymous_identifier(world, ledger):
    grants = _by_award(_export(world), ledger)
    for name in ("jo", "sam", "alex", "nowhere", "aid"):
        award = ledger[name]
        assert grants[name]["recipientIndividual"] == {
            "id": f"{PREFIX}-IND-{award.public_id}",
            "name": "Individual recipient",
        }
        assert award.resident is None or award.resident.public_id not in json.dumps(grants[name])
    assert grants["jo"]["toIndividualsDetails"] == {
        "grantPurpose": ["GTIP100"],
        "primaryGrantReason": "GTIR010",
    }
    assert grants["alex"]["toIndividualsDetails"] == {"grantPurpose": ["GTIP040"]}
    # No purpose chosen: the codelist's "Unrestricted", so every grant to a person has one.
    assert grants["nowhere"]["toIndividualsDetails"] == {
        "grantPurpose": ["GTIP010"],
        "primaryGrantReason": "GTIR080",
    }
    assert grants["aid"]["toIndividualsDetails"]["grantPurpose"] == ["GTIP070"]
    # The same resident's two awards do not share an identifier.
    assert grants["jo"]["recipientIndividual"]["id"] != grants["aid"]["recipientIndividual"]["id"]


def test_nothing_personal_leaks_from_the_resident_or_the_catalysts_words(world, ledger):
    package = _export(world)
    individuals = _individuals(package)
    assert len(individuals) == 5
    text = json.dumps(individuals, ensure_ascii=False)
    for secret in ("jo.bloggs", "example.org", "Bloggs", "Mill Lane", "HV1", "07700", "900123"):
        assert secret not in text
    whole = json.dumps(package, ensure_ascii=False)
    for secret in (EMAIL, POSTCODE, PHONE, "Jo Bloggs", "HV1 3CD"):
        assert secret not in whole
    for grant in individuals:
        assert list(giving360._individual_problems(grant)) == []
        keys = {key for _path, key, _value in giving360._walk(grant)}
        assert keys & (giving360.PERSONAL_KEYS | giving360.DEI_KEYS) == set()


def test_a_grant_to_a_person_has_a_generic_title_from_its_purpose_code(world, ledger):
    grants = _by_award(_export(world), ledger)
    assert grants["jo"]["title"] == "Grant to an individual: Travel and transport"
    assert grants["jo"]["description"] == (
        "A grant to an individual for travel and transport, because of financial hardship."
    )
    assert grants["aid"]["title"] == "Mutual aid for a neighbour: Food and essential items"
    # A community grant is about a group's project: its own words are published.
    assert grants["charity"]["title"] == "Lunch club kitchen"
    assert grants["charity"]["description"] == "A new cooker for the Tuesday lunch club"


def test_community_grants_carry_charity_and_company_ids(world, ledger):
    grants = _by_award(_export(world), ledger)
    assert grants["charity"]["recipientOrganization"] == [
        {"id": "GB-CHC-1164883", "name": "Hartley Lunch Club", "charityNumber": "1164883"}
    ]
    assert grants["company"]["recipientOrganization"] == [
        {"id": "GB-COH-01234567", "name": "Vale Cycles CIC", "companyNumber": "01234567"}
    ]
    assert grants["partner"]["recipientOrganization"] == [
        {"id": f"{PREFIX}-testford-council", "name": "Testford Council"}
    ]
    charity = grants["charity"]
    assert charity["fundingOrganization"] == [
        {"id": f"{PREFIX}-testford-connect", "name": "Testford Connect"}
    ]
    assert charity["grantProgramme"] == [
        {"code": f"{PREFIX}-neighbourhood-grants-2026", "title": "Neighbourhood grants 2026"}
    ]
    assert charity["plannedDates"] == [{"startDate": "2026-04-01", "endDate": "2027-03-31"}]
    assert (charity["fromOpenCall"], charity["amountAwarded"], charity["currency"]) == (
        "Yes",
        80,
        "GBP",
    )
    assert "beneficiaryLocation" not in charity
    assert grants["jo"]["amountAwarded"] == 45.5


def test_areas_are_wards_and_small_groups_give_only_the_local_authority(world, ledger):
    grants = _by_award(_export(world), ledger)
    ward = [
        {
            "countryCode": "GB",
            "name": "Hartley North",
            "geoCode": "E05000001",
            "geoCodeType": "WD",
        }
    ]
    # Jo and Sam share a purpose in Hartley North: two people, the place's threshold.
    assert grants["jo"]["beneficiaryLocation"] == ward
    assert grants["sam"]["beneficiaryLocation"] == ward
    assert grants["jo"]["locationScope"] == "GLS060"
    # Alex is the only one with that purpose there: the local authority only.
    assert grants["alex"]["beneficiaryLocation"] == [
        {"countryCode": "GB", "geoCode": "E08000004", "geoCodeType": "MD"}
    ]
    assert grants["alex"]["locationScope"] == "GLS050"
    # A postcode nobody can place: no area.
    assert "beneficiaryLocation" not in grants["nowhere"]
    # The need named its ward, but is alone with its purpose there.
    assert grants["aid"]["beneficiaryLocation"][0]["geoCode"] == "E08000004"


def test_a_higher_threshold_coarsens_every_small_group(world, ledger):
    world.place.suppression_threshold = 8
    world.place.save(update_fields=["suppression_threshold"])
    for grant in _individuals(_export(world)):
        for location in grant.get("beneficiaryLocation", []):
            assert location["geoCode"] == "E08000004"


def test_an_area_drawn_by_hand_is_never_published(world, ledger):
    """A need that names a hand-drawn neighbourhood (maybe one street) gives no area from
    it; the resident's ward is used instead."""
    hood = neighbourhood(world.place, "Top of Mill Lane", west=-1.0)
    hood.kind = "community"
    hood.save(update_fields=["kind"])
    Request.objects.filter(pk=ledger["aid"].aid_request_id).update(neighbourhood=hood)
    grants = _by_award(_export(world), ledger)
    assert "Top of Mill Lane" not in json.dumps(grants["aid"])


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda g: g.update(description="Ask jo@example.org"), "/description"),
        (
            lambda g: g.update(beneficiaryLocation=[{"geoCode": "HV1 2AB", "countryCode": "GB"}]),
            "/beneficiaryLocation/0/geoCode",
        ),
        (lambda g: g.update(title="Ring 0161 496 0000"), "/title"),
        (lambda g: g.update(deiDetails={"leadership": {"askedStatus": "x"}}), "/deiDetails"),
        (lambda g: g["recipientIndividual"].update(name="Jo Bloggs"), "/recipientIndividual/name"),
        (lambda g: g["recipientIndividual"].update(email="x"), "/recipientIndividual/email"),
        (
            lambda g: g.update(beneficiaryLocation=[{"geoCode": "E00012345"}]),
            "/beneficiaryLocation/0/geoCode",
        ),
        (lambda g: g.pop("toIndividualsDetails"), "/toIndividualsDetails"),
        (
            lambda g: g.update(toIndividualsDetails={"grantPurpose": ["GTIP999"]}),
            "/toIndividualsDetails/grantPurpose/0",
        ),
        (
            lambda g: g["toIndividualsDetails"].update(primaryGrantReason="poverty"),
            "/toIndividualsDetails/primaryGrantReason",
        ),
        (lambda g: g.update(amountAwarded=-5), "/amountAwarded"),
        (lambda g: g.update(amountAwarded=0), "/amountAwarded"),
    ],
)
def test_the_checker_catches_a_hand_broken_package(world, ledger, change, where):
    package = _export(world)
    grant = _individuals(package)[0]
    change(grant)
    problems = giving360.check(package)
    assert (grant["id"], where) in {(p.grant, p.where) for p in problems}


def test_the_checker_refuses_the_dei_extension(world, ledger):
    package = _export(world)
    package["extensions"] = ["https://example.org/dei/extension.json"]
    assert [p.where for p in giving360.check(package)] == ["/extensions"]


def _title_of(schema, path):
    """360Giving's column title for a path in a grant, from the schema's own field titles."""
    titles, node = [], schema
    for step in path:
        if isinstance(step, int):
            node = node["items"]
            continue
        node = node["properties"][step]
        if "$ref" in node:  # the field's own title first, else the definition's
            node = {**schema["$defs"][node["$ref"].rsplit("/", 1)[1]], **node}
        elif "items" in node and "$ref" in node["items"]:
            node = {**node, "items": schema["$defs"][node["items"]["$ref"].rsplit("/", 1)[1]]}
        titles.append(node["title"])
    return ":".join(titles)


def test_the_csv_uses_360givings_column_titles(world, ledger):
    schema = json.loads((giving360.SCHEMAS / "360-giving-schema.json").read_text())
    for title, path in giving360.COLUMNS:
        assert _title_of(schema, path) == title
    package = _export(world)
    rows = giving360.csv_rows(package)
    header, body = rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert len(body) == len(package["grants"])
    jo = next(row for row in body if row["Identifier"] == f"{PREFIX}-{ledger['jo'].public_id}")
    assert jo["Recipient Ind:Name"] == "Individual recipient"
    assert jo["To Individuals Details:Grant Purpose"] == "GTIP100"
    assert jo["Beneficiary Location:Geographic Code"] == "E05000001"
    assert jo["Recipient Org:Identifier"] == ""
    assert "Identifier" in header


# --- the page ------------------------------------------------------------------------------------


def test_the_open_data_page_is_for_the_funds_runners_and_place_admins(world, ledger):
    # The outsider is a place admin in their own place: they see that place's (empty) page,
    # and there is nothing of theirs to download.
    assert_access(world, "get", URL, {"manager_a": 200, "outsider": 200})
    assert_access(world, "get", URL + "?format=json", {"manager_a": 200, "outsider": 400})
    elsewhere = client_for(world.outsider).get(URL).content.decode()
    assert "There are no approved awards to publish yet." in elsewhere
    assert PREFIX not in elsewhere


def test_the_page_says_what_is_and_is_never_published(world, ledger):
    page = client_for(world.manager_a).get(URL).content.decode()
    assert "What is never published" in page
    assert "?format=json" in page and "?format=csv" in page
    assert EMAIL not in page


def test_each_download_is_audited_as_an_export(world, ledger):
    client = client_for(world.manager_a)
    before = AuditEvent.objects.filter(action=Action.EXPORT).count()
    response = client.get(URL, {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    package = json.loads(response.content)
    assert giving360.check(package) == []
    assert EMAIL not in response.content.decode()

    csv_response = client.get(URL, {"format": "csv"})
    assert csv_response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(csv_response.streaming_content).decode())))
    assert rows[0][0] == "\ufeffIdentifier"
    assert len(rows) == len(ledger) + 1

    events = AuditEvent.objects.filter(action=Action.EXPORT).order_by("pk")[before:]
    assert [(e.object_type, e.detail["format"], e.actor_id) for e in events] == [
        ("grants.opendata", "json", world.manager_a.pk),
        ("grants.opendata", "csv", world.manager_a.pk),
    ]
    # The residents whose records it was made from: everyone with a published grant.
    published = {ledger[name].resident.public_id for name in ("jo", "sam", "alex", "nowhere")}
    assert events[0].detail["residents"] == sorted(published)
    # Looking at the page is not a download.
    client.get(URL)
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == before + 2


def test_an_export_with_problems_is_refused_with_the_problems_listed(world, ledger):
    Fund.objects.filter(pk=ledger["charity"].fund_id).update(currency="ZZZ")
    before = AuditEvent.objects.filter(action=Action.EXPORT).count()
    response = client_for(world.manager_a).get(URL, {"format": "json"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot be published" in page
    assert "/currency" in page
    assert AuditEvent.objects.filter(action=Action.EXPORT).count() == before


def test_the_command_writes_json_or_csv_to_stdout(world, ledger):
    out = io.StringIO()
    call_command("export_360giving", "testford", stdout=out)
    package = json.loads(out.getvalue())
    assert giving360.check(package) == []
    assert package["grants"][0]["id"].startswith("360G-commonweave-testford-")
    out = io.StringIO()
    call_command("export_360giving", "testford", "--csv", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][:3] == ["Identifier", "Title", "Description"]
    assert len(rows) == len(ledger) + 1
    with pytest.raises(CommandError):
        call_command("export_360giving", "nowhere", stdout=io.StringIO())


def test_the_prefix_comes_from_the_setting(world, settings):
    assert giving360.prefix_for(world.place) == "360G-commonweave-testford"
    settings.GRANTS_360_PREFIX = "360G-hartleyvale"
    assert giving360.prefix_for(world.place) == "360G-hartleyvale"
    settings.GRANTS_360_PREFIX = {"testford": "360G-testford", "elsewhere": "360G-else"}
    assert giving360.prefix_for(world.place) == "360G-testford"


def _queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        giving360.build(world.place, prefix=PREFIX, publisher="Testford Connect")
    return len(captured.captured_queries)


def test_the_export_reads_a_fixed_number_of_queries_whatever_its_size(world, money, ledger):
    few = _queries(world)
    for _ in range(6):
        resident = ResidentFactory(
            organisation=world.org_a, catalyst=world.catalyst_a, postcode="HV1 3CD"
        )
        award = services.award_request(
            viewer=money.catalyst, fund=money.fund, resident=resident, title="x", amount="10"
        )
        _approve(money, award)
    assert _queries(world) == few
