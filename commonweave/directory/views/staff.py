"""Keeping the directory true (coordinators and place admins) and the community summary."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commonweave.core.versioning import Conflict
from commonweave.web.editing import EDIT_CONFLICT_MESSAGE, conflict_rows

from .. import community, selectors, services
from ..enums import SuggestionStatus
from ..forms import EntryForm, ReviewForm
from ..models import Service, Suggestion
from .common import editor, place_viewer, with_tiles


@login_required
@require_POST
def mark_checked(request, place_slug, pk):
    viewer = editor(request, place_slug)
    service = get_object_or_404(Service, place=viewer.place, pk=pk)
    services.service_mark_checked(viewer=viewer, service=service)
    messages.success(request, "Marked as checked today.")
    return redirect("directory:entry", place_slug=place_slug, pk=pk)


@login_required
def review_list(request, place_slug):
    viewer = editor(request, place_slug)
    pending = Suggestion.objects.filter(
        place=viewer.place, status=SuggestionStatus.PENDING
    ).select_related("service")
    stale = selectors.needing_review(viewer.place)[:50]
    return render(
        request,
        "directory/review_list.html",
        {"pending": pending, "stale": stale, "place": viewer.place},
    )


@login_required
def review(request, place_slug, public_id):
    viewer = editor(request, place_slug)
    suggestion = get_object_or_404(
        Suggestion.objects.select_related("service"), place=viewer.place, public_id=public_id
    )
    form = ReviewForm(request.POST or None)
    pending = suggestion.status == SuggestionStatus.PENDING
    if request.method == "POST" and pending and form.is_valid():
        services.suggestion_review(
            viewer=viewer,
            suggestion=suggestion,
            accept=form.cleaned_data["decision"] == "accept",
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, "Decision recorded.")
        return redirect("directory:review_list", place_slug=place_slug)
    return render(
        request,
        "directory/review.html",
        {
            "suggestion": suggestion,
            "rows": services.suggestion_rows(suggestion),
            "form": form,
            "place": viewer.place,
        },
        status=400 if form.errors else 200,
    )


# ---- Editing -------------------------------------------------------------------------------


@login_required
def entry_edit(request, place_slug, pk=None):
    """Create (pk=None) or edit an entry; every change is kept in its history. If someone
    else saved the entry first, both versions are shown and what this person typed is kept;
    nothing is overwritten silently."""
    viewer = editor(request, place_slug)
    place = viewer.place
    service = get_object_or_404(Service, place=place, pk=pk) if pk else None
    form = EntryForm(
        request.POST or None,
        place=place,
        initial=EntryForm.initial_for(service)
        if service
        else {"kind": "group", "status": "active"},
    )
    form.fields["version"].required = service is not None
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            service = form.save(viewer, service, version=form.cleaned_data["version"])
        except Conflict as error:
            service = error.current
            data = request.POST.copy()
            data["version"] = str(service.version)  # a second save is made on purpose
            form = EntryForm(data, place=place)
            form.is_valid()
            form.add_error(None, EDIT_CONFLICT_MESSAGE)
            conflict = conflict_rows(form, service, CONFLICT_FIELDS)
        else:
            messages.success(request, _("Saved."))
            return redirect("directory:entry", place_slug=place.slug, pk=service.pk)
    return render(
        request,
        "directory/entry_edit.html",
        {"form": form, "service": service, "place": place, "conflict_rows": conflict},
        status=409 if conflict is not None else 400 if form.errors else 200,
    )


# What the edit page compares when someone else saved first: the entry's own fields.
CONFLICT_FIELDS = [f for f in services.SERVICE_FIELDS if f in EntryForm.base_fields]


# ---- Community summary ---------------------------------------------------------------------


@login_required
def community_summary(request, place_slug):
    """Staff who see aggregates: how many people include each area, and where drawn areas
    overlap, under the disclosure rules."""
    viewer = place_viewer(request, place_slug)
    if not viewer.can_see_aggregates:
        raise Http404
    place = viewer.place
    context = {
        "rows": community.community_map(place),
        "drawn_total": community.drawn_total(place),
        "grid": community.community_grid(place),
        "place": place,
        "tile_url": settings.DIRECTORY_TILE_URL,
    }
    return with_tiles(render(request, "directory/community_summary.html", context))
