"""The front doors (the public and staff referral forms, a partner's own referrals) and
triage, where the response promise is kept: resolve -> authorise -> service -> render.

Another organisation's referral is a 404. Messages never carry a resident's name: they
travel in a cookie.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.visibility import shown
from commonweave.tenancy.models import Organisation
from commonweave.tenancy.viewer import viewer_or_404

from .. import selectors, services
from ..access import Access, referral_open, resident_get, resident_open, resident_viewed
from ..clock import partner_status, referral_clock
from ..enums import CONTACT_MADE_OUTCOMES, ContactOutcome, FrontDoor
from ..forms.referrals import (
    AssignForm,
    FirstContactForm,
    StaffReferralForm,
)

PER_PAGE = 50


# --- who is asking -----------------------------------------------------------------------


def _casework_viewer(request):
    return viewer_or_404(request, lambda viewer: viewer.can_do_casework)


def _paginate(request, queryset, extra_params=None):
    """A page of results plus what the GOV.UK pagination component needs."""
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    params = {k: v for k, v in (extra_params or {}).items() if v}
    return {
        "page": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=1)),
        "page_query": urlencode(params) + "&" if params else "",
    }


# --- staff front door and a partner's own referrals ---------------------------------------


@login_required
def staff_referral(request):
    viewer = viewer_or_404(request)
    organisations = Organisation.objects.filter(pk__in=viewer.member_org_ids).order_by("name")
    form = StaffReferralForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        user = request.user
        try:
            referral = services.referral_create(
                viewer=viewer,
                front_door=FrontDoor.STAFF,
                person=form.person_details(),
                referrer_name=user.name,
                referrer_contact=user.email,
                referring_organisation_id=form.chosen_organisation().pk,
                **form.referral_details(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Referral sent. We will keep you posted on this page.")
            return redirect("people:referral_detail", public_id=referral.public_id)
    return render(
        request,
        "people/referrals/staff_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def my_referrals(request):
    viewer = viewer_or_404(request)
    context = _paginate(request, selectors.referrals_followed_by(viewer))
    now = timezone.now()
    rows = [(r, partner_status(r, now)) for r in context["page"].object_list]
    audit_record(
        viewer=viewer,
        action=Action.LIST,
        purpose=Purpose.REFERRER,
        object_type="people.referral",
        residents=[r.resident.public_id for r, _ in rows],
    )
    context["rows"] = rows
    return render(request, "people/referrals/my_referrals.html", context)


@login_required
def referral_detail(request, public_id):
    """What the referrer wrote and where it has got to. A partner sees the status and
    whether the promise was kept, never notes or the resident's journey."""
    viewer = viewer_or_404(request)
    # The holding organisation sees the whole referral; a referrer sees it as they sent it.
    referral, access = referral_open(viewer, public_id)
    level = access.level
    return render(
        request,
        "people/referrals/referral_detail.html",
        {
            "referral": shown(referral, level),
            "person": shown(referral.resident, level),
            "status": partner_status(referral),
            "holds": access is Access.FULL,
        },
    )


# --- triage ------------------------------------------------------------------------------

QUEUE_FILTERS = {"all": "All", "mine": "Assigned to me", "unassigned": "Not assigned"}


@login_required
def triage(request):
    """Referrals waiting for first contact, soonest due first, each with its clock."""
    viewer = _casework_viewer(request)
    show = request.GET.get("show", "all")
    if show not in QUEUE_FILTERS:
        show = "all"
    queue = selectors.triage_queue(viewer, assigned_to=request.user if show == "mine" else None)
    if show == "unassigned":
        queue = queue.filter(assigned_to__isnull=True)
    context = _paginate(request, queue, {"show": show if show != "all" else ""})
    referrals = list(context["page"].object_list)
    flagged = selectors.residents_with_possible_duplicates(viewer, [r.resident for r in referrals])
    now = timezone.now()
    context["items"] = [
        {
            "referral": r,
            "clock": referral_clock(r.due_at, now),
            "duplicate": r.resident_id in flagged,
        }
        for r in referrals
    ]
    context.update(show=show, filters=QUEUE_FILTERS)
    audit_record(
        viewer=viewer,
        action=Action.LIST,
        purpose=Purpose.TRIAGE,
        object_type="people.referral",
        residents=[r.resident.public_id for r in referrals],
    )
    template = "people/referrals/triage.html"
    if request.htmx:
        template += "#queue"
    return render(request, template, context)


def _triage_referral_or_404(viewer, public_id):
    referral = selectors.referral_for_triage(viewer, public_id)
    if referral is None:
        raise Http404
    return referral


def _render_triage_referral(
    request, viewer, referral, *, resident=None, assign_form=None, contact_form=None, status=200
):
    # Reading the person's details: exactly one audited VIEW per page shown. A view that
    # already holds the resident (from resident_get) audits it rather than loading it again.
    if resident is None:
        resident, _ = resident_open(
            viewer, referral.resident.public_id, purpose=Purpose.TRIAGE, need=Access.FULL
        )
    else:
        resident_viewed(viewer, resident, purpose=Purpose.TRIAGE)
    if assign_form is None:
        assign_form = AssignForm(
            catalysts=services.catalysts_for(resident.organisation_id),
            initial={"catalyst": referral.assigned_to_id},
        )
    context = {
        "referral": referral,
        "resident": resident,
        "clock": referral_clock(referral.due_at) if referral.first_contact_at is None else None,
        "assign_form": assign_form,
        "contact_form": contact_form or FirstContactForm(),
        "duplicates": list(selectors.possible_duplicates(viewer, resident)),
    }
    return render(request, "people/referrals/triage_referral.html", context, status=status)


@login_required
def triage_referral(request, public_id):
    viewer = _casework_viewer(request)
    referral = _triage_referral_or_404(viewer, public_id)
    return _render_triage_referral(request, viewer, referral)


@login_required
@require_POST
def triage_assign(request, public_id):
    viewer = _casework_viewer(request)
    referral = _triage_referral_or_404(viewer, public_id)
    resident, _ = resident_get(viewer, referral.resident.public_id, need=Access.FULL)
    form = AssignForm(request.POST, catalysts=services.catalysts_for(resident.organisation_id))
    if form.is_valid():
        catalyst = form.cleaned_data["catalyst"]
        try:
            services.referral_assign(viewer=viewer, referral=referral, catalyst=catalyst)
        except ValidationError as error:
            form.add_error("catalyst", error.messages)
        else:
            messages.success(request, f"Assigned to {catalyst}.")
            return redirect("people:triage_referral", public_id=referral.public_id)
    return _render_triage_referral(
        request, viewer, referral, resident=resident, assign_form=form, status=400
    )


# Where "Assign to me" may send the person back to: their caseload or the queue.
ASSIGN_TO_ME_NEXT = {"caseload": "people:caseload", "triage": "people:triage"}


@login_required
@require_POST
def triage_assign_to_me(request, public_id):
    """Take a waiting referral no one has taken yet: one button, a plain form post (CSRF,
    no JavaScript needed), audited by referral_assign as triage_assign is. Another
    organisation's referral is a 404; one someone else has taken meanwhile is left with them."""
    viewer = _casework_viewer(request)
    referral = _triage_referral_or_404(viewer, public_id)
    back = ASSIGN_TO_ME_NEXT.get(request.POST.get("next", ""), "people:caseload")
    if referral.assigned_to_id == request.user.pk:
        messages.success(request, gettext("This referral is already assigned to you."))
        return redirect(back)
    if referral.assigned_to_id is not None:
        messages.error(
            request,
            gettext("Someone else took this referral first: it is assigned to %(name)s.")
            % {"name": referral.assigned_to},
        )
        return redirect(back)
    try:
        services.referral_assign(viewer=viewer, referral=referral, catalyst=request.user)
    except ValidationError:
        messages.error(
            request,
            gettext(
                "You cannot take this referral: you do not work with this organisation's residents."
            ),
        )
    else:
        messages.success(request, gettext("Assigned to you. The clock is still running."))
    return redirect(back)


@login_required
@require_POST
def triage_contact(request, public_id):
    viewer = _casework_viewer(request)
    referral = _triage_referral_or_404(viewer, public_id)
    resident, _ = resident_get(viewer, referral.resident.public_id, need=Access.FULL)
    form = FirstContactForm(request.POST)
    if not form.is_valid():
        return _render_triage_referral(
            request, viewer, referral, resident=resident, contact_form=form, status=400
        )
    outcome = ContactOutcome(form.cleaned_data["outcome"])
    services.referral_record_contact(
        viewer=viewer, referral=referral, outcome=outcome, note=form.cleaned_data["note"].strip()
    )
    if outcome in CONTACT_MADE_OUTCOMES:
        messages.success(request, "First contact recorded. The clock has stopped.")
    else:
        messages.success(request, "Attempt recorded. The clock is still running.")
    return redirect("people:triage_referral", public_id=referral.public_id)


COMPARED_FIELDS = [
    ("Full name", "full_name"),
    ("Preferred name", "preferred_name"),
    ("Date of birth", "date_of_birth"),
    ("Phone", "phone"),
    ("Email", "email"),
    ("Address", "address"),
    ("Postcode", "postcode"),
    ("Stage", "stage"),
    ("Catalyst", "catalyst"),
    ("Created", "created_at"),
]


def _comparable(resident, attribute):
    """The value as compared: spacing, case and phone formatting don't make people differ."""
    if attribute == "phone":
        return resident.phone_key
    value = getattr(resident, attribute)
    if isinstance(value, str):
        return " ".join(value.casefold().split())
    if attribute == "created_at":
        return timezone.localdate(value)
    return value


def _display(resident, attribute):
    if attribute == "stage":
        return resident.get_stage_display()
    if attribute == "catalyst":
        return resident.catalyst or "Not assigned"
    return getattr(resident, attribute)


def _compare_rows(new, existing):
    return [
        {
            "label": label,
            "new": _display(new, attribute),
            "existing": _display(existing, attribute),
            "different": _comparable(new, attribute) != _comparable(existing, attribute),
            "is_date": attribute in ("date_of_birth", "created_at"),
        }
        for label, attribute in COMPARED_FIELDS
    ]


def _pair_or_404(viewer, referral, other_id):
    """The referral's person and the existing record; both must be fully the viewer's."""
    if other_id == referral.resident.public_id:
        raise Http404
    new, _ = resident_get(viewer, referral.resident.public_id, need=Access.FULL)
    existing, _ = resident_get(viewer, other_id, need=Access.FULL)
    return new, existing


@login_required
def triage_compare(request, public_id, other_id):
    viewer = _casework_viewer(request)
    referral = _triage_referral_or_404(viewer, public_id)
    new, existing = _pair_or_404(viewer, referral, other_id)
    for resident in (new, existing):  # two records read: one VIEW each
        resident_viewed(viewer, resident, purpose=Purpose.TRIAGE)
    return render(
        request,
        "people/referrals/compare.html",
        {
            "referral": referral,
            "new": new,
            "existing": existing,
            "rows": _compare_rows(new, existing),
        },
    )


@login_required
@require_POST
def triage_merge(request, public_id, other_id):
    """Merge only on this explicit POST: a GET never merges anything."""
    viewer = _casework_viewer(request)
    referral = _triage_referral_or_404(viewer, public_id)
    _, existing = _pair_or_404(viewer, referral, other_id)
    services.referral_merge(viewer=viewer, referral=referral, into=existing)
    messages.success(request, "Merged into the existing record.")
    return redirect("people:triage_referral", public_id=referral.public_id)
