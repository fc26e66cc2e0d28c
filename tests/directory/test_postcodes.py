"""Postcodes for any borough, offline: loading ONS's postcode directory (NSPL/ONSPD) from
real Oldham rows, search near a postcode with distances in words, what the search page
says when postcode data is missing, and locations given coordinates from their postcodes.

The rows come from /work/shared/data/postcodes (ONS coordinates, Open Government Licence;
see its PROVENANCE.md); a test that needs the file is skipped where it is not there."""

import csv
import io
import math
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from commonweave.audit.models import AuditEvent
from commonweave.core.text import html_to_text
from commonweave.demo.factories import PlaceFactory
from commonweave.directory import geo, postcodes
from commonweave.directory.models import (
    Location,
    PostcodeLookup,
    Service,
    ServiceAtLocation,
)
from commonweave.jobs.enums import JobStatus
from commonweave.jobs.models import Job
from commonweave.jobs.progress import job_progress
from commonweave.jobs.services import job_create
from tests.conftest import assert_access, client_for

pytestmark = pytest.mark.django_db

OLDHAM = Path("/work/shared/data/postcodes/oldham_postcodes_derived_nspl_may2025.csv")
OLDHAM_LAD = "E08000004"
ORIGIN = "OL1 1AA"  # 53.54151, -2.09982 in the May 2025 NSPL
needs_oldham = pytest.mark.skipif(not OLDHAM.exists(), reason="the Oldham extract is not here")


def oldham_rows(limit=None):
    with open(OLDHAM, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return rows[:limit] if limit else rows


def write_nspl(path, rows, *, bom=False, other_lad_rows=()):
    """Rows in NSPL's own layout (a few of its many columns, NSPL's names and order)."""
    header = ["pcd", "pcds", "dointr", "doterm", "laua", "ward", "lsoa21", "lat", "long"]
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(header)
        for row, lad in [(r, OLDHAM_LAD) for r in rows] + [
            (r, "E08000005") for r in other_lad_rows
        ]:
            pcds = row["postcode"]
            pcd = f"{pcds[:-3]:<4}{pcds[-3:]}"  # NSPL's 7-character form, "OL1 1AA"/"M351AA"
            out.writerow(
                [pcd, pcds, "198001", "", lad, row["ward_code"], row["lsoa21_code"]]
                + [row["latitude"], row["longitude"]]
            )
    return path


def offset(lat, lon, metres, bearing_deg):
    """The point `metres` away on a great circle at `bearing_deg` (the inverse of haversine)."""
    d, b = metres / geo.EARTH_RADIUS_M, math.radians(bearing_deg)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(p2), math.degrees(l2)


def place_service(place, name, lat, lon, postal_code=""):
    service = Service.objects.create(place=place, name=name)
    loc = Location.objects.create(
        place=place, name=name, latitude=lat, longitude=lon, postal_code=postal_code
    )
    ServiceAtLocation.objects.create(place=place, service=service, location=loc)
    return service


# --- distances -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metres", "words"),
    [
        (3, "less than 10 m"),
        (304, "300 m"),
        (345, "350 m"),
        (994, "990 m"),
        (996, "1.0 km"),  # rounds to 1,000 m, so it is a kilometre
        (1040, "1.0 km"),
        (2440, "2.4 km"),
        (9949, "9.9 km"),
        (9960, "10 km"),
        (12_300, "12 km"),
        (1_010_700, "1,011 km"),
    ],
)
def test_distances_in_words(metres, words):
    assert geo.format_distance(metres) == words


def test_haversine_matches_the_spherical_law_of_cosines():
    for metres, bearing in [(300, 0), (1040, 90), (12_300, 225), (250_000, 135)]:
        lat, lon = offset(53.54151, -2.09982, metres, bearing)
        assert geo.distance_m(53.54151, -2.09982, lat, lon) == pytest.approx(metres, abs=0.01)
        p1, p2 = math.radians(53.54151), math.radians(lat)
        cosines = geo.EARTH_RADIUS_M * math.acos(
            math.sin(p1) * math.sin(p2)
            + math.cos(p1) * math.cos(p2) * math.cos(math.radians(lon + 2.09982))
        )
        assert geo.distance_m(53.54151, -2.09982, lat, lon) == pytest.approx(cosines, rel=1e-6)


# --- the loader ----------------------------------------------------------------------------


@needs_oldham
def test_the_whole_oldham_extract_loads_in_its_own_layout_and_again_changes_nothing():
    report = postcodes.load_postcodes(OLDHAM)
    assert report.loaded == PostcodeLookup.objects.count() == 7948
    assert report.lad_codes == {OLDHAM_LAD} and report.skipped == 0
    row = PostcodeLookup.objects.get(postcode="OL11AA")
    assert (row.latitude, row.longitude) == (53.54151, -2.09982)
    assert (row.lsoa_code, row.ward_code, row.lad_code) == ("E01005427", "E05014663", OLDHAM_LAD)
    assert geo.lookup_postcode("ol1 1aa") == (53.54151, -2.09982)
    again = postcodes.load_postcodes(OLDHAM)
    assert again.loaded == 7948 and PostcodeLookup.objects.count() == 7948


@needs_oldham
def test_nspl_headers_with_a_bom_load_and_are_filtered_by_local_authority(tmp_path):
    rows = oldham_rows(300)
    elsewhere = oldham_rows()[1000:1100]  # written under another authority's code
    path = write_nspl(tmp_path / "nspl.csv", rows, bom=True, other_lad_rows=elsewhere)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    report = postcodes.load_postcodes(path, lads=["e08000004"], batch_size=64)
    assert (report.loaded, report.other_areas) == (300, 100)
    keys = set(PostcodeLookup.objects.values_list("postcode", flat=True))
    assert keys == {r["postcode"].replace(" ", "") for r in rows}
    assert set(PostcodeLookup.objects.values_list("lad_code", flat=True)) == {OLDHAM_LAD}

    everything = postcodes.load_postcodes(path)  # no filter: every row in the file
    assert everything.loaded == 400 and PostcodeLookup.objects.count() == 400
    assert everything.lad_codes == {OLDHAM_LAD, "E08000005"}


def test_onspd_and_2025_headers_map_by_name_and_rows_without_coordinates_are_skipped(tmp_path):
    path = tmp_path / "onspd.csv"
    path.write_text(
        "PCD7,PCDS,OSLAUA,WD25CD,LSOA21CD,LAT,LONG\n"
        "OL1 1AA,OL1 1AA,E08000004,E05014663,E01005427,53.54151,-2.09982\n"
        "ZZ999ZZ,ZZ99 9ZZ,E08000004,,,99.999999,0.000000\n"
        "OL1 1AB,OL1 1AB,E08000004,E05014663,E01005427,,\n"
        "nonsense,nonsense,E08000004,,,53.5,-2.1\n"
    )
    report = postcodes.load_postcodes(path, lads=[OLDHAM_LAD])
    assert (report.loaded, report.skipped) == (1, 3)
    row = PostcodeLookup.objects.get()
    assert (row.postcode, row.ward_code, row.lad_code) == ("OL11AA", "E05014663", OLDHAM_LAD)
    columns = postcodes.map_columns(["pcd7", "pcd8", "pcds", "lad25cd", "wd25cd", "lat", "long"])
    assert (columns.postcode, columns.lad, columns.ward) == (2, 3, 4)


def test_a_file_that_is_not_a_postcode_directory_is_refused_in_words(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,address\nA,B\n")
    with pytest.raises(postcodes.PostcodeFileError, match="not a postcode directory"):
        postcodes.load_postcodes(path)
    path.write_text("pcds,lat,long\nOL1 1AA,53.5,-2.1\n")
    with pytest.raises(postcodes.PostcodeFileError, match="no local authority column"):
        postcodes.load_postcodes(path, lads=[OLDHAM_LAD])
    with pytest.raises(postcodes.PostcodeFileError, match="not a local authority code"):
        postcodes.load_postcodes(path, lads=["Oldham"])


@needs_oldham
def test_the_zip_ons_publishes_is_read_from_inside(tmp_path):
    inner = write_nspl(tmp_path / "NSPL21_MAY_2025_UK.csv", oldham_rows(50))
    archive = tmp_path / "NSPL_MAY_2025_UK.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Documents/readme.csv", "not,this\n")
        zf.write(inner, "Data/NSPL21_MAY_2025_UK.csv")
    assert postcodes.load_postcodes(archive).loaded == 50


def test_the_loader_streams_in_batches(tmp_path, monkeypatch):
    """Never more than one batch in memory: each write gets at most batch_size rows."""
    path = tmp_path / "big.csv"
    with open(path, "w") as fh:
        fh.write("pcds,lat,long\n")
        for i in range(2500):
            fh.write(
                f"OL{1 + i // 1000} {i % 10}{chr(65 + i // 26 % 26)}{chr(65 + i % 26)},53.5,-2.1\n"
            )
    sizes, percents = [], []
    real_write = postcodes._write
    monkeypatch.setattr(
        postcodes, "_write", lambda rows: (sizes.append(len(rows)), real_write(rows))
    )
    report = postcodes.load_postcodes(
        path, batch_size=400, on_progress=lambda percent, _: percents.append(percent)
    )
    assert max(sizes) <= 400 and sum(sizes) == report.loaded == PostcodeLookup.objects.count()
    assert percents == sorted(percents) and percents[-1] == 100 and len(percents) > 3


# --- the job, the command and the page -----------------------------------------------------


@needs_oldham
def test_the_job_reports_progress_and_geocodes_the_place(world, tmp_path):
    place = PlaceFactory(name="Oldfield", slug="oldfield")
    loc = Location.objects.create(place=place, name="Library", postal_code=ORIGIN)
    job = job_create(place=place, kind=postcodes.LOAD_POSTCODES)
    stream = io.StringIO()
    with job_progress(job, stream=stream, min_interval=0) as progress:
        postcodes.load_for_job(job=job, progress=progress, path=OLDHAM, lads=[OLDHAM_LAD])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and (job.done, job.total, job.percent) == (100, 100, 100)
    assert job.result["postcodes"] == 7948 and job.result["locations given coordinates"] == 1
    lines = stream.getvalue().splitlines()
    assert len(lines) >= 2 and "%" in lines[0] and lines[-1].endswith("done")
    loc.refresh_from_db()
    assert (loc.latitude, loc.longitude) == (53.54151, -2.09982)
    assert AuditEvent.objects.filter(object_type="directory.postcodelookup").count() == 1


@needs_oldham
def test_command_loads_for_a_place_with_a_bar_on_the_terminal(world, tmp_path):
    path = write_nspl(
        tmp_path / "nspl.csv", oldham_rows(200), other_lad_rows=oldham_rows(300)[200:]
    )
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "load_postcodes", str(path), place="testford", lad=[OLDHAM_LAD], stdout=out, stderr=err
    )
    assert PostcodeLookup.objects.count() == 200
    assert "Loaded 200 postcodes in 1 local authorities" in out.getvalue()
    assert "100%" in err.getvalue()
    job = Job.objects.get(place=world.place, kind=postcodes.LOAD_POSTCODES)
    assert job.status == JobStatus.DONE and job.started_by is None

    call_command("load_postcodes", str(path), stdout=out, stderr=err)  # every place, no filter
    assert PostcodeLookup.objects.count() == 300
    with pytest.raises(CommandError, match="not a local authority code"):
        call_command("load_postcodes", str(path), lad=["nope"], stdout=out, stderr=err)


@needs_oldham
def test_a_coordinator_uploads_the_file_and_watches_the_job(world, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    url = "/directory/testford/postcodes/"
    assert_access(world, "get", url, {"manager_a": 200})
    client = client_for(world.manager_a)
    upload = SimpleUploadedFile(
        "nspl.csv", write_nspl(tmp_path / "n.csv", oldham_rows(120)).read_bytes()
    )
    response = client.post(url, {"file": upload, "lads": "E08000004, "})
    job = Job.objects.get(place=world.place, kind=postcodes.LOAD_POSTCODES)
    assert response.status_code == 302 and response.url == f"/jobs/{job.public_id}/"
    assert job.status == JobStatus.DONE and job.result["postcodes"] == 120
    assert job.started_by == world.manager_a
    assert not list((tmp_path / "postcode-uploads").iterdir())  # the upload is not kept
    assert client.get(response.url).status_code == 200
    page = client.get(url).content.decode()
    assert "120 postcodes are loaded" in page and "Loaded 120 postcodes" in page

    bad = client.post(
        url, {"file": SimpleUploadedFile("x.csv", b"pcds,lat,long\n"), "lads": "Oldham"}
    )
    assert bad.status_code == 400 and "not a local authority code" in bad.content.decode()


# --- search near a postcode in a new place -------------------------------------------------


@needs_oldham
def test_postcode_search_in_a_new_place_sorts_by_distance_shown_in_words(world, tmp_path):
    postcodes.load_postcodes(write_nspl(tmp_path / "nspl.csv", oldham_rows()), lads=[OLDHAM_LAD])
    lat, lon = geo.lookup_postcode(ORIGIN)
    place = world.place  # created by the test, with no demo data or postcodes of its own
    for name, metres, bearing in [
        ("Far walking group", 12_300, 200),
        ("Near lunch club", 304, 45),
        ("Mid library", 1040, 300),
        ("Town advice", 2440, 120),
    ]:
        place_service(place, name, *offset(lat, lon, metres, bearing))
    response = client_for(None).get("/directory/testford/", {"postcode": "ol11aa"})
    assert response.status_code == 200
    entries = response.context["entries"]
    assert [s.name for s in entries] == [
        "Near lunch club",
        "Mid library",
        "Town advice",
        "Far walking group",
    ]
    assert [round(s.distance_m) for s in entries] == [304, 1040, 2440, 12_300]
    # What a reader sees: scripts and links (whose ids are random and may hold "1040") aside.
    seen = html_to_text(response.content.decode())
    shown = ["300 m away", "1.0 km away", "2.4 km away", "12 km away"]
    assert all(text in seen for text in shown)
    assert [seen.index(text) for text in shown] == sorted(seen.index(text) for text in shown)
    assert "metres" not in seen and "1040" not in seen
    assert "within 25 km" in seen


@needs_oldham
def test_search_says_when_the_postcode_is_not_in_the_data_loaded_for_the_place(world, tmp_path):
    path = write_nspl(tmp_path / "nspl.csv", oldham_rows(100))
    call_command(
        "load_postcodes", str(path), place="testford", stdout=io.StringIO(), stderr=io.StringIO()
    )
    html = client_for(None).get("/directory/testford/", {"postcode": "SW1A 1AA"}).content.decode()
    assert "SW1A 1AA is not in the postcode data loaded for Testford" in html
    assert "No postcode data is loaded" not in html
    not_one = client_for(None).get("/directory/testford/", {"postcode": "XX"}).content.decode()
    assert "Enter a full UK postcode" in not_one and "not in the postcode data" not in not_one


def test_search_says_when_no_postcode_data_is_loaded_and_who_can_load_it(world):
    public = client_for(None).get("/directory/testford/", {"postcode": "OL1 1AA"})
    html = public.content.decode()
    assert "Searching near a postcode is not available in Testford yet" in html
    assert "A coordinator can load it" in html and "/directory/testford/postcodes/" not in html
    staff = client_for(world.manager_a).get("/directory/testford/", {"postcode": "OL1 1AA"})
    assert 'href="/directory/testford/postcodes/"' in staff.content.decode()
    assert "We could not find that postcode" not in html


def test_postcodes_loaded_elsewhere_do_not_count_as_this_places_data(world):
    PostcodeLookup.objects.create(postcode="M11AA", latitude=53.48, longitude=-2.24)
    assert geo.postcode_status(world.place, "OL1 1AA") == geo.PostcodeStatus.NO_DATA
    place_service(world.place, "Hall", None, None, postal_code="M1 1AA")
    assert geo.postcode_status(world.place, "OL1 1AA") == geo.PostcodeStatus.NOT_IN_DATA
    assert geo.postcode_status(world.place, "m11aa") == geo.PostcodeStatus.FOUND
    assert geo.postcode_status(world.place, "M1") == geo.PostcodeStatus.NOT_A_POSTCODE


# --- geocoding locations -------------------------------------------------------------------


def test_geocode_missing_fills_only_locations_with_a_known_postcode_and_no_coordinates(world):
    PostcodeLookup.objects.bulk_create(
        [
            PostcodeLookup(postcode="OL11AA", latitude=53.54151, longitude=-2.09982),
            PostcodeLookup(postcode="OL13AA", latitude=53.54261, longitude=-2.11506),
        ]
    )
    place, other = world.place, world.other_place
    missing = Location.objects.create(place=place, postal_code="OL1 1AA")
    placed = Location.objects.create(place=place, postal_code="OL1 3AA", latitude=1, longitude=2)
    unknown = Location.objects.create(place=place, postal_code="ZZ9 9ZZ")
    none = Location.objects.create(place=place)
    elsewhere = Location.objects.create(place=other, postal_code="OL1 3AA")

    assert geo.geocode_missing(place) == 1
    assert geo.geocode_missing(place) == 0  # idempotent
    for loc in (missing, placed, unknown, none, elsewhere):
        loc.refresh_from_db()
    assert (missing.latitude, missing.longitude) == (53.54151, -2.09982)
    assert (placed.latitude, placed.longitude) == (1, 2)
    assert unknown.latitude is None and none.latitude is None and elsewhere.latitude is None
