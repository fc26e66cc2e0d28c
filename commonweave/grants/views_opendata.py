"""The open-data page: what the place's awards look like as 360Giving data, what is and is
never published, and the JSON and CSV downloads (`?format=json|csv`). Only for the people
who run funds and place admins; each download is one EXPORT audit event. An export the
data-quality check finds problems in is refused, with the problems listed."""

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.export import csv_response
from commonweave.tenancy.viewer import viewer_or_404

from . import giving360, rules

FORMATS = ("json", "csv")


def export_audit(viewer, place, export: giving360.Export, fmt: str) -> None:
    """One EXPORT event naming the residents whose records the file was made from (it names
    none of them itself)."""
    audit_record(
        viewer=viewer,
        action=Action.EXPORT,
        purpose=Purpose.ADMIN,
        object_type="grants.opendata",
        object_id=place.slug,
        residents=export.residents,
        detail={
            "standard": "360giving-1.4.3",
            "format": fmt,
            "grants": len(export.package["grants"]),
        },
    )


@login_required
def open_data(request):
    viewer = viewer_or_404(request, may=rules.may_see_funds)
    place = viewer.place
    prefix = giving360.prefix_for(place)
    export = giving360.build(place, prefix=prefix, publisher=giving360.publisher_for(place))
    grants = export.package["grants"]
    problems = giving360.check(export.package) if grants else []
    fmt = request.GET.get("format", "")
    if fmt in FORMATS and grants and not problems:
        export_audit(viewer, place, export, fmt)
        name = f"360giving-{place.slug}"
        if fmt == "csv":
            rows = giving360.csv_rows(export.package)
            return csv_response(f"{name}.csv", rows[0], rows[1:])
        response = HttpResponse(
            json.dumps(export.package, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
        response["Cache-Control"] = "no-store, private"
        return response
    individual = sum("recipientIndividual" in grant for grant in grants)
    context = {
        "prefix": prefix,
        "grants": len(grants),
        "individual": individual,
        "community": len(grants) - individual,
        "with_area": sum("beneficiaryLocation" in grant for grant in grants),
        "problems": problems,
        "threshold": place.suppression_threshold,
        "refused": fmt in FORMATS,
    }
    status = 400 if fmt in FORMATS else 200
    return render(request, "grants/open_data.html", context, status=status)
