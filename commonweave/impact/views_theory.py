"""The theory of change pages (issue 18, part 3): the current version, its history, one
old version, and the form that saves a new one. Reading is for everyone who sees the
place's published numbers and for partner workers; saving for coordinators and place
admins (rules.py); anyone else finds a 404. The same selectors and service as
`/api/impact/theory` (api/theory.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from commonweave.core.versioning import Conflict
from commonweave.tenancy.viewer import viewer_or_404
from commonweave.web.editing import EDIT_CONFLICT_MESSAGE

from . import rules, selectors, services_theory
from .forms_theory import Rows, TheoryForm
from .profiles import may_see_area_profile


def _reader(request):
    return viewer_or_404(request, may=rules.may_read_theory)


def _shown(viewer, version, **extra):
    outcomes, general = selectors.theory_outline(version) if version is not None else ([], [])
    return {
        "version": version,
        "outcomes": outcomes,
        "general": general,
        # Partner workers read the theory but not the area profile: no link to a 404.
        "may_see_area": may_see_area_profile(viewer),
        **extra,
    }


@login_required
def theory(request):
    viewer = _reader(request)
    current = selectors.theory_current(viewer)
    context = _shown(viewer, current, may_edit=rules.may_edit_theory(viewer), current=True)
    return render(request, "impact/theory.html", context)


@login_required
def theory_history(request):
    viewer = _reader(request)
    versions = selectors.theory_versions(viewer)
    return render(
        request,
        "impact/theory_history.html",
        {"versions": versions, "may_edit": rules.may_edit_theory(viewer)},
    )


@login_required
def theory_version(request, number: int):
    viewer = _reader(request)
    version = selectors.theory_version_open(viewer, number)
    newest = selectors.theory_versions(viewer).values_list("number", flat=True).first()
    context = _shown(viewer, version, current=version.number == newest, newest=newest)
    return render(request, "impact/theory.html", context)


@login_required
def theory_edit(request):
    viewer = viewer_or_404(request, may=rules.may_edit_theory)
    current = selectors.theory_current(viewer)
    form = TheoryForm(
        request.POST or None,
        initial=TheoryForm.initial_from(current),
        rows=Rows.for_version(current),
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                version = services_theory.theory_save(
                    viewer=viewer,
                    content=form.content(),
                    based_on=form.cleaned_data["version"] or 0,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            except Conflict as conflict:
                # Keep what was typed; the next save follows the version saved meanwhile.
                form.data = form.data.copy()
                form.data["version"] = str(conflict.current.version)
                form.add_error(None, EDIT_CONFLICT_MESSAGE)
                status = 409
            else:
                messages.success(
                    request,
                    _("Version %(number)s of the theory of change saved")
                    % {"number": version.number},
                )
                return redirect("impact:theory")
    context = {"form": form, "current": current}
    return render(request, "impact/theory_edit.html", context, status=status)
