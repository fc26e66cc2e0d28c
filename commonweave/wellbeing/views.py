"""Life map pages: the resident's picture, a check-in with their catalyst, priorities, and
the one-time link a resident opens alone. resolve viewer -> authorise -> service -> render.

Wellbeing is for the holding organisation only (FULL access): partners who see a shared
record do not see wellbeing (SAFETY 4). Another organisation's resident is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.insights.export import csv_response
from commonweave.people.access import Access, resident_get, resident_open
from commonweave.people.views.referrals import _viewer
from commonweave.tenancy.enums import Role
from commonweave.tenancy.viewer import public_viewer

from . import cohort, selectors, services
from .forms import AreaForm, CheckInForm, CohortForm, PriorityForm, SendLinkForm
from .models import CheckIn, Priority


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


# --- cohort change for evaluators --------------------------------------------------------


def _aggregate_viewer(request):
    viewer = _viewer(request)
    if not viewer.can_see_aggregates:
        raise Http404
    return viewer


def _cohort_form(request):
    params = {k: v for k, v in request.GET.items() if v}
    return CohortForm(params or None)


def _cohort_page(request, viewer, form):
    """The page; with wrong filters, their errors next to them (400) and no numbers."""
    result, chart, status, filters = None, None, 200, {}
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        filters = form.filters()
        result = cohort.cohort_change(viewer, **filters)
        enough = [row for row in result.areas if row.published.enough]
        chart = {
            "labels": [row.label for row in enough],
            "means": [row.published.mean_value for row in enough],
            "low": [row.published.ci_values[0] for row in enough],
            "high": [row.published.ci_values[1] for row in enough],
        }
    context = {
        "form": form,
        "cohort": result,
        "chart": chart,
        "can_export": viewer.has_role(Role.ANALYST, Role.PLACE_ADMIN),
        "query": request.GET.urlencode(),
        "threshold": viewer.place.suppression_threshold,
        "period_from": filters.get("period_from"),
        "period_to": filters.get("period_to"),
    }
    return render(request, "wellbeing/cohort.html", context, status=status)


def _export_filters(request, viewer):
    """(filters, None) for a download link, or (None, the page with the errors)."""
    form = _cohort_form(request)
    if form.is_bound and not form.is_valid():
        return None, _cohort_page(request, viewer, form)
    return form.filters(), None


def _audit_export(viewer, what, filters):
    audit_record(
        viewer=viewer,
        action=Action.EXPORT,
        purpose=Purpose.ADMIN,
        object_type="wellbeing.export",
        object_id=what,
        detail={k: str(v) for k, v in filters.items() if v},
    )


@login_required
def cohort_page(request):
    """Paired first-vs-latest change per area and measure, under the disclosure rules."""
    viewer = _aggregate_viewer(request)
    return _cohort_page(request, viewer, _cohort_form(request))


@login_required
def cohort_change_csv(request):
    """The page's table as CSV: the same published numbers and nothing more. Everyone
    who sees the page may download it; one EXPORT audit event."""
    viewer = _aggregate_viewer(request)
    filters, error_page = _export_filters(request, viewer)
    if error_page:
        return error_page
    result = cohort.cohort_change(viewer, **filters)
    _audit_export(viewer, "change", filters)
    return csv_response("wellbeing-change.csv", cohort.CHANGE_HEADER, cohort.change_rows(result))


@login_required
def cohort_export(request):
    """Every score of residents who consented to evaluation, pseudonymous ids, as CSV.
    Analysts and place admins; one EXPORT audit event."""
    viewer = _aggregate_viewer(request)
    if not viewer.has_role(Role.ANALYST, Role.PLACE_ADMIN):
        raise Http404
    filters, error_page = _export_filters(request, viewer)
    if error_page:
        return error_page
    rows = cohort.export_rows(viewer, **filters)
    _audit_export(viewer, "scores", filters)
    return csv_response("wellbeing-scores.csv", cohort.EXPORT_HEADER, rows)


# --- the place's life map ----------------------------------------------------------------


def _area_dicts(version):
    return [
        {"key": a.key, "name": a.name, "question": a.question, "kind": a.kind, "points": a.points}
        for a in version.areas.all()
    ]


def _admin_viewer(request):
    viewer = _viewer(request)
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
    viewer = _viewer(request)
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
