"""A resident's postcode places them in a neighbourhood (LSOA 2021) and ward when it is
saved, from the directory's ONS postcode table (one table, loaded by `load_postcodes`); the
deprivation decile is joined when read. Northern Ireland is flagged as not covered."""

import csv

import pytest

from commonweave.area import postcodes
from commonweave.area.editions import NOT_COVERED_NI
from commonweave.area.selectors import deprivation_of
from commonweave.directory.models import PostcodeLookup
from commonweave.directory.postcodes import load_postcodes
from commonweave.people import services
from commonweave.people.enums import FrontDoor, ReferralConsent, ReferrerKind
from commonweave.people.models import Resident
from commonweave.tenancy.viewer import public_viewer
from tests.area.conftest import IMD2025, OLDHAM, POSTCODES, needs

pytestmark = pytest.mark.django_db

# Ten Oldham postcodes at least 50 m from any LSOA boundary, with their LSOA 2021 and ward
# as the extract gives them (postcodes/oldham_postcodes_derived_nspl_may2025.csv).
KNOWN = [
    ("M24 1DD", "E01005330", "E05014649"),
    ("OL1 1DJ", "E01005434", "E05014650"),
    ("OL1 3RR", "E01005433", "E05014650"),
    ("OL1 9LW", "E01005427", "E05014663"),
    ("OL2 6RL", "E01005403", "E05014657"),
    ("OL3 5GD", "E01005412", "E05014658"),
    ("OL4 1DE", "E01005427", "E05014663"),
    ("OL4 4QJ", "E01005420", "E05014660"),
    ("OL8 3AP", "E01005439", "E05014654"),
    ("OL9 6DZ", "E01005349", "E05014650"),
]


@pytest.fixture
def oldham_postcodes(db):
    if not POSTCODES.exists():
        pytest.skip(f"open data not found: {POSTCODES}")
    load_postcodes(POSTCODES, lads=[OLDHAM])


def refer(world, postcode):
    return services.referral_create(
        viewer=public_viewer(world.place),
        front_door=FrontDoor.PUBLIC_WEB,
        person=services.PersonDetails(full_name="Mary Jones", postcode=postcode),
        referrer_kind=ReferrerKind.NEIGHBOUR,
        reason="She seems lonely.",
        consent=ReferralConsent.AGREED,
    ).resident


@needs(POSTCODES)
def test_the_known_postcodes_are_in_the_extract_as_listed():
    with open(POSTCODES, encoding="utf-8-sig", newline="") as fh:
        rows = {r["postcode"]: (r["lsoa21_code"], r["ward_code"]) for r in csv.DictReader(fh)}
    assert {p: rows[p] for p, _l, _w in KNOWN} == {p: (lsoa, w) for p, lsoa, w in KNOWN}


def test_ten_known_postcodes_give_their_lsoa_2021_codes(oldham_postcodes):
    found = {p: postcodes.postcode_area(p) for p, _l, _w in KNOWN}
    assert {p: (a.lsoa_code, a.ward_code, a.covered) for p, a in found.items()} == {
        p: (lsoa, ward, True) for p, lsoa, ward in KNOWN
    }
    # However it is typed.
    assert postcodes.postcode_area("ol96dz").lsoa_code == "E01005349"


def test_a_resident_saved_with_a_postcode_gets_its_lsoa_and_ward(world, oldham_postcodes):
    for postcode, lsoa, ward in KNOWN:
        resident = refer(world, postcode)
        stored = Resident.objects.get(pk=resident.pk)
        assert (stored.postcode, stored.lsoa_code, stored.ward_code) == (postcode, lsoa, ward)


def test_a_changed_postcode_moves_the_resident(world, oldham_postcodes):
    resident = refer(world, "OL1 1DJ")
    viewer = world.viewer(world.catalyst_a)
    services.resident_update_profile(
        viewer=viewer, resident=resident, version=resident.version, postcode="OL8 3AP"
    )
    stored = Resident.objects.get(pk=resident.pk)
    assert (stored.lsoa_code, stored.ward_code) == ("E01005439", "E05014654")
    services.resident_update_profile(
        viewer=viewer, resident=stored, version=stored.version, postcode="ZZ9 9ZZ"
    )
    stored.refresh_from_db()
    assert (stored.lsoa_code, stored.ward_code) == ("", "")  # not in the directory: unknown
    services.resident_update_profile(
        viewer=viewer, resident=stored, version=stored.version, what_matters="My garden"
    )
    stored.refresh_from_db()
    assert stored.lsoa_code == ""


@needs(IMD2025)
def test_the_decile_is_joined_when_read_not_copied(world, oldham_postcodes, imd2025_two_boroughs):
    resident = Resident.objects.get(pk=refer(world, "OL1 1DJ").pk)
    reading = deprivation_of(resident)
    assert (reading.lsoa_code, reading.covered) == ("E01005434", True)
    assert reading.deprivation.imd_decile == 1  # Oldham 024B in the 2025 file
    assert not any(f.name.endswith("decile") for f in Resident._meta.get_fields())


def test_northern_ireland_postcodes_are_flagged_not_covered(world, oldham_postcodes):
    PostcodeLookup.objects.create(
        postcode="BT11AA",
        latitude=54.6,
        longitude=-5.93,
        lsoa_code="95GG01S1",
        ward_code="N08000312",
    )
    area = postcodes.postcode_area("BT1 1AA")
    assert (area.lsoa_code, area.ward_code, area.covered, area.note) == (
        "",
        "N08000312",
        False,
        str(NOT_COVERED_NI),
    )
    resident = Resident.objects.get(pk=refer(world, "BT1 1AA").pk)
    assert resident.lsoa_code == ""
    reading = deprivation_of(resident)
    assert (reading.covered, reading.deprivation, reading.note) == (
        False,
        None,
        str(NOT_COVERED_NI),
    )
    # Not in the directory at all, still flagged by its BT prefix.
    assert postcodes.postcode_area("BT99 9ZZ").note == str(NOT_COVERED_NI)
