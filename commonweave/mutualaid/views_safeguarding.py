"""The safeguarding log, staff concerns about a need, and planning a lone-working window.

    safeguarding/                       the log: open notes (?closed=1: closed ones)
    safeguarding/<id>/                  one note; acknowledge, close with an outcome
    safeguarding/<id>/acknowledge/      (POST)
    safeguarding/<id>/close/            (POST)
    needs/<id>/concern/                 raise a concern about a need (its caseworkers)
    lone-working/<match id>/            plan a home visit's window (the need's caseworkers)

Who reads the log is decided in safeguarding.py (the place's safeguarding lead, and the
coordinators of the organisations holding the need or helper concerned); everyone else
gets a 404. Reading the notes' words is audited there.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from commonweave.tenancy.viewer import viewer_or_404

from . import lone_working, rules, safeguarding, selectors
from .enums import RiskTier
from .forms_safeguarding import CloseForm, LoneWorkingForm, StaffConcernForm
from .models import LoneWorking, Match
from .views_helpers import add_service_errors


def _log_reader(request):
    return viewer_or_404(request, may=safeguarding.may_read_log)


@never_cache
@login_required
def safeguarding_log(request):
    viewer = _log_reader(request)
    closed = request.GET.get("closed") == "1"
    rows = safeguarding.notes_read(viewer, safeguarding.notes_list(viewer, closed=closed)[:200])
    return render(
        request,
        "mutualaid/safeguarding_log.html",
        {
            "rows": rows,
            "closed": closed,
            "is_lead": safeguarding.is_safeguarding_lead(viewer),
        },
    )


def _note_page(request, viewer, public_id, *, form=None, status=200):
    row = safeguarding.note_open(viewer, public_id)
    return render(
        request,
        "mutualaid/safeguarding_note.html",
        {"row": row, "note": row.note, "form": form or CloseForm()},
        status=status,
    )


@never_cache
@login_required
def safeguarding_note(request, public_id):
    return _note_page(request, _log_reader(request), public_id)


@login_required
@require_POST
def safeguarding_acknowledge(request, public_id):
    viewer = _log_reader(request)
    note = safeguarding.note_get(viewer, public_id)
    try:
        safeguarding.note_acknowledge(viewer=viewer, note=note)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Acknowledged: the log shows you are dealing with it."))
    return redirect("mutualaid:safeguarding_note", public_id=note.public_id)


@never_cache
@login_required
@require_POST
def safeguarding_close(request, public_id):
    viewer = _log_reader(request)
    note = safeguarding.note_get(viewer, public_id)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            safeguarding.note_close(viewer=viewer, note=note, outcome=form.cleaned_data["outcome"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Closed, with its outcome."))
            return redirect("mutualaid:safeguarding_log")
    return _note_page(request, viewer, public_id, form=form, status=400)


@never_cache
@login_required
def need_concern(request, public_id):
    """A caseworker raises a safeguarding concern about a need their organisation holds."""
    viewer = viewer_or_404(request, may=rules.can_coordinate)
    need = selectors.need_for_coordinator(viewer, public_id)
    form = StaffConcernForm(request.POST or None)
    back = ("mutualaid:need_detail", need.public_id)
    if request.method == "POST" and form.is_valid():
        try:
            safeguarding.concern_raise(viewer=viewer, text=form.cleaned_data["text"], need=need)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "mutualaid/safeguarding_raised.html", {"back": back})
    return render(
        request,
        "mutualaid/safeguarding_raise.html",
        {"form": form, "about": need.first_name, "back": back},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
def lone_working_plan(request, public_id):
    """Plan (or move) the window of a home visit; the helper checks in against it."""
    viewer = viewer_or_404(request, may=rules.can_coordinate)
    match = (
        Match.objects.filter(place=viewer.place, public_id=public_id)
        .select_related("need__category", "volunteer")
        .first()
    )
    if (
        match is None
        or not rules.coordinates(viewer, match.need)
        or match.need.category.risk_tier < RiskTier.HOME_VISIT
    ):
        raise Http404
    plan = LoneWorking.objects.filter(match=match, place=viewer.place).first()
    form = LoneWorkingForm(request.POST or None, initial=LoneWorkingForm.initial_for(plan))
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.window()
        try:
            lone_working.lone_working_plan(
                viewer=viewer, match=match, starts_at=starts_at, ends_at=ends_at
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "ends_at" in error.error_dict:
                form.add_error("ends", error.error_dict["ends_at"])
            else:
                add_service_errors(form, error)
        else:
            messages.success(request, _("The visit's window is planned."))
            return redirect("mutualaid:need_detail", public_id=match.need.public_id)
    return render(
        request,
        "mutualaid/lone_working_plan.html",
        {"match": match, "need": match.need, "plan": plan, "form": form},
        status=400 if form.errors else 200,
    )
