"""The pseudonymous scores export for evaluators: every score of the residents who agreed
to take part in evaluation, one row per answer, with pseudonymous ids (no names, no
record ids). Analysts and place admins only.

It is built as a background job (commonweave/jobs, JobKind.WELLBEING_EXPORT) with a
progress bar on the page and in the terminal, into a file in the exports storage. Only
the person who asked may download it, once (audited as an export); the file is deleted
when downloaded, or a day after it was asked for (`scores_exports_purge`, run whenever
an export is asked for, and by `manage.py purge_wellbeing_exports`). The job row and the
ScoresExport row keep counts and dates only.

The published table of cohort change ("Download this table as CSV") is not this: it is
the page's own numbers and downloads at once (views.cohort_change_csv).
"""

import csv
import hashlib
import hmac
import io
import secrets
import tempfile
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import FileSystemStorage, InvalidStorageError, storages
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.export import neutralise
from commonweave.jobs.enums import JobKind
from commonweave.people.enums import ConsentPurpose
from commonweave.people.models import Consent
from commonweave.tenancy.enums import Role
from commonweave.tenancy.viewer import viewer_for_user

from .cohort import _clean_filters, _cohort_residents, _period_checkins
from .models import AreaRating, CheckIn, Instrument, MeasureResponse, ScoresExport
from .packed import metric_codes

EXPORT_HEADER = ["person", "date", "kind", "instrument", "code", "label", "value", "band"]
KEEP_FOR = timedelta(days=1)
DATE_FILTERS = ("referred_from", "referred_to", "period_from", "period_to")


def can_export(viewer) -> bool:
    return bool(viewer) and viewer.has_role(Role.ANALYST, Role.PLACE_ADMIN)


def pseudonym(place, resident_pk) -> str:
    """A stable pseudonymous id for evaluators: the same person has the same id in every
    export from this place, and it cannot be turned back into a record without the key."""
    message = f"wellbeing-export:{place.pk}:{resident_pk}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:16]


# --- what is exported --------------------------------------------------------------------


def scores_in_scope(viewer, filters):
    """The completed check-ins whose scores an export holds: residents of the cohort who
    consented to evaluation, within the period if there is one; oldest first."""
    consented = Consent.objects.filter(purpose=ConsentPurpose.EVALUATION, given=True).values(
        "resident_id"
    )
    residents = _cohort_residents(viewer, **filters).filter(pk__in=consented)
    return CheckIn.objects.filter(
        _period_checkins(viewer, residents, filters), resident__in=residents
    ).order_by("completed_at", "pk")


def _ratings(checkins):
    return (
        AreaRating.objects.filter(checkin__in=checkins, value__isnull=False)
        .order_by("checkin__completed_at", "checkin_id", "area__position")
        .values_list(
            "checkin_id",
            "checkin__resident_id",
            "checkin__completed_at",
            "area__key",
            "area__name",
            "value",
            "area__version__number",
        )
    )


def _responses(checkins):
    return (
        MeasureResponse.objects.filter(checkin__in=checkins)
        .order_by("checkin__completed_at", "checkin_id", "pk")
        .values_list(
            "checkin_id",
            "checkin__resident_id",
            "checkin__completed_at",
            "instrument_id",
            "instrument__code",
            "instrument__version",
            "scores",
        )
    )


def _day(at) -> str:
    return timezone.localtime(at).date().isoformat()


def rating_rows(place, checkins, *, tick=None):
    """One row per rated area: (check-in id, EXPORT_HEADER values)."""
    for checkin_id, resident_id, at, key, name, value, version in _ratings(checkins).iterator(
        chunk_size=5000
    ):
        if tick:
            tick()
        person = pseudonym(place, resident_id)
        yield checkin_id, [person, _day(at), "life map", f"v{version}", key, name, value, ""]


def measure_rows(place, checkins, *, tick=None):
    """One row per scored metric, in the order of the instrument's definition: only
    metrics that were scored (a metric with an item unanswered has no score, scoring.py)."""
    order = {}  # instrument id -> [metric codes]
    rows = _responses(checkins).iterator(chunk_size=5000)
    for checkin_id, resident_id, at, instrument_id, code, version, scores in rows:
        if tick:
            tick()
        if instrument_id not in order:
            order[instrument_id] = metric_codes(Instrument.objects.get(pk=instrument_id).definition)
        person, day = pseudonym(place, resident_id), _day(at)
        known = order[instrument_id]
        for metric in [m for m in known if m in scores] + sorted(set(scores) - set(known)):
            score = scores[metric]
            band = score.get("band", "")
            row = [person, day, "measure", f"{code} v{version}", metric, metric, score["value"]]
            yield checkin_id, [*row, band]


def scores_count(checkins) -> int:
    """How many rating and response rows an export of these check-ins reads."""
    return _ratings(checkins).count() + _responses(checkins).count()


# --- the background job ------------------------------------------------------------------


def exports_storage():
    """Where built exports wait to be downloaded: the "wellbeing_exports" storage if
    settings.STORAGES names one (e.g. object storage shared by web and worker), otherwise
    a private folder under the data directory, never served as static or media files."""
    try:
        return storages["wellbeing_exports"]
    except InvalidStorageError:
        folder = getattr(settings, "WELLBEING_EXPORT_DIR", None) or settings.DATA_DIR / "exports"
        return FileSystemStorage(
            location=folder, file_permissions_mode=0o600, directory_permissions_mode=0o700
        )


def _filters_json(filters) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items() if v}


def _filters_from_json(saved) -> dict:
    filters = dict(saved)
    for name in DATE_FILTERS:
        if filters.get(name):
            filters[name] = date.fromisoformat(filters[name])
    return _clean_filters(filters)


def scores_export_create(*, viewer, **filters) -> ScoresExport:
    """Ask for the scores export of a cohort (filters as cohort_change), not yet queued.
    Analysts and place admins. Raises ValidationError naming a date range that ends
    before it starts. Side effects: expired exports purged; a Job and a ScoresExport."""
    from commonweave.jobs import services as jobs

    if not can_export(viewer):
        raise PermissionDenied
    filters = _clean_filters(filters)
    scores_exports_purge()
    with transaction.atomic():
        job = jobs.job_create(
            place=viewer.place, kind=JobKind.WELLBEING_EXPORT, started_by=viewer.user
        )
        return ScoresExport.objects.create(
            place=viewer.place,
            job=job,
            requested_by=viewer.user,
            filters=_filters_json(filters),
            expires_at=timezone.now() + KEEP_FOR,
        )


def scores_export_start(*, viewer, **filters) -> ScoresExport:
    """scores_export_create, and the job queued (with the ImmediateBackend it has run when
    this returns). Call outside a transaction: a worker must see the rows."""
    from commonweave.jobs import services as jobs

    export = scores_export_create(viewer=viewer, **filters)
    jobs.job_enqueue(export.job)
    export.refresh_from_db()
    return export


def run_scores_export(*, job, progress):
    """The job's work: write the CSV into the exports storage. The person who asked must
    still be an analyst or place admin of the place when it runs."""
    export = ScoresExport.objects.select_related("requested_by").get(job=job)
    viewer = viewer_for_user(export.requested_by, job.place) if export.requested_by else None
    if not can_export(viewer):
        raise PermissionDenied
    checkins = scores_in_scope(viewer, _filters_from_json(export.filters))
    progress.set_total(scores_count(checkins))
    progress.set_message("Writing the scores of people who agreed to take part in evaluation")
    rows = 0
    with tempfile.TemporaryFile() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(text)
        text.write("\ufeff")  # so Excel reads accented names in labels correctly
        writer.writerow([neutralise(cell) for cell in EXPORT_HEADER])
        for source in (rating_rows, measure_rows):
            for _, row in source(job.place, checkins, tick=progress.advance):
                writer.writerow([neutralise(cell) for cell in row])
                rows += 1
        text.flush()
        text.detach()  # the temporary file stays open for saving
        size = raw.tell()
        raw.seek(0)
        name = f"wellbeing-scores-{export.public_id}-{secrets.token_hex(8)}.csv"
        name = exports_storage().save(name, File(raw, name=name))
    ScoresExport.objects.filter(pk=export.pk).update(file_name=name, rows=rows, size=size)
    progress.message = f"{rows:,} rows ready to download"
    progress.result = {"rows": rows}


def register():
    from commonweave.jobs import services as jobs

    jobs.RUNNERS.setdefault(JobKind.WELLBEING_EXPORT, run_scores_export)


# --- getting the file --------------------------------------------------------------------


def scores_export_get(*, viewer, public_id) -> ScoresExport:
    """The export if the viewer asked for it and may still export; otherwise Http404."""
    export = (
        ScoresExport.objects.select_related("job")
        .filter(public_id=public_id, place=viewer.place if viewer else None)
        .first()
    )
    if export is None or not can_export(viewer) or export.requested_by_id != viewer.user_id:
        raise Http404
    return export


class _DeletingFile(File):
    """The export's file, deleted from storage when the download has been sent (or has
    stopped): one download only."""

    def __init__(self, file, storage, name):
        super().__init__(file, name=name)
        self._storage, self._stored_name = storage, name

    def close(self):
        try:
            super().close()
        finally:
            self._storage.delete(self._stored_name)


def scores_export_download(*, viewer, export) -> File:
    """Open the built file for its one download. Raises Http404 for anyone but the person
    who asked, and ExportGone once it has been downloaded or has expired.

    Side effects: downloaded_at and deleted_at set (the file goes when it has been sent),
    one audit event (EXPORT)."""
    export = scores_export_get(viewer=viewer, public_id=export.public_id)
    with transaction.atomic():
        export = ScoresExport.objects.select_for_update().get(pk=export.pk)
        now = timezone.now()
        if not export.file_name and export.deleted_at is None and export.expires_at > now:
            raise ExportGone("not ready")
        if not export.ready or export.expires_at <= now:
            raise ExportGone("gone")
        storage = exports_storage()
        try:
            file = storage.open(export.file_name, "rb")
        except FileNotFoundError as error:
            raise ExportGone("gone") from error
        export.downloaded_at = export.deleted_at = now
        export.save(update_fields=["downloaded_at", "deleted_at"])
        audit_record(
            viewer=viewer,
            action=Action.EXPORT,
            purpose=Purpose.ADMIN,
            object_type="wellbeing.export",
            object_id="scores",
            detail={"export": export.public_id, "rows": export.rows, **export.filters},
        )
    return _DeletingFile(file, storage, export.file_name)


class ExportGone(Exception):
    """Nothing to download: "not ready" (still being built, or it failed) or "gone"
    (downloaded already, or expired and deleted)."""

    def __init__(self, reason):
        self.reason = reason
        super().__init__(reason)


def scores_exports_purge(now=None) -> int:
    """Delete the files of exports that have expired (or were downloaded but not yet
    removed). Idempotent. Returns how many files went."""
    now = now or timezone.now()
    storage = exports_storage()
    due = ScoresExport.objects.filter(deleted_at__isnull=True).filter(
        Q(expires_at__lte=now) | Q(downloaded_at__isnull=False)
    )
    gone = 0
    for export in due.only("pk", "file_name"):
        if export.file_name:
            storage.delete(export.file_name)
            gone += 1
        ScoresExport.objects.filter(pk=export.pk).update(deleted_at=now)
    return gone
