"""Imports into the directory (coordinators and place admins) and exports of it.

An import runs as a background job, exactly as one started from the import page: the
feed in the body (ORUK JSON, or CSV text with its column mapping), an uploaded file (JSON,
GeoJSON, an HSDS datapackage .zip or a CSV, sent as multipart/form-data) or a feed's
address is checked by the page's own form, stored, and queued; the answer carries the
import's and the job's ids. A wrong or broken file is refused with a 400 naming the field,
saying what the file looks like and what was expected. Poll the import for progress and,
at the end, the report: counts (records in = stored + rejected), each rejected record and
each warning with its field and reason, and for a complete feed the services retired and
restored. JSON bodies are limited by the server's request size (2.5 MB by default): upload
a larger file (up to 50 MB), or send the feed's address.

Exports are the public directory's (confidential addresses left out), as on the pages.
"""

import json
from typing import Literal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404, HttpResponse, JsonResponse
from ninja import File, Form, Router, UploadedFile
from ninja.responses import Status

from commonweave.core.api.errors import InvalidInput
from commonweave.core.api.pagination import PageParams, PageQuery, paginate
from commonweave.core.api.schemas import Detail, Errors

from .. import exporter
from ..enums import ImportSource, ImportState
from ..forms import ImportForm
from ..importer import CSV_FIELDS, Invalid, csv_headers, guess_mapping, jobs
from ..importer.report import problem_rows
from ..importer.sources import decode_csv
from ..models import DirectoryImport
from ._common import editor, raise_form_errors
from .schemas_imports import ImportIn, ImportOut, ImportPage, ImportUploadIn

router = Router(tags=["Directory: imports and exports"])

BODY_FIELD = {ImportSource.ORUK_JSON: "feed", ImportSource.CSV: "csv", ImportSource.URL: "url"}
EXTENSION = {ImportSource.ORUK_JSON: ".json", ImportSource.CSV: ".csv"}


def _check_shape(payload):
    """Exactly the body field its source needs (400 naming the others)."""
    wanted = BODY_FIELD[payload.source]
    problems = {}
    for source, name in BODY_FIELD.items():
        if name != wanted and getattr(payload, name) is not None:
            problems[name] = f"Send this only with source {source.value}"
    if getattr(payload, wanted) is None:
        problems[wanted] = f"Send the {wanted} for source {payload.source.value}"
    if payload.mapping is not None and payload.source != ImportSource.CSV:
        problems["mapping"] = "Send a mapping only with source csv"
    if payload.source == ImportSource.ORUK_JSON and not isinstance(payload.feed, dict | list):
        problems.setdefault("feed", "Send the feed as a JSON object or list")
    if problems:
        raise InvalidInput(problems)


def _csv_mapping(text, given):
    """Our field -> column: the guess from the header row with `given` on top (400 naming
    `mapping.<field>` for a field we do not have or a column the header row lacks)."""
    headers = csv_headers(text[: jobs.HEADER_BYTES])
    mapping = guess_mapping(headers)
    problems = {}
    for field, column in (given or {}).items():
        if field not in CSV_FIELDS:
            problems[f"mapping.{field}"] = "Not one of the fields: " + ", ".join(CSV_FIELDS)
        elif column and column not in headers:
            problems[f"mapping.{field}"] = "The header row has no column of this name"
        else:
            mapping[field] = column
    if not problems and not mapping.get("name"):
        problems["mapping.name"] = "Choose the column that holds names"
    if problems:
        raise InvalidInput(problems)
    return mapping


def _upload(payload):
    """The body's feed as the upload the import page would have received."""
    if payload.source == ImportSource.ORUK_JSON:
        raw = json.dumps(payload.feed).encode()
    else:
        raw = payload.csv.encode()
    extension = EXTENSION[payload.source]
    name = payload.file_name or f"api-import{extension}"
    if not name.lower().endswith(extension):
        name += extension
    return SimpleUploadedFile(name, raw)


def _job_out(job):
    if job is None:
        return None
    return {
        "id": job.public_id,
        "status": job.status,
        "percent": job.percent,
        "done": job.done,
        "total": job.total,
        "message": job.message,
        "error": job.error,
    }


def _import_out(imp, paging: PageQuery):
    report = None
    if imp.state in (ImportState.DONE, ImportState.FAILED) and imp.report:
        found = imp.report
        rejected = found.get("errors", [])
        rows, envelope = paginate(_ListPage(rejected), paging)
        stored = found.get("created", 0) + found.get("updated", 0) + found.get("unchanged", 0)
        report = {
            "records": found.get("records", stored + len(rejected)),
            "stored": stored,
            "stored_with_warnings": found.get("stored_with_warnings", 0),
            "created": found.get("created", 0),
            "updated": found.get("updated", 0),
            "unchanged": found.get("unchanged", 0),
            "rejected": {**envelope, "items": problem_rows(rows)},
            "warnings": found.get("warnings", []),
            "warned": problem_rows(found.get("warnings", [])),
            "retired": [{"id": pk, "name": name} for pk, name in found.get("retired", [])],
            "restored": [{"id": pk, "name": name} for pk, name in found.get("restored", [])],
        }
    return {
        "id": imp.public_id,
        "source": imp.source,
        "state": imp.state,
        "file_name": imp.file_name,
        "url": imp.url,
        "mapping": imp.mapping or {},
        "complete": imp.complete,
        "source_key": imp.source_key,
        "created_at": imp.created_at,
        "job": _job_out(imp.job),
        "report": report,
    }


class _ListPage(list):
    """A list that pages like a queryset (count() with no argument)."""

    def count(self, *args):
        return len(self) if not args else super().count(*args)


@router.post(
    "/directory/imports",
    response={202: ImportOut, 400: Errors, 404: Detail},
    summary="Start an import",
)
def import_start(request, payload: ImportIn):
    """Coordinators and place admins. Send `source` with `feed` (ORUK JSON: a Page, a list
    of services or one service), `csv` (text with a header row; `mapping` names the
    columns, guessed from the header row where left out) or `url` (an http(s) feed this
    server can reach). `complete: true` says the feed is the whole of its source (named by
    `source_name`, else the address or file name): the source's services it lacks are made
    inactive, never deleted, and listed as retired. Partial by default. Answers 202 with
    the import; poll GET /directory/imports/{id}."""
    viewer = editor(request.auth)
    _check_shape(payload)
    data = {
        "source": payload.source.value,
        "url": payload.url or "",
        "complete": "on" if payload.complete else "",
        "source_name": payload.source_name,
    }
    files = {} if payload.source == ImportSource.URL else {"file": _upload(payload)}
    form = ImportForm(data, files)
    body_field = BODY_FIELD[payload.source]
    if not form.is_valid():
        raise_form_errors(form, rename={"file": body_field})
    mapping = _csv_mapping(payload.csv, payload.mapping) if payload.csv is not None else None
    return _start(viewer, form, payload.source, mapping, body_field)


def _start(viewer, form, source, mapping, body_field):
    """Create the import from the checked form, with the CSV's mapping when there is one
    (it is queued at once), and answer 202 with it."""
    try:
        imp = jobs.import_create(
            viewer=viewer,
            source=source,
            upload=form.cleaned_data.get("file"),
            url=form.cleaned_data.get("url") or "",
            **form.import_options(),
        )
    except Invalid as error:
        raise InvalidInput({body_field: str(error).capitalize()}) from None
    if mapping is not None:
        jobs.import_set_mapping(viewer=viewer, imp=imp, mapping=mapping)
    imp = DirectoryImport.objects.select_related("job").get(pk=imp.pk)
    return Status(202, _import_out(imp, PageQuery()))


def _given_mapping(text):
    """The mapping form field's JSON object (400 naming `mapping` when it is not one)."""
    if not text.strip():
        return None
    try:
        given = json.loads(text)
    except ValueError:
        given = None
    if not isinstance(given, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in given.items()
    ):
        raise InvalidInput({"mapping": "Send the mapping as a JSON object of field -> column"})
    return given


@router.post(
    "/directory/imports/upload",
    response={202: ImportOut, 400: Errors, 404: Detail},
    summary="Start an import from an uploaded file",
)
def import_upload(request, file: File[UploadedFile], fields: Form[ImportUploadIn]):
    """Coordinators and place admins. Send multipart/form-data: `file` (a .json or
    .geojson file, an HSDS datapackage .zip, or a .csv with a header row in UTF-8 or
    Windows-1252; up to 50 MB) and `source` (`oruk_json` for all but CSV, `csv`), with
    `mapping` for a CSV (a JSON object: our field -> column; guessed from the header row
    where left out), `complete` and `source_name` as for POST /directory/imports. The file
    gets the import page's checks: one that is wrong or broken (a spreadsheet, an image,
    JSON cut short, a .zip without datapackage.json or services.csv, an empty file) is a
    400 naming `file` and saying what it looks like. Answers 202 with the import, queued."""
    viewer = editor(request.auth)
    if fields.source == ImportSource.URL:
        raise InvalidInput(
            {
                "source": "Upload a file with source oruk_json or csv; send a url to "
                "POST /directory/imports"
            }  # fmt: skip
        )
    given = _given_mapping(fields.mapping) if fields.source == ImportSource.CSV else None
    if fields.mapping.strip() and fields.source != ImportSource.CSV:
        raise InvalidInput({"mapping": "Send a mapping only with source csv"})
    data = {
        "source": fields.source.value,
        "complete": "on" if fields.complete else "",
        "source_name": fields.source_name,
    }
    form = ImportForm(data, {"file": file})
    if not form.is_valid():
        raise_form_errors(form)
    mapping = None
    if fields.source == ImportSource.CSV:
        upload = form.cleaned_data["file"]
        text, _encoding = decode_csv(upload.read())  # the form has checked it decodes
        upload.seek(0)
        mapping = _csv_mapping(text, given)
    return _start(viewer, form, fields.source, mapping, "file")


@router.get("/directory/imports", response={200: ImportPage, 400: Errors, 404: Detail})
def import_list(request, paging: PageParams):
    """Coordinators and place admins: the place's imports, newest first."""
    viewer = editor(request.auth)
    found = DirectoryImport.objects.filter(place=viewer.place).select_related("job")
    rows, envelope = paginate(found, paging)
    items = [
        {
            "id": imp.public_id,
            "source": imp.source,
            "state": imp.state,
            "file_name": imp.file_name,
            "created_at": imp.created_at,
            "job_id": imp.job.public_id if imp.job else None,
        }
        for imp in rows
    ]
    return {**envelope, "items": items}


@router.get(
    "/directory/imports/{public_id}",
    response={200: ImportOut, 400: Errors, 404: Detail},
    summary="An import's progress and report",
)
def import_detail(request, public_id: str, paging: PageParams):
    """How far the job has got; once finished, the counts and the rejected records with
    their reasons (`page` and `size` page through those)."""
    viewer = editor(request.auth)
    imp = (
        DirectoryImport.objects.select_related("job")
        .filter(place=viewer.place, public_id=public_id)
        .first()
    )
    if imp is None:
        raise Http404
    return _import_out(imp, paging)


@router.get(
    "/directory/exports/{fmt}",
    response={200: None, 404: Detail},
    summary="Export the directory (ORUK JSON, CSV or GeoJSON)",
)
def export(request, fmt: Literal["json", "csv", "geojson"]):
    """Your place's public directory, as its export links give it: `json` (ORUK services),
    `csv` (formulas neutralised) or `geojson` (public locations). Confidential addresses
    are never in them. Anyone can also read the ORUK API at /oruk/<place>/."""
    place = request.auth.place
    if fmt == "json":
        response = JsonResponse(exporter.export_oruk(place), safe=False)
    elif fmt == "geojson":
        response = HttpResponse(
            json.dumps(exporter.export_geojson(place)), content_type="application/geo+json"
        )
    else:
        response = HttpResponse(exporter.export_csv(place), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{place.slug}-directory.{fmt}"'
    return response
