"""A resident's own network, drawn with their catalyst: resolve -> authorise -> service ->
render. Only the holding organisation's caseworkers (full access) reach these pages;
anyone else gets the same 404 as for a record that does not exist. Every page that shows
the record writes one audit event (resident_open, or a VIEW when a form is shown again);
every change is audited by its service. The resident, their drawings and everyone in them
are rendered through the field policy (network/visibility.py) at the viewer's level, as
the API answers them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.visibility import shown, shown_all
from commonweave.people.access import Access, resident_get, resident_open
from commonweave.tenancy.viewer import viewer_or_404

from . import own_network
from .forms import DrawAgainForm, MemberForm


def _no_store(response):
    response["Cache-Control"] = "no-store, private"
    return response


def _audit_view(viewer, resident):
    audit_record(
        viewer=viewer, action=Action.VIEW, purpose=Purpose.CASEWORK, obj=resident, resident=resident
    )


def _add_errors(form, error):
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


def _drawing_number(request, drawings):
    try:
        wanted = int(request.GET.get("drawing", ""))
    except ValueError:
        return drawings[-1] if drawings else None
    return next((d for d in drawings if d.number == wanted), None) or (
        drawings[-1] if drawings else None
    )


def _page(request, resident, access, *, draw_again_form=None, status=200):
    """The latest drawing (or the one asked for) as circles and as a table, the first and
    the latest side by side, and whether it counts in the place network."""
    level = access.level
    drawings = own_network.drawings_of(resident)
    chosen = _drawing_number(request, drawings)
    first, latest = (drawings[0], drawings[-1]) if drawings else (None, None)
    context = {
        "resident": shown(resident, level),
        "drawings": shown_all(drawings, level),
        "shown": shown(chosen, level) if chosen else None,
        "is_latest": chosen is not None and chosen == latest,
        "shown_title": f"Their network in drawing {chosen.number}" if chosen else "",
        "picture": own_network.picture(chosen, level),
        "first": shown(first, level) if first else None,
        "latest": shown(latest, level) if latest else None,
        "then_picture": own_network.picture(first, level) if len(drawings) > 1 else None,
        "compare": own_network.compare(first, latest) if len(drawings) > 1 else None,
        "rolls_up": own_network.rolls_up(resident),
        "relation_fields": own_network.RELATION_FIELDS,
        "draw_again_form": draw_again_form or DrawAgainForm(),
    }
    return _no_store(render(request, "network/own/page.html", context, status=status))


@login_required
def own_network_page(request, public_id):
    viewer = viewer_or_404(request)
    resident, access = resident_open(viewer, public_id, need=Access.FULL)
    return _page(request, resident, access)


def _member_form_page(request, viewer, resident, form, *, member=None, status=200):
    _audit_view(viewer, resident)
    # Only full access reaches these forms (resident_get, need=FULL).
    level = Access.FULL.level
    return _no_store(
        render(
            request,
            "network/own/member_form.html",
            {
                "resident": shown(resident, level),
                "form": form,
                "member": shown(member, level) if member else None,
            },
            status=status,
        )
    )


@login_required
def member_new(request, public_id):
    viewer = viewer_or_404(request)
    resident, _ = resident_get(viewer, public_id, need=Access.FULL)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            own_network.member_add(viewer=viewer, resident=resident, **form.service_kwargs())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Added to the drawing.")
            return redirect("network:own", public_id=resident.public_id)
    status = 400 if form.errors else 200
    return _member_form_page(request, viewer, resident, form, status=status)


@login_required
def member_edit(request, public_id, key):
    viewer = viewer_or_404(request)
    resident, _ = resident_get(viewer, public_id, need=Access.FULL)
    member = own_network.latest_member(resident, key)
    form = MemberForm.for_member(member, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            own_network.member_change(
                viewer=viewer, resident=resident, member=member, **form.service_kwargs()
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "The drawing is updated.")
            return redirect("network:own", public_id=resident.public_id)
    status = 400 if form.errors else 200
    return _member_form_page(request, viewer, resident, form, member=member, status=status)


@login_required
@require_POST
def member_remove(request, public_id, key):
    viewer = viewer_or_404(request)
    resident, _ = resident_get(viewer, public_id, need=Access.FULL)
    member = own_network.latest_member(resident, key)
    own_network.member_remove(viewer=viewer, resident=resident, member=member)
    messages.success(request, "Taken out of this drawing. Earlier drawings keep them.")
    return redirect("network:own", public_id=resident.public_id)


@login_required
@require_POST
def draw_again(request, public_id):
    viewer = viewer_or_404(request)
    resident, access = resident_get(viewer, public_id, need=Access.FULL)
    form = DrawAgainForm(request.POST)
    if form.is_valid():
        try:
            drawing = own_network.drawing_again(
                viewer=viewer, resident=resident, drawn_on=form.cleaned_data.get("drawn_on")
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                f"Drawing {drawing.number} started from the last one: change what is different.",
            )
            return redirect("network:own", public_id=resident.public_id)
    _audit_view(viewer, resident)
    return _page(request, resident, access, draw_again_form=form, status=400)
