"""An import started from the web, run as a background job (commonweave/jobs) with progress.

The uploaded bytes are kept on a DirectoryImport row so a worker in another process can
read them; a feed named by URL is fetched by the job itself. A CSV waits for its column
mapping before the job is queued. When the job ends, the row keeps the per-record report
and the bytes are dropped. Nothing here logs a record's content.
"""

import secrets
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.jobs.enums import JobKind

from ..enums import ImportSource, ImportState
from ..models import DirectoryImport
from ..services import can_edit, ensure_default_taxonomy
from .csv_import import (
    CSV_FIELDS,
    add_row_warnings,
    csv_headers,
    csv_to_records,
    guess_mapping,
)
from .feed import SOURCE_KEY_MAX, import_oruk
from .formats import ZIP_MAGIC, Converted, datapackage_records, file_records, json_records
from .report import Invalid
from .sources import MAX_FEED_BYTES, decode_csv, fetch_url, parse_json

DIRECTORY_IMPORT = JobKind.DIRECTORY_IMPORT.value
HEADER_BYTES = 64 * 1024  # enough of a CSV to read its header row
MAX_PAGES = 2000  # a feed by URL is read page by page, up to this many pages
MAPPING_KEPT_FOR = timedelta(days=1)  # a CSV waiting for its column mapping
UNMAPPED_REASON = gettext_noop(
    "the columns were not matched within a day, so the file was not kept: upload it again"
)


def _read_upload(upload) -> bytes:
    data = bytearray()
    for chunk in upload.chunks():
        data += chunk
        if len(data) > MAX_FEED_BYTES:
            raise Invalid("the file is too large")
    return bytes(data)


def import_create(
    *, viewer, source, upload=None, url="", complete=False, source_name=""
) -> DirectoryImport:
    """Keep an uploaded file (or a feed's address) for an import into the viewer's place.

    A JSON file or URL is queued at once; a CSV waits for its column mapping (a guess from
    its header row is stored). `complete` marks the feed as the whole of its source: the
    source's entries it lacks are retired. The source is `source_name`, or else the feed's
    address or the file's name; the entries imported remember it. Side effects: a
    DirectoryImport, and for JSON/URL a queued job (with the ImmediateBackend it has run
    when this returns).
    """
    if not can_edit(viewer):
        raise PermissionDenied
    imports_unmapped_purge()
    imp = DirectoryImport(
        public_id=secrets.token_urlsafe(9)[:12],
        place=viewer.place,
        started_by=viewer.user,
        source=source,
        url=url if source == ImportSource.URL else "",
        state=ImportState.QUEUED,
        complete=bool(complete),
    )
    if source != ImportSource.URL:
        imp.payload = _read_upload(upload)
        imp.size = len(imp.payload)
        imp.file_name = (upload.name or "")[-200:]
    imp.source_key = source_key_for(source_name, imp.url or imp.file_name)
    if source == ImportSource.CSV:
        imp.state = ImportState.MAPPING
        imp.mapping = guess_mapping(csv_headers(csv_head(imp)))
    imp.save()
    if imp.state == ImportState.QUEUED:
        _queue(viewer, imp)
    return imp


def source_key_for(name, fallback) -> str:
    """The key services remember their source by: the name given, else the address or the
    file name (spaces collapsed, at most 300 characters)."""
    return " ".join((name or fallback or "").split())[:SOURCE_KEY_MAX]


def csv_head(imp) -> str:
    """The first part of a stored CSV, for its header row, read in the encoding the whole
    file is read in (Invalid when it is not text)."""
    return decode_csv(bytes(imp.payload))[0][:HEADER_BYTES]


def import_set_mapping(*, viewer, imp, mapping: dict) -> DirectoryImport:
    """Save the CSV's column mapping and queue the import. Side effects: as import_create."""
    if not can_edit(viewer) or imp.place_id != viewer.place.pk:
        raise PermissionDenied
    if imp.state != ImportState.MAPPING:
        raise PermissionDenied
    imp.mapping = {field: mapping.get(field, "") for field in CSV_FIELDS}
    imp.state = ImportState.QUEUED
    imp.save(update_fields=["mapping", "state"])
    _queue(viewer, imp)
    return imp


def imports_unmapped_purge(*, now=None) -> int:
    """Drop the bytes of CSVs left waiting for their column mapping for over a day: the
    import is marked failed with the reason, so its page says what happened. Idempotent;
    also run whenever an import is started. Returns how many were dropped."""
    cutoff = (now or timezone.now()) - MAPPING_KEPT_FOR
    return DirectoryImport.objects.filter(state=ImportState.MAPPING, created_at__lt=cutoff).update(
        state=ImportState.FAILED,
        payload=b"",
        report={
            "created": 0,
            "updated": 0,
            "unchanged": 0,
            "errors": [[0, "", _(UNMAPPED_REASON)]],
        },
    )


def _queue(viewer, imp):
    """Create the job and hand it to the task backend (outside any transaction)."""
    from commonweave.jobs import services as jobs

    job = jobs.job_create(place=imp.place, kind=DIRECTORY_IMPORT, started_by=viewer.user)
    imp.job = job
    imp.save(update_fields=["job"])
    jobs.job_enqueue(job)
    imp.refresh_from_db()


def _page_url(url: str, number: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("page", str(number))])))


def _feed_pages(url: str, fetch, progress, *, salt: str) -> Converted:
    """A feed at an address, every page of it: an ORUK page (`total_pages`, `contents`)
    is followed with ?page=2, 3, ... to the last (at most MAX_PAGES), with progress per
    page. Any page that cannot be read makes the whole feed unreadable (Invalid)."""
    raw = fetch(url)
    if raw.startswith(ZIP_MAGIC):
        return datapackage_records(raw)
    first = parse_json(raw)
    total = first.get("total_pages") if isinstance(first, dict) else None
    if not isinstance(first, dict) or not isinstance(first.get("contents"), list):
        return json_records(first, salt=salt)
    if not isinstance(total, int) or total <= 1:
        return json_records(first, salt=salt)
    pages = min(total, MAX_PAGES)
    progress.set_total(pages)
    progress.advance(1, message=_("Read page 1 of %(pages)d") % {"pages": pages})
    contents = list(first["contents"])
    for number in range(2, pages + 1):
        page = parse_json(fetch(_page_url(url, number)))
        found = page.get("contents") if isinstance(page, dict) else None
        if not isinstance(found, list):
            raise Invalid(_("page %(number)d of the feed is not an ORUK page") % {"number": number})
        contents += found
        progress.advance(
            1, message=_("Read page %(n)d of %(pages)d") % {"n": number, "pages": pages}
        )
        if not found:
            break  # the feed ran out before its total_pages
    progress.done = 0
    converted = json_records(contents, salt=salt)
    if total > MAX_PAGES:
        converted.notes.append(
            _("the feed has %(total)d pages: only the first %(max)d were read")
            % {"total": total, "max": MAX_PAGES}
        )
        converted.truncated = True
    return converted


def _records(imp, progress) -> Converted:
    """The import's records, read from the stored bytes or fetched (Invalid if unreadable)."""
    if imp.source == ImportSource.URL:
        allow_private = getattr(settings, "DIRECTORY_IMPORT_ALLOW_PRIVATE_URLS", False)

        def fetch(url):
            return fetch_url(url, allow_private=allow_private)

        return _feed_pages(imp.url, fetch, progress, salt=imp.place.slug)
    raw = bytes(imp.payload)
    if imp.source == ImportSource.CSV:
        text, encoding = decode_csv(raw)
        notes = [_("read as %(encoding)s") % {"encoding": encoding}] if encoding else []
        return Converted(csv_to_records(text, imp.mapping, place=imp.place), notes)
    return file_records(raw, salt=imp.place.slug)


def report_dict(report) -> dict:
    return report.as_dict()


def run_directory_import(*, job, progress):
    """The job's work: read the feed, import each record, keep the report.

    A feed that cannot be read at all ends the job normally with the import marked failed
    and the reason in its report (the reason is ours, never the file's content).
    Side effects: directory entries and their history, the DirectoryImport's report and
    state (its bytes dropped), one audit event.
    """
    from commonweave.jobs.services import _audit_actor

    imp = DirectoryImport.objects.select_related("place").get(job=job)
    actor = _audit_actor(job)
    ensure_default_taxonomy(imp.place)
    progress.set_message("Reading the file")
    try:
        converted = _records(imp, progress)
    except Invalid as exc:
        imp.state = ImportState.FAILED
        imp.report = {"created": 0, "updated": 0, "unchanged": 0, "errors": [[0, "", str(exc)]]}
        imp.payload = b""
        imp.save(update_fields=["state", "report", "payload"])
        progress.message = f"Nothing imported: {exc}"[:200]
        progress.result = {"rejected": 0, "created": 0}
        return
    records = converted.records
    progress.set_total(len(records))
    progress.set_message(f"Importing {len(records):,} records")

    def advance(done, _total):
        progress.advance(done - progress.done)

    report = import_oruk(
        imp.place,
        records,
        viewer=actor,
        on_progress=advance,
        complete=imp.complete and bool(imp.source_key) and not converted.truncated,
        source_key=imp.source_key,
    )
    add_row_warnings(report, records)
    for note in converted.notes:
        report.warn(0, "", note)
    imp.state = ImportState.DONE
    imp.report = report_dict(report)
    imp.payload = b""
    imp.save(update_fields=["state", "report", "payload"])
    progress.message = report.summary()[:200]
    progress.result = {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": len(report.errors),
        "with_warnings": report.stored_with_warnings,
        "retired": len(report.retired),
        "restored": len(report.restored),
    }
    audit_record(
        viewer=actor,
        action=Action.UPDATE,
        purpose=Purpose.ADMIN,
        object_type="directory.directoryimport",
        object_id=imp.public_id,
        detail={"job": job.public_id, **progress.result},
    )


def register():
    from commonweave.jobs import services as jobs

    jobs.RUNNERS.setdefault(DIRECTORY_IMPORT, run_directory_import)
