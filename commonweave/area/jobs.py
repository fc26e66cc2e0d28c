"""Importing the indices as a background job, with progress on the job's page: the files
a place admin uploaded wait under DATA_DIR for the worker, which imports and removes them.
The command line (`manage.py import_imd --place`) runs the same code in the foreground."""

import json
import shutil
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record

from . import imports
from .enums import Edition

IMPORT_IMD = "import_imd"  # the kind of job that imports the Indices of Deprivation


def upload_dir() -> Path:
    """Where uploaded files wait for their job (DATA_DIR, which the worker shares)."""
    return Path(settings.DATA_DIR) / "area-uploads"


def _job_dir(job) -> Path:
    return upload_dir() / job.public_id


def imd_import_start(*, viewer, uploads, edition, lads=(), lookup=None):
    """Keep the uploaded files (one edition's CSVs, and optionally the ONS LSOA lookup) and
    queue the job that imports them. Place admins only. If an import is already under way
    in the place, that job is returned. Returns (job, started).

    Side effects: the files under DATA_DIR (removed when the job ends), a Job, a queued
    task (with the ImmediateBackend it has run when this returns).
    """
    from commonweave.jobs import services as jobs

    if not viewer or not viewer.is_place_admin:
        raise PermissionDenied
    edition = Edition(str(edition))
    wanted = sorted({str(item).strip() for item in lads if str(item).strip()})
    existing = jobs.active_job(place=viewer.place, kind=IMPORT_IMD)
    if existing is not None:
        return existing, False
    job = jobs.job_create(place=viewer.place, kind=IMPORT_IMD, started_by=viewer.user)
    folder = _job_dir(job)
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for number, upload in enumerate([*uploads, *([lookup] if lookup else [])]):
        name = f"{number}.csv"
        with open(folder / name, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        names.append(name)
    options = {
        "edition": edition.value,
        "lads": wanted,
        "files": names[: len(uploads)],
        "lookup": names[len(uploads)] if lookup else None,
    }
    (folder / "options.json").write_text(json.dumps(options))
    return jobs.job_enqueue(job), True


def run_imd_import(*, job, progress):
    """The registered runner: import the files uploaded for this job, then drop them."""
    folder = _job_dir(job)
    try:
        options_path = folder / "options.json"
        if not options_path.exists():
            progress.message = _("Nothing imported: the uploaded files are no longer there")
            progress.result = {"imported": 0}
            return
        options = json.loads(options_path.read_text())
        import_for_job(
            job=job,
            progress=progress,
            paths=[folder / name for name in options["files"]],
            edition=options["edition"],
            lads=options.get("lads") or [],
            lookup=folder / options["lookup"] if options.get("lookup") else None,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def import_for_job(*, job, progress, paths, edition, lads=(), lookup=None):
    """Import with progress on the job (rows read, then written). A file that cannot be
    read ends the job with the reason as its message and nothing imported.

    Side effects: LsoaDeprivation (and LsoaLookup) rows, one audit event.
    """
    from commonweave.jobs.services import _audit_actor

    progress.set_message(_("Reading the files of IoD %(edition)s") % {"edition": edition})

    def advance(done, total):
        if total and progress.total != total:
            progress.set_total(total)
        progress.advance(max(0, done - progress.done), message=_("Importing neighbourhoods"))

    try:
        report = (
            imports.import_imd(paths, edition=edition, lads=lads, on_progress=advance)
            if paths
            else imports.ImportReport(edition=str(edition))
        )
        looked_up = None
        if lookup is not None:
            progress.set_message(_("Reading the ONS LSOA 2011 to 2021 lookup"))
            looked_up = imports.import_lsoa_lookup(lookup, lads=lads)
    except imports.ImdFileError as exc:
        progress.message = (_("Nothing imported: %(reason)s") % {"reason": exc})[:200]
        progress.result = {"imported": 0}
        return
    progress.message = (
        _(
            "IoD %(edition)s: %(count)s neighbourhoods in %(areas)s local authorities; "
            "%(rejected)s rows refused"
        )
        % {
            "edition": edition,
            "count": f"{report.imported:,}",
            "areas": len(report.lad_codes),
            "rejected": f"{len(report.rejected):,}",
        }
    )[:200]
    progress.result = report.summary()
    if looked_up is not None:
        progress.result["lookup rows"] = looked_up.imported
    audit_record(
        viewer=_audit_actor(job),
        action=Action.UPDATE,
        purpose=Purpose.ADMIN,
        object_type="area.lsoadeprivation",
        object_id=str(edition),
        detail={
            "job": job.public_id,
            "imported": report.imported,
            "removed": report.removed,
            "rejected": len(report.rejected),
            "lads": sorted(report.lad_codes)[:50],
        },
    )


def register():
    from commonweave.jobs import services as jobs

    jobs.register_kind(
        IMPORT_IMD, run_imd_import, label=gettext_lazy("Import the Indices of Deprivation")
    )
