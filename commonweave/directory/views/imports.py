"""Importing into the directory from the web (coordinators and place admins): upload an
ORUK/HSDS JSON file or a CSV (with its column mapping), or name a feed's address. The
import runs as a background job; its page shows a progress bar (polled by htmx, or a
Refresh link without JavaScript) and, at the end, every rejected record with its reason."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from ..enums import ImportSource, ImportState
from ..forms import CsvMappingForm, ImportForm
from ..importer import CSV_FIELDS, csv_headers, jobs
from ..importer.report import Invalid
from ..models import DirectoryImport
from .common import editor

RECENT = 10
ERRORS_PER_PAGE = 100


@login_required
def import_start(request, place_slug):
    viewer = editor(request, place_slug)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            imp = jobs.import_create(
                viewer=viewer,
                source=data["source"],
                upload=data.get("file"),
                url=data.get("url") or "",
                **form.import_options(),
            )
        except Invalid as error:
            form.add_error("file", str(error))
        else:
            return redirect(
                "directory:import_detail", place_slug=place_slug, public_id=imp.public_id
            )
    recent = DirectoryImport.objects.filter(place=viewer.place).select_related("job")[:RECENT]
    return render(
        request,
        "directory/import.html",
        {"form": form, "recent": recent, "place": viewer.place},
        status=400 if form.errors else 200,
    )


@login_required
def import_detail(request, place_slug, public_id):
    """The CSV's column mapping while it waits for one; then progress; then the report."""
    viewer = editor(request, place_slug)
    imp = get_object_or_404(
        DirectoryImport.objects.select_related("job", "started_by"),
        place=viewer.place,
        public_id=public_id,
    )
    mapping_form = None
    if imp.state == ImportState.MAPPING:
        headers = csv_headers(jobs.csv_head(imp))
        mapping_form = CsvMappingForm(
            request.POST or None, headers=headers, fields=CSV_FIELDS, initial=imp.mapping
        )
        if request.method == "POST" and mapping_form.is_valid():
            jobs.import_set_mapping(viewer=viewer, imp=imp, mapping=mapping_form.cleaned_data)
            return redirect("directory:import_detail", place_slug=place_slug, public_id=public_id)
    errors = Paginator((imp.report or {}).get("errors", []), ERRORS_PER_PAGE)
    errors_page = errors.get_page(request.GET.get("page"))
    context = {
        "imp": imp,
        "job": imp.job,
        "mapping_form": mapping_form,
        "page": errors_page,
        "page_range": errors.get_elided_page_range(errors_page.number),
        "warnings": (imp.report or {}).get("warnings", [])[:ERRORS_PER_PAGE],
        "place": viewer.place,
        "is_csv": imp.source == ImportSource.CSV,
    }
    template = "directory/import_detail.html"
    if request.htmx and imp.job:
        template += "#status"
    return render(
        request, template, context, status=400 if mapping_form and mapping_form.errors else 200
    )
