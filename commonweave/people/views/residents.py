"""Casework pages: a catalyst's caseload, finding a resident, and the resident's page with
everything done on it. resolve viewer -> authorise -> service -> render.

Every page that shows a resident's details writes exactly one audited VIEW (resident_open);
a change is audited by its service and answered with a redirect. Another organisation's
resident is a 404 identical to a missing one, whatever the method.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.versioning import Conflict
from commonweave.core.visibility import Level, shown, shown_all
from commonweave.tenancy.viewer import viewer_or_404
from commonweave.web.editing import EDIT_CONFLICT_MESSAGE, conflict_rows

from .. import selectors, services
from ..access import SHARE_ROLES, Access, resident_get, resident_open, resident_viewed
from ..clock import referral_clock
from ..enums import ConsentPurpose
from ..forms.residents import (
    CloseForm,
    ConnectionForm,
    ConsentForm,
    ConversationForm,
    GoalForm,
    GoalProgressForm,
    GraduateForm,
    ProfileForm,
    ResidentSearchForm,
    StageForm,
)
from ..services import PROFILE_FIELDS
from .referrals import _casework_viewer, _paginate


def _open(request, public_id, *, need=Access.FULL):
    """Resolve the viewer and open the record for reading (one audited VIEW), or 404."""
    viewer = viewer_or_404(request)
    resident, access = resident_open(viewer, public_id, need=need)
    return viewer, resident, access


def _for_change(request, public_id):
    """Resolve the viewer and the record they are about to change, unaudited: the service
    audits the change, and a shown form audits its VIEW of this same record through
    _render_form (resident_viewed), so the record is loaded once."""
    viewer = viewer_or_404(request)
    resident, _ = resident_get(viewer, public_id, need=Access.FULL)
    return viewer, resident


def _detail_url(resident):
    return reverse("people:resident_detail", kwargs={"public_id": resident.public_id})


def _apply_service_errors(form, error: ValidationError):
    """Show a service's refusal next to the matching field, or at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _rebind_with_version(form_class, request, version, **kwargs):
    """The person's input again, now based on the current version after a conflict."""
    data = request.POST.copy()
    data["version"] = str(version)
    form = form_class(data, **kwargs)
    form.is_valid()
    return form


# --- caseload and search ---------------------------------------------------------------


@login_required
def caseload_view(request):
    """A catalyst's day: the first contacts waiting (assigned to them, and those no one has
    taken yet in their organisation), overdue ones first, each with its response-promise
    clock; then their open residents with their next actions, overdue ones first."""
    viewer = _casework_viewer(request)
    catalysts = list(services.catalysts_for_orgs(viewer.casework_org_ids))
    catalyst = request.user
    chosen = request.GET.get("catalyst")
    if chosen and viewer.has_role("coordinator"):
        catalyst = next((c for c in catalysts if str(c.pk) == chosen), None)
        if catalyst is None:
            raise Http404
    is_own = catalyst == request.user
    residents = list(selectors.caseload(viewer, catalyst).select_related("organisation"))
    today = timezone.localdate()
    waiting = list(selectors.contacts_waiting(viewer, catalyst, unassigned=True))
    now = timezone.now()
    audit_record(
        viewer=viewer,
        action=Action.LIST,
        purpose=Purpose.CASEWORK,
        object_type="people.resident",
        residents=[r.public_id for r in residents] + [r.resident.public_id for r in waiting],
        detail={"catalyst": catalyst.pk},
    )
    waiting_items = [
        {
            "referral": r,
            "clock": referral_clock(r.due_at, now),
            "assigned_to_them": r.assigned_to_id == catalyst.pk,
            # Taking it is for the person whose day this is, and only while no one has.
            "can_take": is_own and r.assigned_to_id is None,
        }
        for r in waiting
    ]
    return render(
        request,
        "people/residents/caseload.html",
        {
            "catalyst": catalyst,
            "is_own": is_own,
            "catalysts": catalysts if viewer.has_role("coordinator") else [],
            "rows": [
                {
                    "resident": r,
                    "overdue": bool(r.next_action_due and r.next_action_due < today),
                    "due_today": r.next_action_due == today,
                }
                for r in residents
            ],
            "overdue_count": sum(
                1 for r in residents if r.next_action_due and r.next_action_due < today
            ),
            "waiting": waiting_items,
            "waiting_overdue": sum(1 for item in waiting_items if item["clock"].is_overdue),
            "waiting_unassigned": sum(1 for r in waiting if r.assigned_to_id is None),
        },
    )


@login_required
def shared_with_us(request):
    """Residents shared with the viewer's organisation by the person's consent: exactly
    those they may open at the shared level (selectors.residents_shared_with, the access
    rule itself), a page at a time. For those who may see shared records (catalysts,
    coordinators and partner workers); anyone else finds nothing here. One audited LIST
    naming the residents on the page, as every list of people is."""
    viewer = viewer_or_404(request, lambda viewer: bool(viewer.org_ids(*SHARE_ROLES)))
    context = _paginate(request, selectors.residents_shared_with(viewer))
    residents = list(context["page"].object_list)
    audit_record(
        viewer=viewer,
        action=Action.LIST,
        purpose=Purpose.SHARED,
        object_type="people.resident",
        residents=[r.public_id for r in residents],
        detail={"list": "shared_with_us"},
    )
    context["rows"] = selectors.shared_list_rows(residents)
    return render(request, "people/residents/shared_with_us.html", context)


@login_required
def resident_search(request):
    """Find a resident by name, phone or postcode. The search is POSTed so what was typed
    never appears in an address, a log or browser history."""
    viewer = viewer_or_404(request)
    if not (viewer.can_do_casework or viewer.has_role("partner_worker")):
        raise Http404
    results = None
    form = ResidentSearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        results = list(selectors.residents_matching(viewer, form.cleaned_data["q"]))
        audit_record(
            viewer=viewer,
            action=Action.SEARCH,
            purpose=Purpose.CASEWORK,
            object_type="people.resident",
            residents=results,
        )
    return render(
        request,
        "people/residents/search.html",
        {"form": form, "results": results},
        status=400 if form.errors else 200,
    )


# --- the resident's page ---------------------------------------------------------------


def _render_detail(request, viewer, resident, access, *, goal_errors=None, status=200):
    """The resident's page. Every record on it is rendered through the field policy at
    the viewer's level, so the page shows exactly what the API answers."""
    full = access is Access.FULL
    level = access.level
    goal_errors = goal_errors or {}
    context = {
        "resident": shown(resident, level),
        "full": full,
        "goals": [
            {
                "goal": goal,
                "form": goal_errors.get(goal.pk)
                or GoalProgressForm(initial={"progress": goal.progress}, prefix=f"goal{goal.pk}"),
            }
            for goal in shown_all(resident.goals.all(), level)
        ],
        "connections": shown_all(resident.connections.all(), level),
        "timeline": selectors.resident_timeline(resident, level=level),
        "consents": shown_all(selectors.current_consents(resident), level) if full else [],
        "stages": services.allowed_next_stages(resident) if full else [],
        "is_open": resident.is_open,
        "next_action_overdue": bool(
            full and resident.next_action_due and resident.next_action_due < timezone.localdate()
        ),
        "can_see_audit": full or viewer.is_place_admin,
    }
    return render(request, "people/residents/detail.html", context, status=status)


@login_required
def resident_detail(request, public_id):
    viewer = viewer_or_404(request)
    resident, access = resident_open(viewer, public_id, need=Access.SHARED)
    return _render_detail(request, viewer, resident, access)


@login_required
@require_POST
def goal_progress(request, public_id, goal_id):
    viewer, resident = _for_change(request, public_id)
    goal = resident.goals.filter(pk=goal_id).first()
    if goal is None:
        raise Http404
    form = GoalProgressForm(request.POST, prefix=f"goal{goal.pk}")
    if not form.is_valid():
        access = resident_viewed(viewer, resident)
        return _render_detail(
            request, viewer, resident, access, goal_errors={goal.pk: form}, status=400
        )
    services.goal_set_progress(viewer=viewer, goal=goal, progress=form.cleaned_data["progress"])
    messages.success(request, "Progress saved.")
    return redirect(_detail_url(resident) + f"#goal-{goal.pk}")


# --- forms on the record ---------------------------------------------------------------


def _render_form(request, viewer, resident, form, *, page, status=200, **extra):
    """Show a casework form about the resident the view holds (from _for_change): reading
    their record is one audited VIEW."""
    resident_viewed(viewer, resident)
    return render(
        request,
        page.get("template", "people/residents/form.html"),
        {"resident": shown(resident, Level.FULL), "form": form, **page, **extra},
        status=status,
    )


def _form_page(
    request,
    public_id,
    *,
    form_class,
    page,
    save,
    success,
    form_kwargs=None,
    initial=None,
    versioned=False,
):
    """GET shows the form; a valid POST calls `save(viewer, resident, data)` and returns to
    the record; invalid input is shown again next to each field with what was typed."""
    viewer, resident = _for_change(request, public_id)
    form_kwargs = form_kwargs(resident) if callable(form_kwargs) else (form_kwargs or {})
    if request.method != "POST":
        start = dict(initial(resident) if callable(initial) else (initial or {}))
        if versioned:
            start["version"] = resident.version
        form = form_class(initial=start, **form_kwargs)
        return _render_form(request, viewer, resident, form, page=page)
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            save(viewer, resident, form.cleaned_data)
        except Conflict as conflict:
            resident = conflict.current
            form = _rebind_with_version(form_class, request, resident.version, **form_kwargs)
            form.add_error(None, EDIT_CONFLICT_MESSAGE)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(_detail_url(resident))
    return _render_form(request, viewer, resident, form, page=page, status=400)


@login_required
def resident_edit(request, public_id):
    """Edit details and their own words. If someone else saved first, show both versions
    side by side and keep what this person typed; nothing is overwritten silently."""
    viewer, resident = _for_change(request, public_id)
    page = {"title": "Change their details", "template": "people/residents/edit.html"}
    if request.method != "POST":
        return _render_form(
            request, viewer, resident, ProfileForm.for_resident(resident), page=page
        )
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            services.resident_update_profile(
                viewer=viewer,
                resident=resident,
                version=form.cleaned_data["version"],
                **form.changes(),
            )
        except Conflict as conflict:
            current = conflict.current
            form = _rebind_with_version(ProfileForm, request, current.version)
            form.add_error(None, EDIT_CONFLICT_MESSAGE)
            rows = conflict_rows(form, current, PROFILE_FIELDS)
            return _render_form(
                request, viewer, current, form, page=page, status=409, conflict_rows=rows
            )
        else:
            messages.success(request, "Their details are saved.")
            return redirect(_detail_url(resident))
    return _render_form(request, viewer, resident, form, page=page, status=400)


@login_required
def conversation_new(request, public_id):
    return _form_page(
        request,
        public_id,
        form_class=ConversationForm,
        page={"title": "Add a conversation", "submit": "Save conversation"},
        save=lambda viewer, resident, data: services.conversation_add(
            viewer=viewer,
            resident=resident,
            kind=data["kind"],
            notes=data["notes"].strip(),
            happened_at=_happened_at(data.get("happened_on")),
            next_action=data["next_action"].strip(),
            next_action_due=data["next_action_due"],
        ),
        success="Conversation saved.",
    )


def _happened_at(day):
    if day is None or day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 12, 0))


@login_required
def goal_new(request, public_id):
    return _form_page(
        request,
        public_id,
        form_class=GoalForm,
        page={"title": "Add a goal", "submit": "Save goal"},
        save=lambda viewer, resident, data: services.goal_add(
            viewer=viewer, resident=resident, text=data["text"].strip()
        ),
        success="Goal saved.",
    )


@login_required
def connection_new(request, public_id):
    return _form_page(
        request,
        public_id,
        form_class=ConnectionForm,
        page={"title": "Record a connection", "submit": "Save connection"},
        save=lambda viewer, resident, data: services.connection_add(
            viewer=viewer,
            resident=resident,
            kind=data["kind"],
            name=data["name"].strip(),
            description=data["description"].strip(),
            status=data["status"],
            made_on=data["made_on"],
        ),
        success="Connection saved.",
    )


@login_required
def consent_manage(request, public_id):
    """What they have agreed to now, its full history, and a form to record a change.
    A withdrawal takes effect on the very next request."""
    viewer, resident = _for_change(request, public_id)
    organisations = services.organisations_to_share_with(resident)
    page = {
        "title": "Consent",
        "template": "people/residents/consent.html",
        "consents": shown_all(selectors.current_consents(resident), Level.FULL),
        "history": shown_all(
            resident.consent_events.select_related("organisation", "recorded_by"), Level.FULL
        ),
        "share_purpose": ConsentPurpose.SHARE.value,
    }
    if request.method != "POST":
        return _render_form(
            request, viewer, resident, ConsentForm(organisations=organisations), page=page
        )
    form = ConsentForm(request.POST, organisations=organisations)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                viewer=viewer,
                resident=resident,
                purpose=data["purpose"],
                given=data["given"],
                method=data["method"],
                wording=data["wording"],
                organisation=data.get("organisation"),
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(
                request,
                "Consent recorded." if data["given"] else "Withdrawal recorded. It applies now.",
            )
            return redirect("people:consent", public_id=resident.public_id)
    return _render_form(request, viewer, resident, form, page=page, status=400)


@login_required
def stage_change(request, public_id):
    return _form_page(
        request,
        public_id,
        form_class=StageForm,
        form_kwargs=lambda resident: {"stages": services.allowed_next_stages(resident)},
        page={"title": "Change the stage of their journey", "submit": "Change stage"},
        save=lambda viewer, resident, data: services.resident_move_stage(
            viewer=viewer,
            resident=resident,
            to_stage=data["to_stage"],
            version=data["version"],
            note=data["note"].strip(),
        ),
        success="Stage changed.",
        versioned=True,
    )


@login_required
def graduate(request, public_id):
    return _form_page(
        request,
        public_id,
        form_class=GraduateForm,
        page={
            "title": "Graduate",
            "submit": "Record graduation",
            "intro": "Graduation happens at their pace, when they feel ready. Record it in "
            "their own words.",
        },
        save=lambda viewer, resident, data: services.resident_graduate(
            viewer=viewer,
            resident=resident,
            version=data["version"],
            words=data["words"],
            giving_back=data["giving_back"],
        ),
        success="Graduation recorded. Congratulations to them.",
        versioned=True,
    )


@login_required
def close(request, public_id):
    return _form_page(
        request,
        public_id,
        form_class=CloseForm,
        page={"title": "Close their journey", "submit": "Close journey", "warning": True},
        save=lambda viewer, resident, data: services.resident_close(
            viewer=viewer,
            resident=resident,
            version=data["version"],
            reason=data["reason"],
            note=data["note"].strip(),
        ),
        success="Journey closed.",
        versioned=True,
    )
