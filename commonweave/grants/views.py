"""The ledger's pages: funds and their ledgers for those who run them, a small good thing
asked for from a resident's page, and an award from decision to "what it made possible".
Logic is in services and selectors; anyone not allowed finds a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commonweave.core.visibility import Level, shown
from commonweave.people.access import Access, access_level, resident_get, resident_viewed
from commonweave.tenancy.viewer import viewer_or_404

from . import rules, selectors, services
from .enums import AwardStatus, EntryKind, RecipientKind
from .forms import (
    CommunityGrantForm,
    DecideForm,
    FundForm,
    GrantRequestForm,
    MadePossibleForm,
    MoneyInForm,
    PaymentForm,
    ReverseForm,
)
from .forms_results import AwardUpdateForm
from .models import LedgerEntry, Receipt

LEDGER_PAGE = 50


def _runner(request):
    return viewer_or_404(request, may=rules.may_see_funds)


@login_required
def fund_list(request):
    viewer = _runner(request)
    funds = [(fund, selectors.fund_totals(fund)) for fund in selectors.funds_for(viewer)]
    return render(request, "grants/fund_list.html", {"funds": funds})


@login_required
def fund_new(request):
    viewer = _runner(request)
    form = FundForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                fund = services.fund_create(
                    viewer=viewer,
                    name=data["name"],
                    programme=data["programme"],
                    funders=data["funders"],
                    pot=data["pot"] or None,
                    source=data["source"],
                    approval_threshold=data["approval_threshold"],
                    personal=data["personal"],
                    community=data["community"],
                    mutual_aid=data["mutual_aid"],
                    open_call=data["open_call"],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Fund created"))
                return redirect("grants:fund_detail", public_id=fund.public_id)
        status = 400
    return render(request, "grants/fund_new.html", {"form": form}, status=status)


@login_required
def fund_detail(request, public_id):
    viewer = _runner(request)
    fund = selectors.fund_open(viewer, public_id)
    form = MoneyInForm(request.POST or None, prefix="in")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.funding_add(viewer=viewer, fund=fund, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Money in recorded"))
                return redirect("grants:fund_detail", public_id=fund.public_id)
        status = 400
    awards = selectors.awards_of(viewer, fund)
    # A fund may have years of lines: the newest page of the ledger, the oldest requests
    # first (they have waited longest), the latest decisions.
    page = Paginator(selectors.ledger_of(viewer, fund).reverse(), LEDGER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "fund": fund,
        "totals": selectors.fund_totals(fund),
        "waiting": awards.filter(status=AwardStatus.REQUESTED).order_by("requested_at")[:50],
        "decided": awards.exclude(status=AwardStatus.REQUESTED)[:50],
        "entries": page.object_list,
        "page": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=1)),
        "page_query": "",
        "form": form,
    }
    return render(request, "grants/fund_detail.html", context, status=status)


@login_required
def community_ask(request, public_id):
    """A community grant to a group, asked for by one of the fund's runners."""
    viewer = _runner(request)
    fund = selectors.fund_open(viewer, public_id)
    if not fund.community:
        raise Http404
    form = CommunityGrantForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                award = services.award_request(viewer=viewer, fund=fund, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Asked for: it is waiting for a decision"))
                return redirect("grants:award_detail", public_id=award.public_id)
        status = 400
    return render(request, "grants/community_ask.html", {"fund": fund, "form": form}, status=status)


# --- a small good thing, from the resident's page -------------------------------------------


@login_required
def resident_ask(request, public_id):
    viewer = viewer_or_404(request)
    resident, _access = resident_get(viewer, public_id, need=Access.FULL)
    funds = list(selectors.funds_to_ask(viewer, kind="personal"))
    goals = list(resident.goals.order_by("created_at"))
    form = GrantRequestForm(request.POST or None, funds=funds, goals=goals)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            fund = next(f for f in funds if f.public_id == data["fund"])
            goal = next((g for g in goals if str(g.pk) == data["goal"]), None)
            try:
                award = services.award_request(
                    viewer=viewer,
                    fund=fund,
                    resident=resident,
                    title=data["title"],
                    why=data["why"],
                    goal=goal,
                    amount=data["amount"],
                    supplier=data["supplier"],
                    purpose_code=data["purpose_code"],
                    reason_code=data["reason_code"],
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Asked for: it is waiting for a decision"))
                return redirect("grants:award_detail", public_id=award.public_id)
        status = 400
    else:
        resident_viewed(viewer, resident)
    context = {
        "resident": shown(resident, Level.FULL),
        "form": form,
        "funds": funds,
        "awards": selectors.awards_for_resident(viewer, resident),
    }
    return render(request, "grants/resident_ask.html", context, status=status)


# --- an award --------------------------------------------------------------------------------


def _award_page(request, viewer, award, *, forms=None, status=200):
    runs = rules.runs(viewer, award.fund)
    paid = selectors.award_paid(award)
    forms = forms or {}
    payments = list(
        LedgerEntry.objects.filter(place=award.place_id, award=award, kind=EntryKind.PAYMENT)
        .select_related("receipt")
        .prefetch_related("reversed_by")
    )
    context = {
        "award": award,
        "resident": shown(award.resident, Level.FULL) if award.resident_id else None,
        "runs": runs,
        "paid": paid,
        "left": (award.amount_awarded or 0) - paid,
        "approvals": award.approvals.select_related("approver"),
        "needed": services.approvals_needed(award),
        "payments": payments,
        "decide_form": forms.get("decide") or DecideForm(prefix="decide"),
        "pay_form": forms.get("pay")
        or PaymentForm(prefix="pay", initial={"paid_on": timezone.localdate()}),
        "reverse_form": forms.get("reverse") or ReverseForm(prefix="reverse"),
        "made_form": forms.get("made")
        or MadePossibleForm(
            prefix="made",
            initial={
                "made_possible": award.made_possible,
                "shareable": award.made_possible_shareable,
            },
        ),
        "is_personal": award.recipient_kind == RecipientKind.RESIDENT,
        # A community award's timeline (results.py): the form for its runners.
        "update_form": forms.get("update")
        or AwardUpdateForm(
            prefix="update", initial={"on": timezone.localdate().strftime("%d/%m/%Y")}
        ),
        # The goals and life map are the resident's record: linked for those holding it.
        "opens_resident": award.resident_id is not None
        and access_level(viewer, award.resident) == Access.FULL,
    }
    return render(request, "grants/award_detail.html", context, status=status)


@login_required
def award_detail(request, public_id):
    viewer = viewer_or_404(request)
    award = selectors.award_open(viewer, public_id)
    return _award_page(request, viewer, award)


@login_required
@require_POST
def award_action(request, public_id, action):
    viewer = viewer_or_404(request)
    award = selectors.award_open(viewer, public_id)
    builders = {
        "decide": lambda: DecideForm(request.POST, prefix="decide"),
        "pay": lambda: PaymentForm(request.POST, request.FILES, prefix="pay"),
        "reverse": lambda: ReverseForm(request.POST, prefix="reverse"),
        "made": lambda: MadePossibleForm(request.POST, prefix="made"),
        "withdraw": None,
    }
    if action not in builders:
        raise Http404
    if action == "withdraw":
        try:
            services.award_withdraw(viewer=viewer, award=award)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("grants:award_detail", public_id=award.public_id)
    form = builders[action]()
    if form.is_valid():
        try:
            with transaction.atomic():
                _act(request, viewer, award, action, form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect("grants:award_detail", public_id=award.public_id)
    award.refresh_from_db()
    return _award_page(request, viewer, award, forms={action: form}, status=400)


def _act(request, viewer, award, action, data):
    if action == "decide":
        services.award_decide(
            viewer=viewer,
            award=award,
            decision=data["decision"],
            amount=data["amount"],
            evidence=data["evidence"],
        )
        messages.success(request, _("Decision recorded"))
    elif action == "pay":
        receipt = (
            services.receipt_store(viewer=viewer, upload=data["receipt"])
            if data["receipt"]
            else None
        )
        services.payment_record(
            viewer=viewer,
            award=award,
            amount=data["amount"],
            method=data["method"],
            paid_on=data["paid_on"],
            receipt=receipt,
            note=data["note"],
        )
        messages.success(request, _("Payment recorded"))
    elif action == "reverse":
        entry = LedgerEntry.objects.filter(
            award=award, public_id=request.POST.get("entry", "")
        ).first()
        if entry is None:
            raise ValidationError({"reason": _("Choose a payment to reverse")})
        services.entry_reverse(viewer=viewer, entry=entry, reason=data["reason"])
        messages.success(request, _("Payment reversed"))
    elif action == "made":
        services.made_possible_record(
            viewer=viewer, award=award, words=data["made_possible"], shareable=data["shareable"]
        )
        messages.success(request, _("Saved"))


@login_required
@require_POST
def entry_reverse(request, public_id, entry_id):
    """Reverse money in, from the fund's page."""
    viewer = _runner(request)
    fund = selectors.fund_open(viewer, public_id)
    entry = LedgerEntry.objects.filter(fund=fund, public_id=entry_id).first()
    if entry is None:
        raise Http404
    try:
        services.entry_reverse(viewer=viewer, entry=entry, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Reversed"))
    return redirect("grants:fund_detail", public_id=fund.public_id)


@login_required
def receipt(request, public_id, receipt_id):
    """A payment's receipt, for whoever may see the award (audited as a read of it)."""
    viewer = viewer_or_404(request)
    award = selectors.award_open(viewer, public_id)
    entry = (
        LedgerEntry.objects.filter(award=award, receipt__public_id=receipt_id)
        .select_related("receipt")
        .first()
    )
    if entry is None:
        raise Http404
    kept: Receipt = entry.receipt
    response = HttpResponse(bytes(kept.content), content_type=kept.content_type)
    response["Content-Disposition"] = f'attachment; filename="receipt-{kept.public_id}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
