"""The place's life map: its areas and the words for each point; place admins change it
(each change a new version, so earlier check-ins keep their words)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from commonweave.tenancy.viewer import viewer_or_404

from .. import services
from ..forms import AreaForm


def _area_dicts(version):
    return [
        {"key": a.key, "name": a.name, "question": a.question, "kind": a.kind, "points": a.points}
        for a in version.areas.all()
    ]


def _admin_viewer(request):
    viewer = viewer_or_404(request)
    if not viewer.is_place_admin:
        raise Http404
    return viewer


def _new_key(name, taken):
    base = slugify(name).replace("-", "_")[:30] or "area"
    if not base[0].isalpha():
        base = f"area_{base}"[:30]
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


@login_required
def lifemap(request):
    """The place's life map: its areas and the words for each point."""
    viewer = viewer_or_404(request)
    version = services.current_lifemap(viewer.place)
    context = {
        "version": version,
        "areas": list(version.areas.all()),
        "can_edit": viewer.is_place_admin,
    }
    return render(request, "wellbeing/lifemap.html", context)


def _publish(request, viewer, areas, form, message):
    try:
        services.lifemap_publish(viewer=viewer, areas=areas)
    except ValidationError as error:
        for problem in error.message_dict.get("areas", error.messages):
            form.add_error(None, problem)
        return False
    messages.success(request, message)
    return True


@login_required
def area_edit(request, key=None):
    """Change an area's words (a new version of the map), or add an area."""
    viewer = _admin_viewer(request)
    version = services.current_lifemap(viewer.place)
    areas = _area_dicts(version)
    current = next((a for a in version.areas.all() if a.key == key), None)
    if key is not None and current is None:
        raise Http404
    fixed = {}
    if current is not None:
        fixed = {"fixed_kind": current.kind, "fixed_points": len(current.points)}
    if request.method == "POST":
        form = AreaForm(request.POST, **fixed)
        if form.is_valid():
            if current is None:
                areas.append(
                    form.area(_new_key(form.cleaned_data["name"], {a["key"] for a in areas}))
                )
            else:
                areas = [form.area(key) if a["key"] == key else a for a in areas]
            if _publish(request, viewer, areas, form, "Life map saved as a new version"):
                return redirect("wellbeing:lifemap")
    else:
        initial = AreaForm.initial_for(current) if current else None
        form = AreaForm(initial=initial, **fixed)
    context = {"form": form, "area": current}
    return render(request, "wellbeing/area_form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def area_remove(request, key):
    viewer = _admin_viewer(request)
    version = services.current_lifemap(viewer.place)
    areas = [a for a in _area_dicts(version) if a["key"] != key]
    if len(areas) == len(version.areas.all()):
        raise Http404
    if not areas:
        messages.error(request, "A life map needs at least one area")
        return redirect("wellbeing:lifemap")
    services.lifemap_publish(viewer=viewer, areas=areas)
    messages.success(request, "Area removed. Earlier check-ins keep it.")
    return redirect("wellbeing:lifemap")
