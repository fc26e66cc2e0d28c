"""Coordinators' pages for one helper's profile (beside views.helper_detail, their checks):

    helpers/<id>/edit/           change their profile (reading it is audited)
    helpers/<id>/availability/   pause them, or take them back (POST)
    helpers/<id>/concern/        raise a safeguarding concern about them

Only the holding organisation's caseworkers reach them; anyone else gets a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from commonweave.tenancy.viewer import viewer_or_404

from . import rules, safeguarding, selectors, volunteers
from .forms_safeguarding import HelperEditForm, StaffConcernForm


def _coordinator(request):
    return viewer_or_404(request, may=rules.can_coordinate)


def add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.error_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error)


@never_cache
@login_required
def helper_edit(request, public_id):
    viewer = _coordinator(request)
    if request.method == "POST":  # the change is audited by its service
        volunteer = selectors.volunteer_for_coordinator(viewer, public_id)
    else:
        volunteer = volunteers.volunteer_profile_open(viewer, public_id)
    form = HelperEditForm(
        request.POST or None, place=viewer.place, initial=HelperEditForm.initial_for(volunteer)
    )
    if request.method == "POST" and form.is_valid():
        try:
            volunteers.volunteer_update(viewer=viewer, volunteer=volunteer, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Their profile is saved."))
            return redirect("mutualaid:helper_detail", public_id=volunteer.public_id)
    return render(
        request,
        "mutualaid/helper_edit.html",
        {"volunteer": volunteer, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def helper_availability(request, public_id):
    viewer = _coordinator(request)
    volunteer = selectors.volunteer_for_coordinator(viewer, public_id)
    available = request.POST.get("available") == "yes"
    volunteers.volunteer_pause(viewer=viewer, volunteer=volunteer, available=available)
    if available:
        messages.success(request, _("They can be asked to help again."))
    else:
        messages.success(request, _("Paused: they will not be asked to help until resumed."))
    return redirect("mutualaid:helper_detail", public_id=volunteer.public_id)


@never_cache
@login_required
def helper_concern(request, public_id):
    """A caseworker raises a safeguarding concern about a helper their organisation holds."""
    viewer = _coordinator(request)
    volunteer = selectors.volunteer_for_coordinator(viewer, public_id)
    form = StaffConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            safeguarding.concern_raise(
                viewer=viewer, text=form.cleaned_data["text"], volunteer=volunteer
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(
                request,
                "mutualaid/safeguarding_raised.html",
                {"back": ("mutualaid:helper_detail", volunteer.public_id)},
            )
    return render(
        request,
        "mutualaid/safeguarding_raise.html",
        {
            "form": form,
            "about": volunteer.first_name,
            "back": ("mutualaid:helper_detail", volunteer.public_id),
        },
        status=400 if form.errors else 200,
    )
