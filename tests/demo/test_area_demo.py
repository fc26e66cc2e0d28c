"""The demo place shows real area data: Oldham's Indices of Deprivation 2025 are loaded,
its residents' made-up postcodes are placed in Oldham's neighbourhoods (LSOA 2021) and
wards, and the area profile shows them by decile rather than all "not placed"."""

import csv
import io
import random

import pytest
from django.core.management import call_command

from commonweave.accounts.models import User
from commonweave.area.models import LsoaDeprivation
from commonweave.demo import area
from commonweave.directory.models import Neighbourhood, PostcodeLookup
from commonweave.impact.profiles import NOT_PLACED, area_profile
from commonweave.people.models import Resident
from commonweave.tenancy.models import Place
from commonweave.tenancy.viewer import viewer_for_user


def shipped_rows() -> int:
    with open(area.DEMO_IMD, newline="", encoding="utf-8") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def test_a_point_in_oldham_has_its_neighbourhood_and_ward():
    lsoa, ward = area.codes_at(*area.CENTRE)
    assert lsoa.startswith("E01") and ward.startswith("E05")
    assert area.codes_at(51.5, -0.12) == ("", "")  # London is not in Oldham


def test_made_up_postcodes_land_in_oldham_the_same_way_for_the_same_seed():
    first = [area._point_in_oldham(random.Random("5:areas")) for _ in range(20)]
    again = [area._point_in_oldham(random.Random("5:areas")) for _ in range(20)]
    assert first == again
    assert all(area.codes_at(lat, lon)[0] for lat, lon in first)


@pytest.mark.django_db
@pytest.mark.slow
def test_the_demo_places_residents_in_deciles_of_oldhams_neighbourhoods():
    call_command(
        "demo", "--residents", "20", "--seed", "5", stdout=io.StringIO(), stderr=io.StringIO()
    )
    place = Place.objects.get(slug="hartley-vale")

    # IoD 2025: every row of the shipped file, for Oldham.
    iod = LsoaDeprivation.objects.filter(edition__edition="2025")
    assert iod.count() == shipped_rows() == 142
    assert set(iod.values_list("lad_code", flat=True)) == {area.OLDHAM}

    # Residents: most with a postcode have an LSOA with a decile and one of the wards.
    wards = set(
        Neighbourhood.objects.filter(place=place, kind="ward").values_list("code", flat=True)
    )
    assert len(wards) == 20
    with_postcode = Resident.objects.filter(place=place).exclude(postcode="")
    total = with_postcode.count()
    assert total >= 15
    assert with_postcode.filter(lsoa_code__in=iod.values("lsoa_code")).count() >= 0.9 * total
    assert with_postcode.filter(ward_code__in=wards).count() >= 0.9 * total
    # ... as the save path would place them, from the postcode directory.
    for resident in with_postcode[:5]:
        row = PostcodeLookup.objects.get(postcode=resident.postcode.replace(" ", "").upper())
        assert (resident.lsoa_code, resident.ward_code) == (row.lsoa_code, row.ward_code)
        assert row.lad_code == area.OLDHAM

    # The analyst's area profile: residents in deciles, the area's 142 neighbourhoods.
    analyst = User.objects.get(email=f"analyst@{place.slug}.example")
    profile = area_profile(viewer_for_user(analyst, place))
    assert profile.loaded
    counts = {row.key: row.count for row in profile.served.rows}
    assert counts[NOT_PLACED].value == 0
    placed = [counts[str(d)] for d in range(1, 11)]
    assert sum(c.value or 0 for c in placed) > 0 or any(c.suppressed for c in placed)
    assert profile.area_lsoas == 142
    assert profile.lad_codes == [area.OLDHAM]
    # One ward's profile has its own neighbourhoods.
    ward = next(iter(sorted(wards)))
    assert 0 < area_profile(viewer_for_user(analyst, place), ward).area_lsoas < 142

    # Again: nothing doubled, the residents' codes unchanged.
    before = dict(with_postcode.values_list("pk", "lsoa_code"))
    area.place_demo_areas(place, seed=5)
    assert iod.count() == 142
    assert dict(with_postcode.values_list("pk", "lsoa_code")) == before


@pytest.mark.django_db
@pytest.mark.slow
def test_the_demo_areas_are_the_same_for_the_same_seed():
    from commonweave.demo.generator import generate_demo

    def codes(slug):
        place = generate_demo(residents=12, seed=3, slug=slug, stream=io.StringIO()).place
        return sorted(
            Resident.objects.filter(place=place).values_list("postcode", "lsoa_code", "ward_code")
        )

    first = codes("first-vale")
    assert first == codes("second-vale")
    assert sum(1 for _pc, lsoa, _ward in first if lsoa) >= 10
