"""Imports into the directory (coordinators and place admins) and exports of it.

An import runs as a background job, exactly as one started from the import page: the
feed in the body (ORUK JSON, or CSV text with its column mapping) or a feed's address is
checked by the page's own form, stored, and queued; the answer carries the import's and
the job's ids. Poll the import for progress and, at the end, the report: counts and each
rejected record with its reason. Bodies are limited by the server's request size (2.5 MB
by default): send a larger feed by its address.

Exports are the public directory's (confidential addresses left out), as on the pages.
"""

import json
from typing import Literal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404, HttpResponse, JsonResponse
from ninja import Router
from ninja.responses import Status

from commonweave.api.errors import InvalidInput
from commonweave.api.pagination import PageParams, PageQuery, paginate
from commonweave.api.schemas import Detail, Errors

from .. import exporter
from ..enums import ImportSource, ImportState
from ..forms import ImportForm
from ..importer import CSV_FIELDS, Invalid, csv_headers, guess_mapping, jobs
from ..models import DirectoryImport
from ._common import editor, raise_form_errors
from .schemas_imports import ImportIn, ImportOut, ImportPage

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
        rejected = imp.report.get("errors", [])
        rows, envelope = paginate(_ListPage(rejected), paging)
        report = {
            "created": imp.report.get("created", 0),
            "updated": imp.report.get("updated", 0),
            "unchanged": imp.report.get("unchanged", 0),
            "rejected": {
                **envelope,
                "items": [
                    {"record": number, "id": str(key or ""), "reason": reason}
                    for number, key, reason in rows
                ],
            },
            "warnings": imp.report.get("warnings", []),
        }
    return {
        "id": imp.public_id,
        "source": imp.source,
        "state": imp.state,
        "file_name": imp.file_name,
        "url": imp.url,
        "mapping": imp.mapping or {},
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
    server can reach). Answers 202 with the import; poll GET /directory/imports/{id}."""
    viewer = editor(request.auth)
    _check_shape(payload)
    data = {"source": payload.source.value, "url": payload.url or ""}
    files = {} if payload.source == ImportSource.URL else {"file": _upload(payload)}
    form = ImportForm(data, files)
    body_field = BODY_FIELD[payload.source]
    if not form.is_valid():
        raise_form_errors(form, rename={"file": body_field})
    mapping = _csv_mapping(payload.csv, payload.mapping) if payload.csv is not None else None
    try:
        imp = jobs.import_create(
            viewer=viewer,
            source=payload.source,
            upload=form.cleaned_data.get("file"),
            url=form.cleaned_data.get("url") or "",
        )
    except Invalid as error:
        raise InvalidInput({body_field: str(error).capitalize()}) from None
    if mapping is not None:
        jobs.import_set_mapping(viewer=viewer, imp=imp, mapping=mapping)
    imp = DirectoryImport.objects.select_related("job").get(pk=imp.pk)
    return Status(202, _import_out(imp, PageQuery()))


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
