"""The ledger in the JSON API: the same rules as the pages. A fund's runners (its
organisation's coordinators and place admins) see and change its money; the caseworkers
holding a resident ask for and see that resident's grants; every other token — a partner
worker of another organisation, an analyst, another place — gets the 404 of a record that
does not exist. A token never decides (a decision needs a person); amounts are strings to
the penny; a bad one is a 400 naming the field, and nothing is half saved."""

from decimal import Decimal

import pytest

from commonweave.audit.enums import Action
from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import GoalFactory, ResidentFactory
from commonweave.grants import services
from commonweave.grants.enums import AwardStatus, EntryKind
from commonweave.grants.models import Approval, Award, Fund, LedgerEntry
from commonweave.mutualaid import services as aid_services
from commonweave.mutualaid.enums import AidFrontDoor, Kind
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from commonweave.tenancy.viewer import public_viewer
from tests.api.conftest import session_client, token_client
from tests.mutualaid import factories as aid_factories

TOKENS = ("coordinator_a", "catalyst_a", "worker_b", "analyst", "elsewhere")


@pytest.fixture
def tokens(world):
    roles = {
        "coordinator_a": (world.org_a, Role.COORDINATOR),
        "catalyst_a": (world.org_a, Role.CATALYST),
        "worker_b": (world.org_b, Role.PARTNER_WORKER),
        "analyst": (world.org_a, Role.ANALYST),
        "elsewhere": (world.other_place.lead_organisation, Role.COORDINATOR),
    }
    made = {}
    for name, (org, role) in roles.items():
        _, raw = issue_api_token(organisation=org, name="Partner system", role=role)
        made[name] = token_client(raw)
    return made


def statuses(tokens, method, url, body=None):
    results = {}
    for name, client in tokens.items():
        response = client.get(url) if method == "get" else client.post(url, body or {})
        results[name] = response.status_code
        if response.status_code == 404:
            assert response.json() == {"detail": "Not found"}
    return results


def only(**allowed):
    """Every token not named finds nothing."""
    return {name: allowed.get(name, 404) for name in TOKENS}


def field_errors(response):
    assert response.status_code == 400, response.content
    return {error["field"] for error in response.json()["errors"]}


def counts():
    return (
        Fund.objects.count(),
        Award.objects.count(),
        Approval.objects.count(),
        LedgerEntry.objects.count(),
    )


def ask(money, **changes):
    body = {
        "fund": money.fund.public_id,
        "resident": money.resident.public_id,
        "title": "A bus pass for the winter",
        "why": "So she can get to the lunch club",
        "amount": "45.50",
        "supplier": "First Bus",
        "purpose_code": "GTIP100",
        "reason_code": "GTIR010",
    }
    return {**body, **changes}


def asked(money, amount="45.50"):
    return services.award_request(
        viewer=money.catalyst,
        fund=money.fund,
        resident=money.resident,
        title="A bus pass",
        amount=amount,
    )


def approved(money, amount="45.50"):
    award = asked(money, amount)
    services.award_decide(viewer=money.first, award=award, decision="approve")
    if Decimal(amount) >= money.fund.approval_threshold:
        services.award_decide(viewer=money.second, award=award, decision="approve")
    award.refresh_from_db()
    return award


# --- funds -----------------------------------------------------------------------------------


def test_only_the_funds_runners_read_funds_ledgers_and_award_lists(world, money, tokens):
    base = f"/api/money/funds/{money.fund.public_id}"
    for url in (base, f"{base}/ledger", f"{base}/awards"):
        assert statuses(tokens, "get", url) == only(coordinator_a=200), url
    # Another place's coordinator runs funds of their own place, and sees none of these.
    assert statuses(tokens, "get", "/api/money/funds") == only(coordinator_a=200, elsewhere=200)
    assert tokens["elsewhere"].get("/api/money/funds").json()["items"] == []


def test_a_fund_answers_its_totals_as_strings_to_the_penny(world, money, tokens):
    award = approved(money, "45.50")
    services.payment_record(viewer=money.first, award=award, amount="20", method="voucher")
    body = tokens["coordinator_a"].get(f"/api/money/funds/{money.fund.public_id}").json()
    assert body["totals"] == {
        "pot": "1000.00",
        "paid": "20.00",
        "committed": "25.50",
        "balance": "980.00",
        "available": "954.50",
    }
    assert (body["name"], body["approval_threshold"], body["funders"]) == (
        "Small good things",
        "100.00",
        ["Hartley Vale Community Foundation"],
    )
    listed = tokens["coordinator_a"].get("/api/money/funds").json()
    assert [(f["id"], f["totals"]["paid"]) for f in listed["items"]] == [
        (money.fund.public_id, "20.00")
    ]


def test_a_runner_creates_a_fund_with_its_first_money_in(world, money, tokens):
    body = {"name": "Community chest", "pot": "2500", "source": "The council",
            "community": True, "approval_threshold": "500"}  # fmt: skip
    response = tokens["coordinator_a"].post("/api/money/funds", body)
    assert response.status_code == 201
    created = response.json()
    assert (created["name"], created["community"], created["totals"]["pot"]) == (
        "Community chest",
        True,
        "2500.00",
    )
    assert Fund.objects.get(public_id=created["id"]).organisation == world.org_a
    here = Fund.objects.filter(place=world.place).count()
    results = statuses(tokens, "post", "/api/money/funds", body)
    assert results == only(coordinator_a=201, elsewhere=201)
    assert Fund.objects.filter(place=world.place).count() == here + 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pot": "lots"}, "pot"),
        ({"pot": "-5"}, "pot"),
        ({"pot": "10.001"}, "pot"),
        ({"pot": 45.5}, "pot"),
        ({"approval_threshold": "ten"}, "approval_threshold"),
        ({"name": ""}, "name"),
        ({"starts_on": "2026-12-01", "ends_on": "2026-11-01"}, "ends_on"),
    ],
)
def test_a_fund_with_a_bad_field_is_a_400_naming_it_and_saves_nothing(
    world, money, tokens, changes, field
):
    before = counts()
    response = tokens["coordinator_a"].post(
        "/api/money/funds", {"name": "Community chest", "pot": "100", **changes}
    )
    assert field_errors(response) == {field}
    assert counts() == before


def test_money_in_is_for_the_runners_and_a_bad_amount_names_the_field(world, money, tokens):
    url = f"/api/money/funds/{money.fund.public_id}/money-in"
    assert statuses(tokens, "post", url, {"amount": "250", "source": "A raffle"}) == only(
        coordinator_a=201
    )
    line = LedgerEntry.objects.filter(fund=money.fund).last()
    assert (line.kind, line.amount, line.source) == (EntryKind.FUNDING, Decimal("250"), "A raffle")
    before = counts()
    for bad in ("0", "-1", "abc", "1e400", 12):
        assert field_errors(tokens["coordinator_a"].post(url, {"amount": bad})) == {"amount"}
    assert counts() == before


def test_the_ledger_pages_its_lines_oldest_first(world, money, tokens):
    for amount in ("10", "20", "30"):
        services.funding_add(viewer=money.first, fund=money.fund, amount=amount)
    url = f"/api/money/funds/{money.fund.public_id}/ledger"
    page = tokens["coordinator_a"].get(url, size=2, page=2).json()
    assert (page["count"], page["pages"]) == (4, 2)
    assert [(line["kind"], line["amount"]) for line in page["items"]] == [
        ("funding", "20.00"),
        ("funding", "30.00"),
    ]


def test_a_funds_award_list_names_no_recipient(world, money, tokens):
    award = asked(money)
    body = tokens["coordinator_a"].get(f"/api/money/funds/{money.fund.public_id}/awards").json()
    assert body["items"] == [
        {
            "id": award.public_id,
            "title": "A bus pass",
            "status": "requested",
            "amount_requested": "45.50",
            "amount_awarded": None,
            "requested_at": body["items"][0]["requested_at"],
        }
    ]


# --- asking ----------------------------------------------------------------------------------


def test_caseworkers_holding_the_resident_ask_and_everyone_else_finds_nothing(world, money, tokens):
    results = statuses(tokens, "post", "/api/money/awards", ask(money))
    assert results == only(coordinator_a=201, catalyst_a=201)
    assert Award.objects.count() == 2


def test_an_ask_answers_the_award_with_the_resident_by_public_id_and_name_only(
    world, money, tokens
):
    goal = GoalFactory(resident=money.resident, text="Get out more")
    response = tokens["catalyst_a"].post("/api/money/awards", ask(money, goal_id=goal.pk))
    assert response.status_code == 201
    body = response.json()
    award = Award.objects.get()
    assert (body["id"], body["status"], body["amount_requested"], body["goal"]) == (
        award.public_id,
        "requested",
        "45.50",
        "Get out more",
    )
    assert body["recipient"] == {
        "kind": "resident",
        "resident": {"id": money.resident.public_id, "display_name": money.resident.display_name},
        "name": None,
        "charity_number": None,
        "company_number": None,
        "aid_money": None,
    }
    text = response.content.decode()
    for private in (money.resident.postcode, money.resident.phone, money.resident.email):
        assert not private or private not in text
    assert (award.purpose_code, award.reason_code) == ("GTIP100", "GTIR010")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "twelve"}, "amount"),
        ({"amount": 12.5}, "amount"),
        ({"title": ""}, "title"),
        ({"purpose_code": "GTIP999"}, "purpose_code"),
        ({"reason_code": "NOPE"}, "reason_code"),
        ({"goal_id": 999999}, "goal_id"),
        ({"group_name": "The allotment society"}, "recipient"),
        ({"resident": ""}, "recipient"),
        ({"aid_money": "gift"}, "aid_money"),
    ],
)
def test_a_bad_ask_is_a_400_naming_the_field_and_saves_nothing(
    world, money, tokens, changes, field
):
    before = counts()
    response = tokens["catalyst_a"].post("/api/money/awards", ask(money, **changes))
    assert field_errors(response) == {field}
    assert counts() == before


def test_asking_for_someone_elses_resident_or_another_places_fund_is_a_404(world, money, tokens):
    theirs = ResidentFactory(organisation=world.org_b)
    catalyst = tokens["catalyst_a"]
    for changes in ({"resident": theirs.public_id}, {"fund": "nosuchfund00"}):
        assert catalyst.post("/api/money/awards", ask(money, **changes)).status_code == 404
    assert Award.objects.count() == 0


def test_a_community_grant_names_the_group_and_its_charity_number(world, money, tokens):
    fund = services.fund_create(viewer=money.first, name="Community chest", community=True,
                                pot="500")  # fmt: skip
    body = {
        "fund": fund.public_id,
        "group_name": "Hartley Vale Allotments",
        "charity_number": "1234567",
        "title": "Seeds and tools",
        "amount": "120",
    }
    response = tokens["coordinator_a"].post("/api/money/awards", body)
    assert response.status_code == 201
    assert response.json()["recipient"] == {
        "kind": "organisation",
        "resident": None,
        "name": "Hartley Vale Allotments",
        "charity_number": "1234567",
        "company_number": "",
        "aid_money": None,
    }
    award_id = response.json()["id"]
    assert statuses(tokens, "get", f"/api/money/awards/{award_id}") == only(
        coordinator_a=200, catalyst_a=200
    )


def test_a_mutual_aid_cost_is_asked_for_by_the_needs_holders(world, money, tokens):
    fund = services.fund_create(viewer=money.first, name="Aid costs", mutual_aid=True, pot="100")
    need = aid_services.request_create(
        viewer=public_viewer(world.place),
        kind=Kind.NEED,
        category=aid_factories.category(world.place, "shopping"),
        what="Bread",
        first_name="Ada",
        front_door=AidFrontDoor.WEB,
    )
    body = {"fund": fund.public_id, "need": need.public_id, "aid_money": "reimbursement",
            "title": "Shopping, paid back", "amount": "18.20"}  # fmt: skip
    results = statuses(tokens, "post", "/api/money/awards", body)
    assert results == only(coordinator_a=201, catalyst_a=201)
    award = Award.objects.filter(fund=fund).first()
    body = tokens["catalyst_a"].get(f"/api/money/awards/{award.public_id}").json()
    assert body["recipient"]["kind"] == "aid_request"
    assert body["recipient"]["aid_money"] == "reimbursement"
    assert "Ada" not in str(body)


# --- reading an award ------------------------------------------------------------------------


def test_an_award_is_read_by_runners_and_holders_and_every_read_is_audited(world, money, tokens):
    award = asked(money)
    url = f"/api/money/awards/{award.public_id}"
    views = AuditEvent.objects.filter(action=Action.VIEW, object_id=award.public_id)
    before = views.count()
    assert statuses(tokens, "get", url) == only(coordinator_a=200, catalyst_a=200)
    assert views.count() == before + 2  # one per read allowed, none for the 404s
    body = tokens["coordinator_a"].get(url).json()
    assert set(body["recipient"]["resident"]) == {"id", "display_name"}
    assert (body["approvals_needed"], body["paid"], body["left_to_pay"]) == (1, "0.00", None)


# --- deciding --------------------------------------------------------------------------------


def test_a_token_cannot_decide_and_a_person_can(world, money, tokens):
    award = asked(money)
    url = f"/api/money/awards/{award.public_id}/decisions"
    results = statuses(tokens, "post", url, {"decision": "approve"})
    assert results == only(coordinator_a=400, catalyst_a=404)
    response = tokens["coordinator_a"].post(url, {"decision": "approve"})
    assert field_errors(response) == {"decision"}
    assert Approval.objects.count() == 0
    response = session_client(world.manager_a).post(url, {"decision": "approve"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["amount_awarded"], body["left_to_pay"]) == (
        "approved",
        "45.50",
        "45.50",
    )
    assert [a["decision"] for a in body["approvals"]] == ["approve"]


def test_above_the_threshold_a_second_different_person_must_approve(world, money):
    award = asked(money, "150")
    url = f"/api/money/awards/{award.public_id}/decisions"
    first = session_client(world.manager_a).post(url, {"decision": "approve", "amount": "140"})
    assert (first.status_code, first.json()["status"], first.json()["amount_awarded"]) == (
        200,
        "requested",
        "140.00",
    )
    again = session_client(world.manager_a).post(url, {"decision": "approve"})
    assert field_errors(again) == {"decision"}
    second = session_client(money.second.user).post(url, {"decision": "approve", "amount": "150"})
    assert field_errors(second) == {"amount"}
    second = session_client(money.second.user).post(url, {"decision": "approve"})
    assert second.json()["status"] == "approved"


def test_the_person_who_asked_cannot_decide(world, money):
    award = services.award_request(viewer=money.first, fund=money.fund, resident=money.resident,
                                   title="Shoes", amount="30")  # fmt: skip
    url = f"/api/money/awards/{award.public_id}/decisions"
    response = session_client(world.manager_a).post(url, {"decision": "approve"})
    assert field_errors(response) == {"decision"}


# --- paying ----------------------------------------------------------------------------------


def test_the_runners_pay_an_approved_award_and_no_one_else_can(world, money, tokens):
    award = approved(money)
    url = f"/api/money/awards/{award.public_id}/payments"
    body = {"amount": "20.00", "method": "voucher", "paid_on": "2026-12-01"}
    assert statuses(tokens, "post", url, body) == only(coordinator_a=201)
    line = LedgerEntry.objects.get(kind=EntryKind.PAYMENT)
    assert (line.amount, line.method, str(line.paid_on)) == (Decimal("20"), "voucher", "2026-12-01")
    detail = tokens["coordinator_a"].get(f"/api/money/awards/{award.public_id}").json()
    assert (detail["paid"], detail["left_to_pay"]) == ("20.00", "25.50")
    assert [(p["amount"], p["has_receipt"], p["reversed"]) for p in detail["payments"]] == [
        ("20.00", False, False)
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "45.51", "method": "voucher"}, "amount"),  # more than is left
        ({"amount": "-1", "method": "voucher"}, "amount"),
        ({"amount": 10, "method": "voucher"}, "amount"),
        ({"amount": "10", "method": "bitcoin"}, "method"),
        ({"amount": "10", "method": "voucher", "paid_on": 0}, "paid_on"),
        ({"amount": "10", "method": "voucher", "receipt": "x"}, "receipt"),
    ],
)
def test_a_bad_payment_is_a_400_naming_the_field_and_saves_nothing(
    world, money, tokens, body, field
):
    award = approved(money)
    before = counts()
    response = tokens["coordinator_a"].post(f"/api/money/awards/{award.public_id}/payments", body)
    assert field_errors(response) == {field}
    assert counts() == before


def test_an_award_waiting_for_its_second_approver_cannot_be_paid(world, money, tokens):
    award = asked(money, "150")
    services.award_decide(viewer=money.first, award=award, decision="approve")
    response = tokens["coordinator_a"].post(
        f"/api/money/awards/{award.public_id}/payments", {"amount": "10", "method": "cash"}
    )
    assert field_errors(response) == {"award"}
    assert "second approver" in response.json()["errors"][0]["message"]


def test_no_payment_takes_more_than_the_fund_holds(world, money, tokens):
    award = approved(money, "900")
    line = LedgerEntry.objects.get(fund=money.fund, kind=EntryKind.FUNDING)
    services.funding_add(viewer=money.first, fund=money.fund, amount="1")
    services.entry_reverse(viewer=money.first, entry=line, reason="Came in twice")
    response = tokens["coordinator_a"].post(
        f"/api/money/awards/{award.public_id}/payments", {"amount": "900", "method": "cash"}
    )
    assert field_errors(response) == {"amount"}


# --- reversing -------------------------------------------------------------------------------


def test_the_runners_reverse_a_payment_once_and_never_a_reversal(world, money, tokens):
    award = approved(money)
    payment = services.payment_record(viewer=money.first, award=award, amount="45.50",
                                      method="card")  # fmt: skip
    url = f"/api/money/ledger/{payment.public_id}/reversal"
    assert field_errors(tokens["coordinator_a"].post(url, {"reason": ""})) == {"reason"}
    assert statuses(tokens, "post", url, {"reason": "Paid to the wrong card"}) == only(
        coordinator_a=201
    )
    reversal = LedgerEntry.objects.get(kind=EntryKind.REVERSAL)
    assert (reversal.reverses, reversal.amount) == (payment, Decimal("45.50"))
    before = counts()
    again = tokens["coordinator_a"].post(url, {"reason": "Again"})
    assert field_errors(again) == {"reason"}
    of_reversal = tokens["coordinator_a"].post(
        f"/api/money/ledger/{reversal.public_id}/reversal", {"reason": "Undo"}
    )
    assert field_errors(of_reversal) == {"reason"}
    assert counts() == before
    ledger = tokens["coordinator_a"].get(f"/api/money/funds/{money.fund.public_id}/ledger").json()
    assert [(line["kind"], line["reversed"], line["reverses"]) for line in ledger["items"]] == [
        ("funding", False, None),
        ("payment", True, None),
        ("reversal", False, payment.public_id),
    ]
    totals = tokens["coordinator_a"].get(f"/api/money/funds/{money.fund.public_id}").json()
    assert totals["totals"]["balance"] == "1000.00"


def test_money_in_is_reversed_only_while_the_fund_holds_it(world, money, tokens):
    award = approved(money, "900")
    services.payment_record(viewer=money.first, award=award, amount="900", method="cash")
    line = LedgerEntry.objects.get(kind=EntryKind.FUNDING)
    response = tokens["coordinator_a"].post(
        f"/api/money/ledger/{line.public_id}/reversal", {"reason": "Never came"}
    )
    assert field_errors(response) == {"reason"}
    assert not LedgerEntry.objects.filter(kind=EntryKind.REVERSAL).exists()


# --- afterwards ------------------------------------------------------------------------------


def test_what_it_made_possible_is_recorded_by_those_who_see_the_award(world, money, tokens):
    award = approved(money)
    url = f"/api/money/awards/{award.public_id}/made-possible"
    assert field_errors(tokens["catalyst_a"].post(url, {"made_possible": ""})) == {"made_possible"}
    words = {"made_possible": "I got to the lunch club every week", "shareable": True}
    assert statuses(tokens, "post", url, words) == only(coordinator_a=200, catalyst_a=200)
    body = tokens["catalyst_a"].get(f"/api/money/awards/{award.public_id}").json()
    assert (body["made_possible"], body["made_possible_shareable"]) == (
        "I got to the lunch club every week",
        True,
    )


def test_a_withdrawal_is_refused_once_money_is_paid(world, money, tokens):
    waiting = asked(money)
    url = f"/api/money/awards/{waiting.public_id}/withdraw"
    assert statuses(tokens, "post", url) == only(coordinator_a=200, catalyst_a=400)
    waiting.refresh_from_db()
    assert waiting.status == AwardStatus.WITHDRAWN
    paid = approved(money)
    services.payment_record(viewer=money.first, award=paid, amount="5", method="cash")
    response = tokens["catalyst_a"].post(f"/api/money/awards/{paid.public_id}/withdraw")
    assert field_errors(response) == {"status"}
    paid.refresh_from_db()
    assert paid.status == AwardStatus.APPROVED


# --- no N+1 ----------------------------------------------------------------------------------


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_lists_and_the_dashboard_take_as_many_queries_at_two_sizes(world, money, tokens):
    base = f"/api/money/funds/{money.fund.public_id}"
    urls = (f"{base}/ledger", f"{base}/awards", "/api/money/funds", "/api/money/dashboard")
    approved(money, "10")
    small = [_queries(tokens["coordinator_a"], url) for url in urls]
    for i in range(6):
        services.fund_create(viewer=money.first, name=f"Fund {i}", pot="10")
        award = approved(money, "10")
        payment = services.payment_record(viewer=money.first, award=award, amount="10",
                                          method="cash")  # fmt: skip
        services.entry_reverse(viewer=money.first, entry=payment, reason="Wrong")
    assert [_queries(tokens["coordinator_a"], url) for url in urls] == small
