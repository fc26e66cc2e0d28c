"""The front doors (the public and staff referral forms, a partner's own referrals) and
triage, where the response promise is kept: resolve -> authorise -> service -> render.

Another organisation's referral is a 404. Messages never carry a resident's name: they
travel in a cookie.
"""

import hashlib
import hmac
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.tenancy.models import Organisation, Place
from commonweave.tenancy.viewer import public_viewer

from .. import selectors, services
from ..access import Access, resident_get, resident_open
from ..clock import partner_status, referral_clock
from ..enums import CONTACT_MADE_OUTCOMES, ContactOutcome, FrontDoor, Urgency
from ..forms.referrals import (
    FOR_MYSELF,
    HONEYPOT_FIELD,
    AssignForm,
    FirstContactForm,
    PublicReferralForm,
    StaffReferralForm,
)

PER_PAGE = 50
THANKS_SESSION_KEY = "public_referral_thanks"
RATE_WINDOW_SECONDS = 60 * 60


# --- who is asking -----------------------------------------------------------------------


def _viewer(request):
    """The signed-in viewer in their current place; no role there is a 404."""
    viewer = request.viewer
    if not viewer:
        raise Http404
    return viewer


def _casework_viewer(request):
    viewer = _viewer(request)
    if not viewer.can_do_casework:
        raise Http404
    return viewer


def _paginate(request, queryset, extra_params=None):
    """A page of results plus what the GOV.UK pagination component needs."""
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    params = {k: v for k, v in (extra_params or {}).items() if v}
    return {
        "page": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=1)),
        "page_query": urlencode(params) + "&" if params else "",
    }


# --- the public front door ---------------------------------------------------------------


def _rate_key(request):
    # Only a keyed hash of the address is kept, never the address itself (SAFETY 16).
    address = request.META.get("REMOTE_ADDR", "")
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()
    window = int(timezone.now().timestamp() // RATE_WINDOW_SECONDS)
    return f"public-referral:{digest}:{window}"


def _over_rate_limit(request) -> bool:
    """Count this submission against the sender's hourly allowance."""
    key = _rate_key(request)
    cache.add(key, 0, timeout=RATE_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW_SECONDS)
        count = 1
    return count > settings.PUBLIC_REFERRAL_RATE_PER_HOUR


@never_cache
def public_referral(request):
    """Refer yourself or someone you know: no account, no CAPTCHA."""
    places = Place.objects.filter(lead_organisation__isnull=False).order_by("name")
    place_list = list(places)
    place = None
    if len(place_list) == 1:
        place = place_list[0]
    elif request.GET.get("place"):
        place = next((p for p in place_list if p.slug == request.GET["place"]), None)
    context = {"open": bool(place_list), "phone": _public_phone(), "honeypot": HONEYPOT_FIELD}
    if request.method == "POST":
        if request.POST.get(HONEYPOT_FIELD):
            # A bot filled the hidden field: thank it and keep nothing.
            return redirect("people:refer_thanks")
        form = PublicReferralForm(request.POST, places=places, place=place)
        if form.is_valid():
            if _over_rate_limit(request):
                context.update(form=form, limited=True)
                return render(request, "people/referrals/public_form.html", context, status=429)
            chosen = form.chosen_place()
            referral = services.referral_create(
                viewer=public_viewer(chosen),
                front_door=FrontDoor.PUBLIC_WEB,
                person=form.person_details(),
                **form.referral_details(),
            )
            request.session[THANKS_SESSION_KEY] = {
                "organisation": chosen.lead_organisation.name,
                "urgent": referral.urgency == Urgency.URGENT,
                "for_self": form.cleaned_data["for_whom"] == FOR_MYSELF,
            }
            return redirect("people:refer_thanks")
    else:
        form = PublicReferralForm(places=places, place=place)
    context["form"] = form
    return render(
        request,
        "people/referrals/public_form.html",
        context,
        status=400 if form.errors else 200,
    )


def _public_phone():
    return getattr(settings, "PUBLIC_REFERRAL_PHONE", "")


@never_cache
def public_referral_thanks(request):
    """Who will be in touch and when; nothing personal travels in the address."""
    thanks = request.session.get(THANKS_SESSION_KEY) or {}
    return render(
        request,
        "people/referrals/public_thanks.html",
        {"thanks": thanks, "phone": _public_phone()},
    )


# --- staff front door and a partner's own referrals ---------------------------------------


@login_required
def staff_referral(request):
    viewer = _viewer(request)
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
    viewer = _viewer(request)
    context = _paginate(request, selectors.referrals_followed_by(viewer))
    now = timezone.now()
    rows = [(r, partner_status(r, now)) for r in context["page"].object_list]
    audit_record(
        viewer=viewer,
        action=Action.LIST,
        purpose=Purpose.REFERRER,
        object_type="people.referral",
        detail={"residents": [r.resident.public_id for r, _ in rows]},
    )
    context["rows"] = rows
    return render(request, "people/referrals/my_referrals.html", context)


@login_required
def referral_detail(request, public_id):
    """What the referrer wrote and where it has got to. A partner sees the status and
    whether the promise was kept, never notes or the resident's journey."""
    viewer = _viewer(request)
    referral = selectors.referral_for_referrer(viewer, public_id)
    if referral is None:
        raise Http404
    holds = referral.resident.organisation_id in viewer.casework_org_ids
    audit_record(
        viewer=viewer,
        action=Action.VIEW,
        purpose=Purpose.TRIAGE if holds else Purpose.REFERRER,
        obj=referral,
        resident=referral.resident,
    )
    return render(
        request,
        "people/referrals/referral_detail.html",
        {"referral": referral, "status": partner_status(referral), "holds": holds},
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
        detail={"residents": [r.resident.public_id for r in referrals]},
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
    request, viewer, referral, *, assign_form=None, contact_form=None, status=200
):
    # Reading the person's details: exactly one audited VIEW per page shown.
    resident, _ = resident_open(
        viewer, referral.resident.public_id, purpose=Purpose.TRIAGE, need=Access.FULL
    )
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
    return _render_triage_referral(request, viewer, referral, assign_form=form, status=400)


@login_required
@require_POST
def triage_contact(request, public_id):
    viewer = _casework_viewer(request)
    referral = _triage_referral_or_404(viewer, public_id)
    resident_get(viewer, referral.resident.public_id, need=Access.FULL)
    form = FirstContactForm(request.POST)
    if not form.is_valid():
        return _render_triage_referral(request, viewer, referral, contact_form=form, status=400)
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
        audit_record(
            viewer=viewer,
            action=Action.VIEW,
            purpose=Purpose.TRIAGE,
            obj=resident,
            resident=resident,
        )
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
