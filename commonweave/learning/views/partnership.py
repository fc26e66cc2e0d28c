"""The partnership's set-up and its phase."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from commonweave.core.versioning import Conflict
from commonweave.web.editing import EDIT_CONFLICT_MESSAGE

from .. import rules, selectors, services
from ..forms import (
    PartnershipForm,
    PhaseForm,
    apply_errors,
)
from ._common import staff

SETUP_LABELS = {
    "challenge": "Challenge",
    "aims": "Aims",
    "values": "Values",
    "partners": "Partners",
    "governance": "Governance",
}


@login_required
def partnership(request):
    """The set-up and phase for everyone in the place; place admins change them. A set-up
    saved by someone else meanwhile is not overwritten: the form comes back (409) with
    what this person typed, on top of the current version."""
    viewer = staff(request)
    current = selectors.partnership_for(viewer)
    edit_form = phase_form = None
    which = request.POST.get("form")
    status = 200
    if rules.can_change_partnership(viewer):
        edit_form = PartnershipForm(
            request.POST if which == "setup" else None,
            initial={name: getattr(current, name) for name in SETUP_LABELS}
            | {"version": current.version},
            prefix="setup",
        )
        phase_form = PhaseForm(
            request.POST if which == "phase" else None,
            initial={"phase": viewer.place.phase},
            prefix="phase",
        )
    if request.method == "POST":
        if not rules.can_change_partnership(viewer):
            raise Http404
        form = edit_form if which == "setup" else phase_form
        status = 400
        if form.is_valid():
            try:
                if form is edit_form:
                    services.partnership_update(viewer=viewer, **form.cleaned_data)
                else:
                    services.partnership_set_phase(viewer=viewer, **form.cleaned_data)
            except Conflict as conflict:
                current = conflict.current
                data = request.POST.copy()
                data[edit_form.add_prefix("version")] = str(current.version)
                edit_form = PartnershipForm(data, prefix="setup")
                edit_form.is_valid()
                edit_form.add_error(None, EDIT_CONFLICT_MESSAGE)
                status = 409
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Partnership updated")
                return redirect("learning:partnership")
    viewer.place.refresh_from_db(fields=["phase"])
    response = render(
        request,
        "learning/partnership.html",
        {
            "partnership": current,
            "organisations": services.organisations_in(viewer),
            "history": selectors.partnership_history(viewer),
            "labels": SETUP_LABELS,
            "edit_form": edit_form,
            "phase_form": phase_form,
            "place": viewer.place,
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response
