"""Area profiles (issue 18, part 2): residents served by the decile of their neighbourhood
beside the area's population, national quintiles and the ward map, on the page and in the
API with the same numbers and the same access rule."""

import re

import pytest

from commonweave.area.models import ImdEdition, LsoaDeprivation
from commonweave.demo.factories import ResidentFactory
from commonweave.directory.models import Neighbourhood, PostcodeLookup
from commonweave.impact.profiles import MOST_DEPRIVED, area_profile
from commonweave.insights.disclosure import Cell, publish_count, publish_share
from commonweave.tenancy.viewer import viewer_for_user
from tests.api.conftest import session_client, token_client
from tests.conftest import assert_access, client_for
from tests.impact.test_api import issue_token
from tests.queries import assert_same_queries_at_two_sizes

pytestmark = pytest.mark.django_db

LAD = "E08000004"
NORTH, SOUTH, TINY = "E05000001", "E05000002", "E05000003"
# LSOA code -> (decile, population)
LSOAS = {
    "E01000001": (1, 1500),
    "E01000002": (2, 1600),
    "E01000003": (5, 1400),
    "E01000004": (9, 1500),
}
# Which ward each neighbourhood is in, by the postcode directory.
IN_WARD = {"E01000001": NORTH, "E01000002": NORTH, "E01000003": SOUTH, "E01000004": TINY}


def square(lon, lat, size=0.02):
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "min_lon": lon,
        "min_lat": lat,
        "max_lon": lon + size,
        "max_lat": lat + size,
    }


def make_area(place):
    """Three wards, IoD 2025 for four neighbourhoods (with populations), and postcodes
    placing each neighbourhood in its ward and the local authority."""
    for code, name, lon in (
        (NORTH, "North", -2.12),
        (SOUTH, "South", -2.10),
        (TINY, "Tiny", -2.08),
    ):
        Neighbourhood.objects.create(
            place=place, kind="ward", code=code, name=name, **square(lon, 53.5)
        )
    edition = ImdEdition.get_or_create_for("2025")
    for rank, (code, (decile, population)) in enumerate(LSOAS.items(), start=1):
        LsoaDeprivation.objects.create(
            edition=edition, lsoa_code=code, lad_code=LAD, imd_rank=rank * 3000,
            imd_decile=decile, population=population,
        )  # fmt: skip
    for number, (code, ward) in enumerate(IN_WARD.items(), start=1):
        PostcodeLookup.objects.create(
            postcode=f"OL1{number}AA", latitude=53.5, longitude=-2.1, lsoa_code=code,
            ward_code=ward, lad_code=LAD,
        )  # fmt: skip


def residents(world, count, lsoa, ward, **kwargs):
    return [
        ResidentFactory(organisation=world.org_a, lsoa_code=lsoa, ward_code=ward, **kwargs)
        for _ in range(count)
    ]


@pytest.fixture
def area(world):
    make_area(world.place)
    people = {
        "north_1": residents(world, 12, "E01000001", NORTH),
        "north_2": residents(world, 9, "E01000002", NORTH),
        "south_5": residents(world, 15, "E01000003", SOUTH),
        "tiny_9": residents(world, 3, "E01000004", TINY),
        "unplaced": residents(world, 10, "", ""),
        "not_loaded": residents(world, 2, "E01999999", NORTH),
    }
    # Merged away: never counted.
    residents(world, 5, "E01000001", NORTH, merged_into=people["north_1"][0])
    # Another place's residents in the same neighbourhood and ward: never counted here.
    people["elsewhere"] = [
        ResidentFactory(
            organisation=world.other_place.lead_organisation,
            lsoa_code="E01000001",
            ward_code=NORTH,
        )
        for _ in range(20)
    ]
    return people


def cell(*groups):
    people = [person for group in groups for person in group]
    return Cell(len(people), sum(person.record_key for person in people))


def test_residents_served_by_decile_match_a_hand_count(world, area):
    profile = area_profile(world.viewer(world.analyst))
    served = {row.key: row.count for row in profile.served.rows}
    threshold = world.place.suppression_threshold
    assert served["1"] == publish_count(cell(area["north_1"]), threshold=threshold)
    assert served["2"] == publish_count(cell(area["north_2"]), threshold=threshold)
    assert served["5"] == publish_count(cell(area["south_5"]), threshold=threshold)
    assert served["not_placed"] == publish_count(
        cell(area["unplaced"], area["not_loaded"]), threshold=threshold
    )
    assert [served[str(d)].value for d in (3, 4, 6, 7, 8, 10)] == [0] * 6
    # Three residents in decile 9: too few to show.
    assert served["9"].suppressed
    assert served["9"].label == "fewer than 8"
    assert profile.served.total.value == sum(row.count.value or 0 for row in profile.served.rows)


def test_the_area_population_share_is_open_data_by_decile(world, area):
    profile = area_profile(world.viewer(world.analyst))
    rows = {row.key: row for row in profile.deciles}
    assert profile.lad_codes == [LAD]
    assert profile.area_lsoas == 4
    assert profile.area_population == 6000
    assert (rows["1"].lsoas, rows["1"].population, rows["1"].share) == (1, 1500, 25.0)
    assert (rows["2"].population, rows["2"].share) == (1600, 26.7)
    assert (rows["3"].lsoas, rows["3"].population, rows["3"].share) == (0, 0, 0.0)
    # The share of residents served is of those placed in a decile, from published counts.
    placed = cell(area["north_1"], area["north_2"], area["south_5"], area["tiny_9"])
    threshold = world.place.suppression_threshold
    assert rows["1"].served_share == publish_share(
        cell(area["north_1"]), placed, threshold=threshold
    )
    assert rows["9"].served_share == "not enough people yet"
    assert rows["not_placed"].served_share == ""
    quintiles = {row.key: row for row in profile.quintiles}
    assert quintiles["q1"].served_share == publish_share(
        cell(area["north_1"], area["north_2"]), placed, threshold=threshold
    )
    assert (quintiles["q1"].lsoas, quintiles["q1"].population) == (2, 3100)
    assert quintiles["q1"].share == 51.7
    # The quintile adds up its deciles' published counts, never the exact ones.
    assert quintiles["q1"].served.value == rows["1"].served.value + rows["2"].served.value
    assert quintiles["q5"].served.label == "0 (plus suppressed groups)"
    assert profile.imd_source.attribution.startswith(
        "Source: MHCLG, English Indices of Deprivation 2025."
    )


def test_a_ward_profile_counts_only_its_residents_and_neighbourhoods(world, area):
    profile = area_profile(world.viewer(world.analyst), ward_code=NORTH)
    served = {row.key: row.count for row in profile.served.rows}
    threshold = world.place.suppression_threshold
    assert profile.area_name == "North"
    assert served["1"] == publish_count(cell(area["north_1"]), threshold=threshold)
    assert served["5"].value == 0
    assert served["not_placed"].label == "fewer than 8"  # the two not loaded
    assert profile.area_lsoas == 2
    assert profile.area_population == 3100
    assert {row.key: row.share for row in profile.deciles}["1"] == 48.4


def test_a_population_missing_for_one_neighbourhood_hides_the_shares(world, area):
    LsoaDeprivation.objects.filter(lsoa_code="E01000003").update(population=None)
    profile = area_profile(world.viewer(world.analyst))
    assert profile.area_population is None
    assert [row.share for row in profile.deciles] == [None] * 11
    assert "Population figures are loaded for 3 of the area's 4" in profile.notes[0]


def test_the_ward_map_shades_published_shares_only(world, area):
    profile = area_profile(world.viewer(world.analyst))
    wards = {ward.code: ward for ward in profile.map.wards}
    threshold = world.place.suppression_threshold
    north_whole = cell(area["north_1"], area["north_2"])
    north_part = north_whole  # both neighbourhoods are in the most deprived 20%
    assert {1, 2} == set(MOST_DEPRIVED)
    assert wards[NORTH].served == publish_count(north_whole, threshold=threshold)
    assert wards[NORTH].share_label == publish_share(north_part, north_whole, threshold=threshold)
    assert wards[NORTH].share == 100
    assert wards[NORTH].fill == "#08519c"
    assert wards[SOUTH].share == 0
    assert wards[SOUTH].fill == "#eff3ff"
    # Three residents: too few to show, hatched.
    assert wards[TINY].share is None
    assert wards[TINY].served.label == "fewer than 8"
    assert wards[TINY].fill == "url(#cw-too-few)"
    # Three squares side by side, each projected with the cos(latitude) correction:
    # 0.02 degrees of longitude at 53.5°N is about 0.595 of 0.02 of latitude.
    width, height = profile.map.width, profile.map.height
    assert width == 600
    assert height == pytest.approx(600 * 0.02 / (0.06 * 0.5948), abs=2)


def test_an_unknown_ward_is_a_404_on_the_page_and_in_the_api(world, area):
    assert client_for(world.analyst).get("/impact/area/?ward=E05999999").status_code == 404
    api = session_client(world.analyst)
    assert api.get("/api/impact/area-profile", ward="E05999999").status_code == 404


def test_who_sees_the_page(world, area):
    assert_access(
        world,
        "get",
        "/impact/area/",
        {"catalyst_a": 200, "manager_a": 200, "catalyst_b": 200, "analyst": 200, "outsider": 200},
    )


def test_who_sees_the_api_is_who_sees_the_page(world, area):
    from commonweave.tenancy.enums import Role

    pages, apis = {}, {}
    for name, user in world.personas.items():
        if user is None:
            continue
        pages[name] = client_for(user).get("/impact/area/").status_code
        apis[name] = session_client(user).get("/api/impact/area-profile").status_code
    assert apis == pages
    tokens = {
        "coordinator": issue_token(world.org_a, Role.COORDINATOR),
        "analyst": issue_token(world.org_b, Role.ANALYST),
        "catalyst": issue_token(world.org_a, Role.CATALYST),
        "worker": issue_token(world.org_b, Role.PARTNER_WORKER),
    }
    statuses = {
        name: token_client(raw).get("/api/impact/area-profile").status_code
        for name, raw in tokens.items()
    }
    assert statuses == {"coordinator": 200, "analyst": 200, "catalyst": 200, "worker": 404}


def test_the_page_and_the_api_show_the_same_numbers(world, area):
    body = session_client(world.analyst).get("/api/impact/area-profile", ward=NORTH).json()
    profile = area_profile(world.viewer(world.analyst), ward_code=NORTH)
    assert body["area"] == "North"
    assert body["ward"] == NORTH
    assert [
        (g["key"], g["served"]["shown"], g["served_share"], g["area_share"])
        for g in body["deciles"]
    ] == [(row.key, row.served.label, row.served_share, row.share) for row in profile.deciles]
    assert [(w["code"], w["shown"]) for w in body["wards"]] == [
        (w.code, w.share_label) for w in profile.map.wards
    ]
    assert body["imd_source"]["licence"].endswith("Open Government Licence v3.0.")
    page = client_for(world.analyst).get("/impact/area/", {"ward": NORTH}).content.decode()
    for row in profile.deciles:
        assert row.served.label in page


def test_the_page_without_javascript_renders_the_map_and_its_table(world, area):
    response = client_for(world.analyst).get("/impact/area/")
    assert response.status_code == 200
    page = response.content.decode()
    svg = re.search(r"<svg[^>]*id=\"ward-map\"[^>]*>(.*?)</svg>", page, re.S)
    assert svg is not None
    assert 'role="img"' in page and "aria-label=" in page
    assert len(re.findall(r"<path d=\"M", svg.group(1))) == 3
    assert "url(#cw-too-few)" in svg.group(1)
    assert 'id="ward-table"' in page
    assert 'id="ward-map-key"' in page
    assert "80% to 100%" in page
    assert "Too few to show (fewer than 8 residents)" in page
    assert page.count('<div class="cw-table-scroll" tabindex="0">') == 3
    assert "Source: MHCLG, English Indices of Deprivation 2025." in page
    # The choice of ward is a plain form: no JavaScript needed.
    assert '<form method="get" action="/impact/area/"' in page
    assert f'<option value="{NORTH}">North</option>' in page


def test_a_small_ward_shows_fewer_than(world, area):
    page = client_for(world.analyst).get("/impact/area/", {"ward": TINY}).content.decode()
    assert "fewer than 8" in page
    body = session_client(world.analyst).get("/api/impact/area-profile", ward=TINY).json()
    nine = next(g for g in body["deciles"] if g["key"] == "9")
    assert nine["served"] == {"value": None, "shown": "fewer than 8"}


def test_another_place_never_counts_these_residents(world, area):
    threshold = world.place.suppression_threshold
    mine = area_profile(world.viewer(world.analyst))
    assert {row.key: row.count for row in mine.served.rows}["1"] == publish_count(
        cell(area["north_1"]), threshold=threshold
    )
    # Elsewhere sees its own residents only, and none of Testford's wards.
    theirs = area_profile(viewer_for_user(world.outsider, world.other_place))
    elsewhere = publish_count(cell(area["elsewhere"]), threshold=threshold)
    assert [row.count for row in theirs.served.rows if row.count.value] == [elsewhere]
    assert theirs.map.wards == []
    body = session_client(world.outsider).get("/api/impact/area-profile").json()
    assert [g["served"]["value"] for g in body["deciles"]] == [elsewhere.value] + [0] * 10
    # And Testford's ward is not Elsewhere's.
    assert (
        session_client(world.outsider).get("/api/impact/area-profile", ward=NORTH).status_code
        == 404
    )


def test_nothing_loaded_says_so(world):
    profile = area_profile(world.viewer(world.analyst))
    assert not profile.loaded
    assert profile.map.wards == []
    assert len(profile.notes) == 2
    assert client_for(world.analyst).get("/impact/area/").status_code == 200


def test_the_profile_makes_the_same_queries_at_two_sizes(world):
    make_area(world.place)
    page, api = client_for(world.analyst), session_client(world.analyst)
    codes = list(IN_WARD.items())

    def make(count):
        for index in range(count):
            lsoa, ward = codes[index % len(codes)]
            ResidentFactory(organisation=world.org_a, lsoa_code=lsoa, ward_code=ward)

    def fetch_page():
        assert page.get("/impact/area/").status_code == 200

    def fetch_ward():
        assert page.get("/impact/area/", {"ward": NORTH}).status_code == 200

    def fetch_api():
        assert api.get("/api/impact/area-profile").status_code == 200

    assert_same_queries_at_two_sizes(make, [fetch_page, fetch_ward, fetch_api])
