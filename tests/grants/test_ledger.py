"""The ledger: balances summed from its lines agree with the money in, out and reversed
over any sequence of actions; no payment exceeds its award; nothing is ever deleted; two
different approvers at or above the threshold; the person who asked cannot decide."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonweave.audit.models import AuditEvent
from commonweave.grants import selectors, services
from commonweave.grants.enums import AwardStatus, Decision, EntryKind, PaymentMethod
from commonweave.grants.models import Approval, Award, LedgerEntry, NeverDeleted
from commonweave.tenancy.viewer import viewer_for_user

PENCE = st.integers(min_value=1, max_value=60_000).map(lambda p: Decimal(p) / 100)
STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("fund"), PENCE),
        st.tuples(st.just("ask"), PENCE),
        st.tuples(st.just("approve"), st.integers(0, 50)),
        st.tuples(st.just("pay"), st.integers(0, 50), PENCE),
        st.tuples(st.just("reverse"), st.integers(0, 200)),
    ),
    min_size=1,
    max_size=25,
)


def ledger_sums(fund):
    """The ledger's own lines, summed here independently of the selectors."""
    lines = list(LedgerEntry.objects.filter(fund=fund).select_related("reverses"))
    total = {kind: Decimal("0") for kind in ("funding", "payment", "rev_funding", "rev_payment")}
    for line in lines:
        if line.kind == EntryKind.REVERSAL:
            total[f"rev_{line.reverses.kind}"] += line.amount
        else:
            total[line.kind] += line.amount
    return total


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=STEPS)
def test_any_sequence_keeps_the_balance_equal_to_money_in_less_payments_plus_reversals(
    money, steps
):
    fund = services.fund_create(viewer=money.first, name="Random fund", approval_threshold="100")
    seen_rows = 0
    for step in steps:
        awards = list(Award.objects.filter(fund=fund).order_by("pk"))
        lines = list(LedgerEntry.objects.filter(fund=fund).order_by("pk"))
        try:
            if step[0] == "fund":
                services.funding_add(
                    viewer=money.first, fund=fund, amount=step[1], source="A funder"
                )
            elif step[0] == "ask":
                services.award_request(
                    viewer=money.catalyst, fund=fund, resident=money.resident,
                    title="Something that unblocks a life", amount=step[1],
                )  # fmt: skip
            elif step[0] == "approve" and awards:
                award = awards[step[1] % len(awards)]
                for approver in (money.first, money.second):
                    services.award_decide(viewer=approver, award=award, decision=Decision.APPROVE)
            elif step[0] == "pay" and awards:
                award = awards[step[1] % len(awards)]
                services.payment_record(
                    viewer=money.first, award=award, amount=step[2], method=PaymentMethod.CARD
                )
            elif step[0] == "reverse" and lines:
                line = lines[step[1] % len(lines)]
                services.entry_reverse(viewer=money.first, entry=line, reason="Entered by mistake")
        except ValidationError:
            pass  # refused with a reason: the invariants must still hold

        sums = ledger_sums(fund)
        totals = selectors.fund_totals(fund)
        assert totals.pot == sums["funding"] - sums["rev_funding"]
        assert totals.balance == (
            sums["funding"] - sums["payment"] + sums["rev_payment"] - sums["rev_funding"]
        )
        assert totals.balance == sum(
            (line.effect for line in LedgerEntry.objects.filter(fund=fund)), Decimal("0")
        )
        assert totals.balance >= 0
        for award in Award.objects.filter(fund=fund):
            paid = selectors.award_paid(award)
            assert Decimal("0") <= paid <= (award.amount_awarded or Decimal("0"))
        rows = (
            LedgerEntry.objects.filter(fund=fund).count() + Award.objects.filter(fund=fund).count()
        )
        assert rows >= seen_rows  # nothing ever disappears
        seen_rows = rows


def test_nothing_in_the_ledger_can_be_deleted(money):
    award = services.award_request(
        viewer=money.catalyst, fund=money.fund, resident=money.resident, title="A bus pass",
        amount="30",
    )  # fmt: skip
    line = LedgerEntry.objects.filter(fund=money.fund).first()
    for doomed in (line, award, money.fund):
        with pytest.raises(NeverDeleted):
            doomed.delete()
    with pytest.raises(NeverDeleted):
        LedgerEntry.objects.all().delete()
    with pytest.raises(NeverDeleted):
        Award.objects.filter(pk=award.pk).delete()
    assert LedgerEntry.objects.filter(pk=line.pk).exists()


def ask(money, amount, title="A second-hand fridge"):
    return services.award_request(
        viewer=money.catalyst, fund=money.fund, resident=money.resident, title=title,
        amount=amount, why="Her food keeps going off", purpose_code="GTIP020",
        reason_code="GTIR010",
    )  # fmt: skip


def test_below_the_threshold_one_approver_is_enough(money):
    award = services.award_decide(viewer=money.first, award=ask(money, "45"), decision="approve")
    assert (award.status, award.amount_awarded) == (AwardStatus.APPROVED, Decimal("45"))
    services.payment_record(viewer=money.first, award=award, amount="45", method="voucher")
    assert selectors.fund_totals(money.fund).balance == Decimal("955")


def test_at_or_above_the_threshold_it_cannot_be_paid_until_a_second_different_approver_acts(
    money,
):
    award = services.award_decide(viewer=money.first, award=ask(money, "100"), decision="approve")
    assert award.status == AwardStatus.REQUESTED
    with pytest.raises(ValidationError) as refused:
        services.payment_record(viewer=money.first, award=award, amount="100", method="card")
    assert refused.value.message_dict["award"] == [
        "It needs a second approver before it can be paid"
    ]
    with pytest.raises(ValidationError) as again:
        services.award_decide(viewer=money.first, award=award, decision="approve")
    assert "different person" in again.value.message_dict["decision"][0]
    award = services.award_decide(viewer=money.second, award=award, decision="approve")
    assert award.status == AwardStatus.APPROVED
    services.payment_record(viewer=money.first, award=award, amount="100", method="card")
    assert Approval.objects.filter(award=award).count() == 2


def test_the_person_who_asked_cannot_decide_and_a_token_cannot_approve(world, money):
    fund_runner_asks = services.award_request(
        viewer=money.first, fund=money.fund, resident=None, group_name="Millbrook Allotments",
        charity_number="1234567", title="Seeds and tools", amount="80",
    ) if money.fund.community else None  # fmt: skip
    assert fund_runner_asks is None  # this fund takes personal grants only
    award = services.award_request(
        viewer=money.first, fund=money.fund, resident=money.resident, title="Photo ID",
        amount="20",
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        services.award_decide(viewer=money.first, award=award, decision="approve")
    assert refused.value.message_dict["decision"] == [
        "Someone other than the person who asked must decide"
    ]
    from commonweave.tenancy.tokens import issue_api_token
    from commonweave.tenancy.viewer import viewer_for_token

    token, _raw = issue_api_token(organisation=world.org_a, name="Finance", role="coordinator")
    with pytest.raises(ValidationError) as no_person:
        services.award_decide(viewer=viewer_for_token(token), award=award, decision="approve")
    assert "person signed in" in no_person.value.message_dict["decision"][0]


def test_no_payment_exceeds_its_award_and_a_reversal_frees_the_money_again(money):
    award = services.award_decide(viewer=money.first, award=ask(money, "60"), decision="approve")
    first = services.payment_record(viewer=money.first, award=award, amount="40", method="card")
    with pytest.raises(ValidationError) as refused:
        services.payment_record(viewer=money.first, award=award, amount="20.01", method="card")
    assert refused.value.message_dict["amount"] == ["Only £20.00 of this award is left to pay"]
    services.entry_reverse(viewer=money.first, entry=first, reason="Paid to the wrong shop")
    services.payment_record(viewer=money.first, award=award, amount="60", method="supplier")
    assert selectors.award_paid(award) == Decimal("60")
    with pytest.raises(ValidationError):
        services.entry_reverse(viewer=money.first, entry=first, reason="Again")


def test_bad_amounts_are_refused_by_name(money):
    for typed, message in (
        ("ten pounds", "Enter an amount in pounds, like 25 or 25.50"),
        ("0", "Enter an amount more than £0"),
        ("-5", "Enter an amount more than £0"),
        ("12.345", "Enter an amount to the nearest penny"),
        ("NaN", "Enter an amount more than £0"),
    ):
        with pytest.raises(ValidationError) as refused:
            ask(money, typed)
        assert refused.value.message_dict["amount"] == [message]
    assert ask(money, "£1,250.50").amount_requested == Decimal("1250.50")


def test_other_organisations_and_places_find_nothing(world, money):
    award = ask(money, "30")
    others = [world.viewer(u) for u in (world.catalyst_b, world.worker_b, world.analyst)]
    others.append(viewer_for_user(world.outsider, world.other_place))
    for viewer in others:
        with pytest.raises(Http404):
            selectors.award_open(viewer, award.public_id)
        with pytest.raises(Http404):
            services.award_decide(viewer=viewer, award=award, decision="approve")
        with pytest.raises(Http404):
            services.payment_record(viewer=viewer, award=award, amount="1", method="card")
    assert Award.objects.get(pk=award.pk).status == AwardStatus.REQUESTED


def test_reading_a_personal_award_is_audited_on_the_residents_record(money):
    award = ask(money, "30")
    before = AuditEvent.objects.filter(resident_id=money.resident.public_id, action="view").count()
    selectors.award_open(money.first, award.public_id)
    assert (
        AuditEvent.objects.filter(resident_id=money.resident.public_id, action="view").count()
        == before + 1
    )
