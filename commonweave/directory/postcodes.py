"""Loading ONS's postcode directory (NSPL or ONSPD, Open Government Licence) into
`PostcodeLookup`, offline: the deployer supplies the file, from the command line
(`manage.py load_postcodes`) or a coordinator's upload, and it runs as a background job.

The file is streamed: rows are read one at a time with the csv module and written in
batches (an upsert on the postcode), so the whole of the UK (about 2.7 million rows, some
1 GB) never sits in memory. Columns are found by their header names, so NSPL (`pcds`,
`lat`, `long`, `laua`), ONSPD (`oslaua`, `osward`), the 2025 names (`pcd7`, `lad25cd`,
`wd25cd`, `lsoa21cd`) and a derived extract (`postcode`, `latitude`, `longitude`,
`lad_code`) all load. A zip as ONS publishes it is read from inside, without unpacking.
Rows without coordinates (ONS writes lat 99.999999) or without a postcode are skipped.
Loading the same file again changes nothing.
"""

import csv
import io
import json
import math
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record

from . import geo
from .models import PostcodeLookup
from .services import can_edit

BATCH_SIZE = 5000
LAD_CODE_RE = re.compile(r"^[EWSN]\d{8}$")

# Header names, in order of preference (compared lower-cased, without spaces or underscores).
POSTCODE_HEADERS = ("pcds", "pcd", "pcd7", "pcd8", "pcd2", "postcode")
LATITUDE_HEADERS = ("lat", "latitude")
LONGITUDE_HEADERS = ("long", "longitude", "lon", "lng")
LAD_HEADERS = ("laua", "oslaua", "lad", "ladcode", "ladcd", "lacode")
LAD_HEADER_RE = re.compile(r"^lad\d\dcd$")  # lad23cd, lad25cd ...
LSOA_HEADERS = ("lsoa21", "lsoa21cd", "lsoa21code", "lsoa11", "lsoa11cd", "lsoacode", "lsoa")
WARD_HEADERS = ("osward", "ward", "wardcode", "wardcd")
WARD_HEADER_RE = re.compile(r"^wd\d\dcd$")  # wd24cd, wd25cd ...


class PostcodeFileError(ValueError):
    """The file cannot be read as a postcode directory; the message is ours, for people."""


@dataclass(frozen=True)
class Columns:
    """Where each field is in a row (an index, or None when the file has no such column)."""

    postcode: int
    latitude: int
    longitude: int
    lad: int | None = None
    lsoa: int | None = None
    ward: int | None = None


@dataclass
class LoadReport:
    loaded: int = 0  # rows written (new or refreshed)
    skipped: int = 0  # rows without a usable postcode or coordinates
    other_areas: int = 0  # rows left out because their local authority was not asked for
    lad_codes: set = field(default_factory=set)  # the local authorities loaded


def _simple(name: str) -> str:
    return re.sub(r"[\s_\-]", "", name.strip().lower())


def map_columns(header: list[str]) -> Columns:
    """Find the columns by name; PostcodeFileError if the postcode or coordinates are missing."""
    names = [_simple(h) for h in header]

    def find(candidates, pattern=None):
        for candidate in candidates:
            if candidate in names:
                return names.index(candidate)
        if pattern is not None:
            for i, name in enumerate(names):
                if pattern.match(name):
                    return i
        return None

    postcode = find(POSTCODE_HEADERS)
    latitude, longitude = find(LATITUDE_HEADERS), find(LONGITUDE_HEADERS)
    if postcode is None or latitude is None or longitude is None:
        raise PostcodeFileError(
            _(
                "This is not a postcode directory: it needs columns for the postcode "
                "(pcds or pcd), latitude (lat) and longitude (long)."
            )
        )
    return Columns(
        postcode=postcode,
        latitude=latitude,
        longitude=longitude,
        lad=find(LAD_HEADERS, LAD_HEADER_RE),
        lsoa=find(LSOA_HEADERS),
        ward=find(WARD_HEADERS, WARD_HEADER_RE),
    )


def clean_lad_codes(codes) -> set[str]:
    """Upper-cased local-authority codes; PostcodeFileError naming any that is not one."""
    cleaned = {c.strip().upper() for c in codes or [] if c and c.strip()}
    bad = sorted(c for c in cleaned if not LAD_CODE_RE.match(c))
    if bad:
        raise PostcodeFileError(
            _("%(codes)s is not a local authority code, like E08000004.")
            % {"codes": ", ".join(bad)}
        )
    return cleaned


def _zip_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    """The directory's main CSV in an ONS zip: under Data/, the largest, not a split file."""
    csvs = [i for i in archive.infolist() if i.filename.lower().endswith(".csv")]
    if not csvs:
        raise PostcodeFileError(_("The zip file holds no CSV file."))
    whole = [i for i in csvs if "/multi_csv/" not in i.filename.lower()] or csvs
    return max(whole, key=lambda i: i.file_size)


@contextmanager
def open_directory(path):
    """(text stream, its size in bytes, a function answering how many bytes were read).

    UTF-8 with or without a byte-order mark; a .zip is read from inside.
    """
    path = Path(path)
    with open(path, "rb") as raw:
        if zipfile.is_zipfile(raw):
            raw.seek(0)
            with zipfile.ZipFile(raw) as archive:
                member = _zip_member(archive)
                with archive.open(member) as binary:
                    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
                    yield text, member.file_size, binary.tell
            return
        raw.seek(0)
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        yield text, path.stat().st_size, raw.tell


def _cell(row, index) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def read_rows(reader, columns: Columns, lads: set[str], report: LoadReport):
    """PostcodeLookup objects for the rows wanted; counts the others in the report."""
    for row in reader:
        lad = _cell(row, columns.lad).upper()
        if lads and lad not in lads:
            report.other_areas += 1
            continue
        key = geo.postcode_key(_cell(row, columns.postcode))
        try:
            lat = float(_cell(row, columns.latitude))
            lon = float(_cell(row, columns.longitude))
        except ValueError:
            report.skipped += 1
            continue
        ok = math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180
        if not key or not ok:
            report.skipped += 1
            continue
        if lad:
            report.lad_codes.add(lad)
        yield PostcodeLookup(
            postcode=key,
            latitude=lat,
            longitude=lon,
            lsoa_code=_cell(row, columns.lsoa)[:12],
            ward_code=_cell(row, columns.ward)[:12],
            lad_code=lad[:9],
        )


def _write(rows: list):
    PostcodeLookup.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["postcode"],
        update_fields=["latitude", "longitude", "lsoa_code", "ward_code", "lad_code"],
    )


def load_postcodes(path, *, lads=None, on_progress=None, batch_size=BATCH_SIZE) -> LoadReport:
    """Load (or refresh) the postcodes of a NSPL/ONSPD-style file, for the given local
    authorities only (all of the file's when `lads` is empty). Idempotent.

    `on_progress(percent_read, report)` is called after each batch. Memory stays at one
    batch whatever the file's size. PostcodeFileError if the file is not one.
    Side effects: inserts or updates PostcodeLookup rows.
    """
    wanted = clean_lad_codes(lads)
    report = LoadReport()
    with open_directory(path) as (text, size, position):
        reader = csv.reader(text)
        try:
            header = next(reader)
        except StopIteration:
            raise PostcodeFileError(_("The file is empty.")) from None
        except (UnicodeDecodeError, csv.Error):
            raise PostcodeFileError(_("The file is not a CSV file in UTF-8.")) from None
        columns = map_columns(header)
        if wanted and columns.lad is None:
            raise PostcodeFileError(
                _("The file has no local authority column (laua), so it cannot be filtered.")
            )
        batch: dict = {}  # by postcode: one upsert may not touch a row twice
        try:
            for item in read_rows(reader, columns, wanted, report):
                batch[item.postcode] = item
                if len(batch) >= batch_size:
                    _write(list(batch.values()))
                    report.loaded += len(batch)
                    batch.clear()
                    if on_progress:
                        on_progress(min(99, position() * 100 // max(size, 1)), report)
        except (UnicodeDecodeError, csv.Error):
            raise PostcodeFileError(_("The file is not a CSV file in UTF-8.")) from None
        if batch:
            _write(list(batch.values()))
            report.loaded += len(batch)
    if on_progress:
        on_progress(100, report)
    return report


# --- as a background job -------------------------------------------------------------------

LOAD_POSTCODES = geo.LOAD_POSTCODES


def upload_dir() -> Path:
    """Where an uploaded file waits for its job (DATA_DIR, which the worker shares)."""
    return Path(settings.DATA_DIR) / "postcode-uploads"


def _job_files(job) -> tuple[Path, Path]:
    base = upload_dir() / job.public_id
    return base.with_suffix(".upload"), base.with_suffix(".json")


def postcodes_load_start(*, viewer, upload, lads=()):
    """Keep an uploaded NSPL/ONSPD file (CSV or zip) and queue the job that loads it, then
    gives the place's locations their coordinates. Coordinators and place admins only.
    If a load is already under way in the place, that job is returned. Returns (job, started).

    Side effects: the file under DATA_DIR (removed when the job ends), a Job, a queued task
    (with the ImmediateBackend it has run when this returns).
    """
    from commonweave.jobs import services as jobs

    if not can_edit(viewer):
        raise PermissionDenied
    wanted = sorted(clean_lad_codes(lads))
    existing = jobs.active_job(place=viewer.place, kind=LOAD_POSTCODES)
    if existing is not None:
        return existing, False
    job = jobs.job_create(place=viewer.place, kind=LOAD_POSTCODES, started_by=viewer.user)
    data_path, options_path = _job_files(job)
    data_path.parent.mkdir(parents=True, exist_ok=True)
    with open(data_path, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    options_path.write_text(json.dumps({"lads": wanted}))
    return jobs.job_enqueue(job), True


def run_postcode_load(*, job, progress):
    """The registered runner: load the file uploaded for this job, then drop it."""
    data_path, options_path = _job_files(job)
    try:
        options = json.loads(options_path.read_text()) if options_path.exists() else {}
        if not data_path.exists():
            progress.message = _("Nothing loaded: the uploaded file is no longer there")
            progress.result = {"postcodes": 0}
            return
        load_for_job(job=job, progress=progress, path=data_path, lads=options.get("lads") or [])
    finally:
        data_path.unlink(missing_ok=True)
        options_path.unlink(missing_ok=True)


def load_for_job(*, job, progress, path, lads=()):
    """Load the file with progress on the job (percent of the file read), then geocode the
    job's place's locations. A file that is not a postcode directory ends the job with the
    reason as its message and nothing loaded. Side effects: PostcodeLookup rows, Location
    coordinates, one audit event."""
    from commonweave.jobs.services import _audit_actor

    progress.set_total(100)
    progress.set_message(_("Reading the postcode file"))

    def advance(percent, report):
        message = _("%(count)s postcodes loaded") % {"count": f"{report.loaded:,}"}
        progress.advance(max(0, percent - progress.done), message=message)

    try:
        report = load_postcodes(path, lads=lads, on_progress=advance)
    except PostcodeFileError as exc:
        progress.message = (_("Nothing loaded: %(reason)s") % {"reason": exc})[:200]
        progress.result = {"postcodes": 0}
        return
    progress.set_message(_("Giving locations their coordinates"))
    located = geo.geocode_missing(job.place)
    progress.message = (
        _(
            "Loaded %(count)s postcodes in %(areas)s local authorities; "
            "%(located)s locations given coordinates"
        )
        % {
            "count": f"{report.loaded:,}",
            "areas": len(report.lad_codes),
            "located": f"{located:,}",
        }
    )[:200]
    progress.result = {
        "postcodes": report.loaded,
        "skipped": report.skipped,
        "other areas": report.other_areas,
        "locations given coordinates": located,
    }
    audit_record(
        viewer=_audit_actor(job),
        action=Action.UPDATE,
        purpose=Purpose.ADMIN,
        object_type="directory.postcodelookup",
        object_id="",
        detail={"job": job.public_id, "lads": sorted(report.lad_codes)[:50], **progress.result},
    )


def register():
    from commonweave.jobs import services as jobs

    jobs.register_kind(LOAD_POSTCODES, run_postcode_load, label=gettext_lazy("Load postcodes"))
