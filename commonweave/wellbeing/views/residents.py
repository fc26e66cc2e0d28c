"""A resident's life map pages: the picture over time, a check-in with their catalyst,
priorities, and the one-time link a resident opens alone.
resolve viewer -> authorise -> service -> render.

Wellbeing is for the holding organisation only (FULL access): partners who see a shared
record do not see wellbeing (SAFETY 4). Another organisation's resident is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.people.access import Access, resident_get, resident_open
from commonweave.people.views.referrals import _viewer
from commonweave.tenancy.viewer import public_viewer

from .. import selectors, services
from ..forms import CheckInForm, PriorityForm, SendLinkForm
from ..models import CheckIn, Priority


def _picture_url(resident):
    return reverse("wellbeing:picture", kwargs={"public_id": resident.public_id})


def _checkin_for(request, checkin_id):
    """The viewer and a check-in of a resident they hold in full (unaudited), or 404."""
    viewer = _viewer(request)
    checkin = (
        CheckIn.objects.select_related("version", "resident").filter(public_id=checkin_id).first()
    )
    if checkin is None or checkin.place_id != viewer.place.pk:
        raise Http404
    resident, _ = resident_get(viewer, checkin.resident.public_id, need=Access.FULL)
    return viewer, checkin, resident


def _audit_view(viewer, resident):
    audit_record(
        viewer=viewer,
        action=Action.VIEW,
        purpose=Purpose.CASEWORK,
        obj=resident,
        resident=resident,
    )


@login_required
def picture(request, public_id):
    """The resident's life map over time: charts, and a table of the same numbers."""
    viewer = _viewer(request)
    resident, _ = resident_open(viewer, public_id, need=Access.FULL)
    context = {
        "resident": resident,
        "picture": selectors.resident_picture(viewer, resident),
        "priorities": list(resident.wellbeing_priorities.order_by("met_at", "by_when", "pk")),
        "achievements": list(resident.wellbeing_achievements.order_by("-at")[:20]),
    }
    return render(request, "wellbeing/picture.html", context)


@login_required
@require_POST
def checkin_new(request, public_id):
    viewer = _viewer(request)
    resident, _ = resident_get(viewer, public_id, need=Access.FULL)
    checkin = services.checkin_start(viewer=viewer, resident=resident)
    return redirect("wellbeing:checkin", checkin_id=checkin.public_id)


def _fill(request, *, viewer, checkin, resident, link=None, template, done):
    """Show and take the check-in form; shared by the catalyst's page and the link."""
    form_kwargs = {
        "areas": checkin.version.areas.all(),
        "instruments": services.instruments_for(checkin.place),
    }
    if request.method == "POST":
        form = CheckInForm(request.POST, **form_kwargs)
        if form.is_valid():
            answers = form.answers()
            try:
                services.checkin_submit(viewer=viewer, checkin=checkin, link=link, **answers)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                return done()
    else:
        form = CheckInForm(**form_kwargs)
    if link is None:
        _audit_view(viewer, resident)
        context = {"form": form, "checkin": checkin, "resident": resident}
    else:
        audit_record(
            viewer=viewer,
            action=Action.VIEW,
            purpose=Purpose.CASEWORK,
            obj=checkin,
            resident=resident,
            detail={"via": "link"},
        )
        # Nothing about the person but the name they go by (SAFETY: the link reveals
        # nothing else), and no ids: the token in the address is the only key.
        first = resident.preferred_name or resident.full_name.split(" ")[0]
        context = {"form": form, "first_name": first}
    return render(request, template, context, status=400 if form.errors else 200)


@login_required
@never_cache
def checkin_fill(request, checkin_id):
    viewer, checkin, resident = _checkin_for(request, checkin_id)
    if checkin.is_complete:
        return redirect(_picture_url(resident))

    def done():
        messages.success(request, "Check-in saved")
        return redirect(_picture_url(resident))

    return _fill(
        request,
        viewer=viewer,
        checkin=checkin,
        resident=resident,
        template="wellbeing/checkin.html",
        done=done,
    )


@login_required
def send_link(request, checkin_id):
    viewer, checkin, resident = _checkin_for(request, checkin_id)
    if checkin.is_complete:
        return redirect(_picture_url(resident))
    form = SendLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.link_send(
                viewer=viewer,
                checkin=checkin,
                channel=form.cleaned_data["channel"],
                url_for=lambda token: request.build_absolute_uri(
                    reverse("wellbeing:link", kwargs={"token": token})
                ),
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, "Link sent. It works once and expires in 7 days.")
            return redirect(_picture_url(resident))
    _audit_view(viewer, resident)
    context = {
        "form": form,
        "checkin": checkin,
        "resident": resident,
        "has_phone": bool(resident.phone),
        "has_email": bool(resident.email),
    }
    return render(request, "wellbeing/send_link.html", context, status=400 if form.errors else 200)


@login_required
def priority_new(request, public_id):
    viewer = _viewer(request)
    resident, _ = resident_get(viewer, public_id, need=Access.FULL)
    areas = list(services.current_lifemap(resident.place).areas.all())
    form = PriorityForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.priority_add(
                viewer=viewer,
                resident=resident,
                area_key=data["area"],
                why_now=data["why_now"],
                will_do=data["will_do"],
                by_when=data["by_when"],
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, "Priority added")
            return redirect(_picture_url(resident))
    _audit_view(viewer, resident)
    return render(
        request,
        "wellbeing/priority_form.html",
        {"form": form, "resident": resident},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def priority_met(request, public_id, priority_id):
    viewer = _viewer(request)
    resident, _ = resident_get(viewer, public_id, need=Access.FULL)
    priority = Priority.objects.filter(pk=priority_id, resident=resident).first()
    if priority is None:
        raise Http404
    services.priority_met(viewer=viewer, priority=priority)
    messages.success(request, "Priority marked as met")
    return redirect(_picture_url(resident))


# --- the one-time link: no account, this check-in only -----------------------------------


def _no_referrer(response):
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store, private"
    return response


@never_cache
def link_checkin(request, token):
    """The check-in a one-time link opens. Shows only the first name and the questions."""
    try:
        link = services.link_open(token)
    except services.LinkUnavailable as error:
        status = 404 if error.reason == "unknown" else 410
        return _no_referrer(
            render(
                request, "wellbeing/link_unavailable.html", {"reason": error.reason}, status=status
            )
        )
    checkin = link.checkin
    resident = checkin.resident

    def done():
        return _no_referrer(redirect("wellbeing:link_done"))

    response = _fill(
        request,
        viewer=public_viewer(checkin.place),
        checkin=checkin,
        resident=resident,
        link=link,
        template="wellbeing/link_checkin.html",
        done=done,
    )
    return _no_referrer(response)


def link_done(request):
    return _no_referrer(render(request, "wellbeing/link_done.html"))
