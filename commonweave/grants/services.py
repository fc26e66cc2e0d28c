"""Changing the ledger: funds, awards and their decisions, payments and reversals.

Every function checks who may act (rules.py), changes the database in one transaction,
and writes one audit event. Money is `Decimal` to the penny. Nothing is ever deleted: a
payment or money in that was wrong is reversed by a new line that names it.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.messaging.enums import MessageKind
from commonweave.messaging.services import text_send

from . import codes, dashboard, places, rules
from .enums import AwardStatus, Decision, EntryKind, PaymentMethod, RecipientKind
from .models import PENNY, Approval, Award, Fund, LedgerEntry, Receipt
from .selectors import award_paid, fund_totals

RECEIPT_TYPES = {
    b"%PDF": "application/pdf",
    b"\x89PNG": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
RECEIPT_MAX_BYTES = 5 * 1024 * 1024


def money(value, field: str) -> Decimal:
    """A positive amount to the penny, or a ValidationError naming the field."""
    try:
        amount = Decimal(str(value).replace(",", "").replace("£", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter an amount in pounds, like 25 or 25.50")}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: _("Enter an amount more than £0")})
    # Size first: quantizing "1e400" would raise InvalidOperation.
    if amount >= Decimal("10000000000"):
        raise ValidationError({field: _("Enter a smaller amount")})
    if amount != amount.quantize(PENNY):
        raise ValidationError({field: _("Enter an amount to the nearest penny")})
    return amount


def _run(viewer, fund):
    if not rules.runs(viewer, fund):
        raise Http404


def _person(viewer, field="decision"):
    if getattr(viewer, "user", None) is None:
        raise ValidationError({field: _("Decisions about money need a person signed in")})


def _audit(viewer, action, obj, *, award=None, detail=None):
    """One audit event for a change, and (once it commits) a fresh money dashboard."""
    fund = award.fund if award is not None else (obj if isinstance(obj, Fund) else obj.fund)
    place_id = fund.place_id
    transaction.on_commit(lambda: dashboard.changed(place_id))
    audit_record(
        viewer=viewer,
        action=action,
        purpose=Purpose.ADMIN,
        obj=obj,
        resident=award.resident if award is not None else None,
        detail=detail or {},
        organisation_id=fund.organisation_id,
    )


# --- funds and money in --------------------------------------------------------------------


@transaction.atomic
def fund_create(
    *, viewer, organisation_id=None, name, pot=None, source="", pot_on=None, **fields
) -> Fund:
    """A fund run by the viewer's organisation (one they coordinate or administer).
    `pot`, if given, is its first money in, from `source`, received on `pot_on` (today).

    Side effects: a Fund, maybe a FUNDING ledger line, one audit event."""
    runner_orgs = viewer.org_ids(*rules.RUNNER_ROLES) if rules.may_see_funds(viewer) else set()
    organisation_id = organisation_id or (min(runner_orgs) if runner_orgs else None)
    if organisation_id not in runner_orgs:
        raise Http404
    if not (name or "").strip():
        raise ValidationError({"name": _("Enter the fund's name")})
    threshold = fields.pop("approval_threshold", None)
    fund = Fund(
        place=viewer.place,
        organisation_id=organisation_id,
        name=name.strip(),
        created_by=getattr(viewer, "user", None),
        **fields,
    )
    if threshold not in (None, ""):
        fund.approval_threshold = money(threshold, "approval_threshold")
    if fund.starts_on and fund.ends_on and fund.ends_on < fund.starts_on:
        raise ValidationError({"ends_on": _("The end must be after the start")})
    fund.save()
    _audit(viewer, Action.CREATE, fund)
    if pot not in (None, ""):
        funding_add(viewer=viewer, fund=fund, amount=pot, source=source, received_on=pot_on)
    return fund


@transaction.atomic
def funding_add(*, viewer, fund, amount, source="", note="", received_on=None) -> LedgerEntry:
    """Money into the fund, received on `received_on` (today).
    Side effects: a FUNDING ledger line, one audit event."""
    _run(viewer, fund)
    entry = LedgerEntry.objects.create(
        place=fund.place,
        fund=fund,
        kind=EntryKind.FUNDING,
        amount=money(amount, "amount"),
        paid_on=received_on or timezone.localdate(),
        source=(source or "").strip()[:200],
        note=(note or "").strip()[:300],
        recorded_by=getattr(viewer, "user", None),
    )
    _audit(viewer, Action.CREATE, entry, detail={"kind": EntryKind.FUNDING})
    return entry


# --- asking ----------------------------------------------------------------------------------


def _check_codes(purpose_code, reason_code):
    errors = {}
    if purpose_code and purpose_code not in codes.purposes():
        errors["purpose_code"] = _("Choose a purpose from the list")
    if reason_code and reason_code not in codes.reasons():
        errors["reason_code"] = _("Choose a reason from the list")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def award_request(
    *,
    viewer,
    fund: Fund,
    title: str,
    amount,
    resident=None,
    organisation=None,
    group_name: str = "",
    charity_number: str = "",
    company_number: str = "",
    aid_request=None,
    aid_money: str = "",
    why: str = "",
    goal=None,
    supplier: str = "",
    purpose_code: str = "",
    reason_code: str = "",
    now=None,
) -> Award:
    """Ask a fund for money for exactly one recipient: a resident, an organisation or
    group, or a neighbour's mutual-aid need.

    Side effects: an Award (waiting for a decision), one audit event (on the resident's
    record for a personal grant)."""
    if resident is not None:
        kind = RecipientKind.RESIDENT
    elif aid_request is not None:
        kind = RecipientKind.AID_REQUEST
    else:
        kind = RecipientKind.ORGANISATION
    if (
        sum(x is not None and x != "" for x in (resident, aid_request, organisation or group_name))
        != 1
    ):
        raise ValidationError({"recipient": _("Choose one recipient")})
    if not rules.may_ask_for(viewer, fund, kind=kind, resident=resident, aid_request=aid_request):
        raise Http404
    errors: dict[str, Any] = {}
    if fund.closed:
        errors["fund"] = _("This fund is closed")
    if not (title or "").strip():
        errors["title"] = _("Say what the money is for")
    if goal is not None and (resident is None or goal.resident_id != resident.pk):
        errors["goal"] = _("Choose one of their goals")
    if organisation is not None and organisation.place_id != fund.place_id:
        raise Http404
    try:
        amount = money(amount, "amount")
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    _check_codes(purpose_code, reason_code)
    award = Award.objects.create(
        place=fund.place,
        fund=fund,
        recipient_kind=kind,
        resident=resident,
        organisation=organisation,
        group_name=(group_name or "").strip()[:200] if kind == RecipientKind.ORGANISATION else "",
        charity_number=(charity_number or "").strip()[:20],
        company_number=(company_number or "").strip()[:20],
        aid_request=aid_request,
        aid_money=aid_money if kind == RecipientKind.AID_REQUEST else "",
        title=title.strip()[:200],
        why=(why or "").strip(),
        goal=goal,
        supplier=(supplier or "").strip()[:200],
        purpose_code=purpose_code,
        reason_code=reason_code,
        amount_requested=amount,
        requested_by=getattr(viewer, "user", None),
        requested_at=now or timezone.now(),
        ward=places.ward_of(fund.place, resident.postcode) if resident is not None else "",
    )
    _audit(viewer, Action.CREATE, award, award=award, detail={"recipient": kind})
    return award


# --- deciding --------------------------------------------------------------------------------


def approvals_needed(award: Award, amount: Decimal | None = None) -> int:
    """One approver below the fund's threshold, two different ones at or above it."""
    amount = amount if amount is not None else (award.amount_awarded or award.amount_requested)
    return 2 if amount >= award.fund.approval_threshold else 1


@transaction.atomic
def award_decide(
    *, viewer, award: Award, decision: str, amount=None, evidence: str = "", now=None
) -> Award:
    """One approver's decision. The first approval sets the amount (the amount asked for
    unless they give another); at or above the fund's threshold a second, different
    approver must approve the same amount before it is approved and can be paid. The
    person who asked cannot decide. A decline by anyone who may decide ends it.

    Side effects: an Approval; the award's status and amount; once approved, the resident
    is told by text (where they have a number and have not said STOP); one audit event."""
    award = (
        Award.objects.select_for_update(of=("self",))
        .select_related("fund", "resident")
        .get(pk=award.pk)
    )
    _run(viewer, award.fund)
    _person(viewer)
    if award.status != AwardStatus.REQUESTED:
        raise ValidationError({"decision": _("This award has already been decided")})
    if award.requested_by_id is not None and award.requested_by_id == viewer.user_id:
        raise ValidationError(
            {"decision": _("Someone other than the person who asked must decide")}
        )
    if award.approvals.filter(approver_id=viewer.user_id).exists():
        raise ValidationError(
            {"decision": _("You have already approved this: a different person must")}
        )
    now = now or timezone.now()
    decision = Decision(decision)
    if decision == Decision.DECLINE:
        Approval.objects.create(
            award=award, approver=viewer.user, decision=decision, evidence=evidence, at=now
        )
        award.status, award.decided_at = AwardStatus.DECLINED, now
        award.save(update_fields=["status", "decided_at"])
        _audit(viewer, Action.UPDATE, award, award=award, detail={"decision": "decline"})
        return award
    if award.amount_awarded is None:
        chosen = money(amount, "amount") if amount not in (None, "") else award.amount_requested
        award.amount_awarded = chosen
    elif amount not in (None, "") and money(amount, "amount") != award.amount_awarded:
        raise ValidationError(
            {"amount": _("The first approver approved £%(amount)s: approve that, or decline")
             % {"amount": award.amount_awarded}}
        )  # fmt: skip
    Approval.objects.create(
        award=award,
        approver=viewer.user,
        decision=decision,
        amount=award.amount_awarded,
        evidence=evidence,
        at=now,
    )
    approved = award.approvals.filter(decision=Decision.APPROVE).count()
    fields = ["amount_awarded"]
    if approved >= approvals_needed(award):
        award.status, award.decided_at = AwardStatus.APPROVED, now
        fields += ["status", "decided_at"]
    award.save(update_fields=fields)
    _audit(
        viewer,
        Action.UPDATE,
        award,
        award=award,
        detail={"decision": "approve", "approvals": approved, "status": award.status},
    )
    if award.status == AwardStatus.APPROVED:
        _tell_resident(viewer, award, now)
    return award


def _tell_resident(viewer, award, now):
    resident = award.resident
    if resident is None or not resident.phone:
        return
    name = (resident.preferred_name or resident.full_name).split()[0]
    body = _(
        "Hello %(name)s, good news from %(place)s: £%(amount)s for %(what)s has been agreed. "
        "Your worker will be in touch about getting it to you."
    ) % {
        "name": name,
        "place": award.place.name,
        "amount": award.amount_awarded,
        "what": award.title,
    }
    award.told_at = now
    award.save(update_fields=["told_at"])

    def send():
        text_send(
            actor=viewer,
            place=award.place,
            phone=resident.phone,
            body=body,
            kind=MessageKind.OTHER,
            resident=resident,
        )

    transaction.on_commit(send)


@transaction.atomic
def award_withdraw(*, viewer, award: Award) -> Award:
    """Withdraw a request or an approved award nothing has been paid from."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    if not rules.may_see(viewer, award):
        raise Http404
    if award.status not in (AwardStatus.REQUESTED, AwardStatus.APPROVED):
        raise ValidationError({"status": _("Only a request or an approved award can be withdrawn")})
    if award_paid(award) > 0:
        raise ValidationError({"status": _("Money has been paid: reverse the payment first")})
    award.status = AwardStatus.WITHDRAWN
    award.save(update_fields=["status"])
    _audit(viewer, Action.UPDATE, award, award=award, detail={"status": "withdrawn"})
    return award


# --- paying and reversing --------------------------------------------------------------------


def receipt_store(*, viewer, upload) -> Receipt:
    """Keep an uploaded receipt (PDF, PNG or JPEG, at most 5 MB), checked by its content."""
    data = upload.read(RECEIPT_MAX_BYTES + 1)
    if len(data) > RECEIPT_MAX_BYTES:
        raise ValidationError({"receipt": _("The receipt must be smaller than 5 MB")})
    kind = next((t for magic, t in RECEIPT_TYPES.items() if data.startswith(magic)), None)
    if kind is None:
        raise ValidationError({"receipt": _("The receipt must be a PDF, a PNG or a JPEG")})
    return Receipt.objects.create(
        name=(getattr(upload, "name", "") or "receipt")[-200:],
        content_type=kind,
        size=len(data),
        content=data,
        uploaded_by=getattr(viewer, "user", None),
    )


@transaction.atomic
def payment_record(
    *, viewer, award: Award, amount, method: str, paid_on=None, receipt=None, note: str = ""
) -> LedgerEntry:
    """Pay (some of) an approved award: never more than is left of it, nor more than the
    fund holds. Side effects: a PAYMENT ledger line (maybe its receipt), one audit event."""
    award = Award.objects.select_for_update(of=("self",)).select_related("fund").get(pk=award.pk)
    _run(viewer, award.fund)
    Fund.objects.select_for_update().get(pk=award.fund_id)
    errors: dict[str, Any] = {}
    if award.status != AwardStatus.APPROVED:
        errors["award"] = (
            _("It needs a second approver before it can be paid")
            if award.status == AwardStatus.REQUESTED and award.amount_awarded is not None
            else _("Only an approved award can be paid")
        )
    try:
        amount = money(amount, "amount")
    except ValidationError as error:
        errors.update(error.message_dict)
        amount = None
    if method not in PaymentMethod.values:
        errors["method"] = _("Choose how it was paid")
    if errors:
        raise ValidationError(errors)
    left = (award.amount_awarded or Decimal("0")) - award_paid(award)
    if amount > left:
        raise ValidationError(
            {"amount": _("Only £%(left)s of this award is left to pay") % {"left": left}}
        )
    if amount > fund_totals(award.fund).balance:
        raise ValidationError({"amount": _("The fund does not hold enough for this payment")})
    entry = LedgerEntry.objects.create(
        place=award.place,
        fund=award.fund,
        kind=EntryKind.PAYMENT,
        amount=amount,
        award=award,
        method=method,
        receipt=receipt,
        paid_on=paid_on or timezone.localdate(),
        note=(note or "").strip()[:300],
        recorded_by=getattr(viewer, "user", None),
    )
    _first_payment_refresh(award)
    _audit(viewer, Action.CREATE, entry, award=award, detail={"kind": EntryKind.PAYMENT})
    return entry


def _first_payment_refresh(award: Award) -> None:
    """Keep the award's first payment not reversed, and the days from the day it was asked
    for (on the place's clock) to it, as the ledger now says (the dashboard reads them)."""
    first = (
        LedgerEntry.objects.filter(award=award, kind=EntryKind.PAYMENT, reversed_by__isnull=True)
        .order_by("paid_on")
        .values_list("paid_on", flat=True)
        .first()
    )
    days = None
    if first is not None:
        days = max((first - timezone.localdate(award.requested_at)).days, 0)
    if (award.first_paid_on, award.days_to_payment) != (first, days):
        Award.objects.filter(pk=award.pk).update(first_paid_on=first, days_to_payment=days)
        award.first_paid_on, award.days_to_payment = first, days


@transaction.atomic
def entry_reverse(*, viewer, entry: LedgerEntry, reason: str, on=None) -> LedgerEntry:
    """Put a wrong line right: a REVERSAL of the same amount that names it. A line is
    reversed once; a reversal is not itself reversed (record the line again instead);
    money in is reversed only while the fund still holds it.

    Side effects: a REVERSAL ledger line, one audit event."""
    entry = (
        LedgerEntry.objects.select_for_update(of=("self",))
        .select_related("fund", "award")
        .get(pk=entry.pk)
    )
    _run(viewer, entry.fund)
    Fund.objects.select_for_update().get(pk=entry.fund_id)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why it is being reversed")})
    if entry.kind == EntryKind.REVERSAL:
        raise ValidationError({"reason": _("A reversal cannot be reversed: record the line again")})
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise ValidationError({"reason": _("This line has already been reversed")})
    if entry.kind == EntryKind.FUNDING and entry.amount > fund_totals(entry.fund).balance:
        raise ValidationError({"reason": _("The fund no longer holds this money")})
    reversal = LedgerEntry.objects.create(
        place=entry.place,
        fund=entry.fund,
        kind=EntryKind.REVERSAL,
        amount=entry.amount,
        award=entry.award,
        reverses=entry,
        paid_on=on or timezone.localdate(),
        note=reason.strip()[:300],
        recorded_by=getattr(viewer, "user", None),
    )
    if entry.award is not None and entry.kind == EntryKind.PAYMENT:
        _first_payment_refresh(entry.award)
    _audit(viewer, Action.CREATE, reversal, award=entry.award, detail={"reverses": entry.public_id})
    return reversal


# --- afterwards ------------------------------------------------------------------------------


@transaction.atomic
def made_possible_record(*, viewer, award: Award, words: str, shareable: bool = False) -> Award:
    """What the grant made possible, in the resident's own words; `shareable` only with
    their consent to share it as a story. Side effects: the award, one audit event."""
    award = (
        Award.objects.select_for_update(of=("self",))
        .select_related("fund", "resident")
        .get(pk=award.pk)
    )
    if award.recipient_kind != RecipientKind.RESIDENT or not rules.may_see(viewer, award):
        raise Http404
    if not (words or "").strip():
        raise ValidationError({"made_possible": _("Write what it made possible, in their words")})
    award.made_possible = words.strip()
    award.made_possible_shareable = bool(shareable)
    award.save(update_fields=["made_possible", "made_possible_shareable"])
    _audit(viewer, Action.UPDATE, award, award=award, detail={"made_possible": True})
    return award
