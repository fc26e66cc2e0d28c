"""What came of the money in the JSON API (issue 17, part 4; docs/grants.md "After the
money"): a community award's timeline of results, a new result, a fund's community awards
with how each stands, its template CSV, and a CSV file of results read with the same
report as the page. The rules are the pages': whoever may see an award sees its timeline
(an audited read, as the page's); the fund's runners add results; anyone else gets the 404
of a record that does not exist. A personal grant or a mutual-aid cost has no timeline: a
400 naming `award`."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja.responses import Status

from commonweave.core.api.errors import InvalidInput, service_errors
from commonweave.core.api.schemas import Detail, Errors
from commonweave.core.export import safe_csv_writer

from .. import results, rules, selectors
from ..enums import UpdateSource
from ..models import Award, AwardUpdate
from . import router
from .schemas_results import (
    AwardTimelineOut,
    AwardUpdateIn,
    AwardUpdateOut,
    FundResultsOut,
    ResultsImportOut,
)

CHANGE = {400: Errors, 404: Detail}
CSV_TYPES = ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel")


def update_out(update: AwardUpdate) -> dict:
    return {
        "id": update.public_id,
        "on": update.on,
        "status": update.status,
        "status_label": str(update.get_status_display()),
        "progress": update.progress,
        "note": update.note,
        "source": update.source,
        "source_label": str(update.get_source_display()),
    }


def timeline_out(viewer, award: Award) -> dict:
    updates = list(results.timeline_of(viewer, award))
    current = results.current_of(updates)
    return {
        "award": award.public_id,
        "title": award.title,
        "current": update_out(current) if current is not None else None,
        "updates": [update_out(update) for update in updates],
    }


def _community(award: Award) -> None:
    if not results.has_timeline(award):
        raise InvalidInput({"award": _("Only a community award has a timeline of results")})


def _runner(request):
    viewer = request.auth
    if not rules.may_see_funds(viewer):
        raise Http404
    return viewer


@router.get("/money/awards/{public_id}/updates", response={200: AwardTimelineOut, **CHANGE})
def award_updates(request, public_id: str):
    """A community award's results, oldest first, and the newest as `current`: for whoever
    may see the award (its fund's runners and the caseworkers of the fund's organisation).
    The read is audited, as the award's page. Another kind of award is a 400 naming
    `award`."""
    award = selectors.award_open(request.auth, public_id)
    _community(award)
    return timeline_out(request.auth, award)


@router.post("/money/awards/{public_id}/updates", response={201: AwardUpdateOut, **CHANGE})
def award_update_add(request, public_id: str, payload: AwardUpdateIn):
    """Add a result to a community award's timeline (the fund's runners, once it is
    approved): the day it describes (`on`, not in the future), `status`, `progress` in
    whole percent and a `note`. Nothing is edited or deleted: a correction is a newer
    result. A problem is a 400 naming the field, and nothing is saved."""
    viewer = request.auth
    award = selectors.award_open(viewer, public_id)
    if not rules.runs(viewer, award.fund):
        raise Http404
    _community(award)
    with service_errors():
        update = results.update_add(
            viewer=viewer,
            award=award,
            on=payload.on,
            status=payload.status,
            progress=payload.progress,
            note=payload.note,
            source=UpdateSource.API,
        )
    return Status(201, update_out(update))


@router.get("/money/funds/{public_id}/results", response={200: FundResultsOut, 404: Detail})
def fund_results(request, public_id: str):
    """A fund's approved community awards and how each stands (its newest result), as the
    fund's results page lists them: the fund's runners."""
    viewer = _runner(request)
    fund = selectors.fund_open(viewer, public_id)
    return {
        "fund": fund.public_id,
        "awards": [
            {
                "award": award.public_id,
                "title": award.title,
                "group": results.recipient_name(award),
                # annotated by community_awards_of: the newest result's
                "status": award.result_status,  # type: ignore[attr-defined]
                "status_label": results.status_label(award.result_status),  # type: ignore[attr-defined]
                "progress": award.result_progress,  # type: ignore[attr-defined]
                "on": award.result_on,  # type: ignore[attr-defined]
            }
            for award in results.community_awards_of(viewer, fund)
        ],
    }


@router.get(
    "/money/funds/{public_id}/results.csv",
    response={200: None, 404: Detail},
    summary="The template CSV of a fund's results",
)
def fund_results_template(request, public_id: str):
    """The page's template: one row per approved community award of the fund (award id,
    title, group) and the columns to fill in (date, status, progress, note). Formulas
    are neutralised."""
    viewer = _runner(request)
    fund = selectors.fund_open(viewer, public_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")
    writer = safe_csv_writer(response)
    writer.writerow(results.TEMPLATE_COLUMNS)
    writer.writerows(results.template_rows(viewer, fund))
    response["Content-Disposition"] = f'attachment; filename="results-{fund.public_id}.csv"'
    return response


CSV_BODY = {
    "requestBody": {
        "required": True,
        "description": "The CSV file: uploaded as multipart/form-data in the field `file`, "
        "or sent as the body with Content-Type text/csv",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


def _csv_bytes(request) -> bytes:
    kind = (request.content_type or "").lower()
    if kind == "multipart/form-data":
        try:
            return results.read_upload(request.FILES.get("file"))
        except ValidationError as error:
            raise InvalidInput({"file": " ".join(error.message_dict["file"])}) from None
    if kind in CSV_TYPES:
        raw = request.body
        if len(raw) > results.MAX_BYTES:
            raise InvalidInput(
                {"file": _("The file must be smaller than 2 MB: split it into parts")}
            )
        return raw
    raise InvalidInput(
        {"file": _("Upload the file as multipart/form-data (field file), or send it as text/csv")}
    )


@router.post(
    "/money/funds/{public_id}/results.csv",
    response={200: ResultsImportOut, **CHANGE},
    summary="Add results from a CSV file",
    openapi_extra=CSV_BODY,
)
def fund_results_import(request, public_id: str):
    """Results for a fund's community awards from a CSV file (the fund's runners), read as
    the results page reads an upload: UTF-8 or Windows-1252 (Excel's saves), commas,
    semicolons or tabs; columns award, date and status, with progress and note if you have
    them (the template from GET …/results.csv has them all). Every row is checked on its
    own: a row that cannot be read is listed in `rejected` with its row number and reason
    and nothing from it is saved; repairs (a date written day first, "25%") are listed in
    `warnings`; the rest are added. Rows left as the template has them, and rows already
    on a timeline, are skipped. A file that is not a CSV we can read is a 400 naming
    `file`, and nothing is saved."""
    viewer = _runner(request)
    fund = selectors.fund_open(viewer, public_id)
    raw = _csv_bytes(request)
    with service_errors():
        report = results.updates_import_csv(viewer=viewer, fund=fund, file=raw)
    return {
        "rows": report.rows,
        "added": report.added,
        "skipped": report.skipped,
        "encoding": report.encoding,
        "delimiter": report.delimiter,
        "warnings": [vars(problem) for problem in report.warnings],
        "rejected": [vars(problem) for problem in report.rejected],
        "added_ids": report.added_ids,
    }
