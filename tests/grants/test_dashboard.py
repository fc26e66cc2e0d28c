"""The money dashboard (page and API): for the funds' runners and the place's analysts
only. Money per fund is exact (it is not about people); every count of grants is a
published number, and an amount over personal grants shows only where enough different
residents are behind it, to the nearest £10 — never a small group's exact amount."""

import datetime
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from commonweave.demo.factories import ResidentFactory
from commonweave.directory.models import PostcodeLookup
from commonweave.grants import dashboard, selectors, services
from commonweave.insights.disclosure import Cell
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from tests.api.conftest import token_client
from tests.conftest import assert_access, client_for
from tests.mutualaid import factories as aid_factories

URL = "/money/dashboard/"
API = "/api/money/dashboard"


def grant(money, resident, amount, *, purpose="GTIP100", pay=True, asked_days_ago=0):
    now = timezone.now() - datetime.timedelta(days=asked_days_ago)
    award = services.award_request(viewer=money.catalyst, fund=money.fund, resident=resident,
                                   title="A small good thing", amount=amount,
                                   purpose_code=purpose, now=now)  # fmt: skip
    services.award_decide(viewer=money.first, award=award, decision="approve")
    if pay:
        services.payment_record(viewer=money.first, award=award, amount=amount, method="card")
    return award


def resident(world, postcode=""):
    return ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a, postcode=postcode)


def row(groups, key):
    return next(group for group in groups if group["key"] == key)


# --- who sees it -----------------------------------------------------------------------------


def test_the_page_is_for_everyone_who_sees_the_overview_and_shows_only_their_place(world, money):
    overview = {"manager_a": 200, "analyst": 200, "outsider": 200}
    assert_access(world, "get", URL, overview | {"catalyst_a": 200, "catalyst_b": 200})
    assert "Small good things" in client_for(world.analyst).get(URL).content.decode()
    assert "Small good things" not in client_for(world.outsider).get(URL).content.decode()


def test_the_fund_list_links_to_the_dashboard(world, money):
    assert URL in client_for(world.manager_a).get("/money/").content.decode()


def test_the_api_answers_those_who_see_the_overview_and_no_one_else(world, money):
    def token(org, role):
        return token_client(issue_api_token(organisation=org, name="t", role=role)[1])

    expected = {
        (world.org_a, Role.COORDINATOR): 200,
        (world.org_a, Role.ANALYST): 200,
        (world.org_a, Role.CATALYST): 200,
        (world.org_b, Role.PARTNER_WORKER): 404,
        (world.org_b, Role.CATALYST): 200,
    }
    for (org, role), status in expected.items():
        response = token(org, role).get(API)
        assert response.status_code == status, role
        if status == 404:
            assert response.json() == {"detail": "Not found"}
    elsewhere = token(world.other_place.lead_organisation, Role.COORDINATOR).get(API).json()
    assert elsewhere["funds"] == []


# --- the numbers -----------------------------------------------------------------------------


def test_spend_against_pot_is_the_ledgers_own_money(world, money):
    grant(money, money.resident, "45.50")
    grant(money, money.resident, "20", pay=False)
    body = (
        token_client(issue_api_token(organisation=world.org_a, name="t", role=Role.ANALYST)[1])
        .get(API)
        .json()
    )
    assert body["funds"] == [
        {
            "id": money.fund.public_id,
            "name": "Small good things",
            "closed": False,
            "pot": "1000.00",
            "paid": "45.50",
            "committed": "20.00",
            "balance": "954.50",
            "available": "934.50",
            "spent": "5%",
        }
    ]
    totals = selectors.fund_totals(money.fund)
    (spend,) = dashboard.fund_spend(world.place)
    assert (spend.pot, spend.paid, spend.committed, spend.balance, spend.available) == (
        totals.pot,
        totals.paid,
        totals.committed,
        totals.balance,
        totals.available,
    )


def test_small_groups_show_no_count_and_no_exact_amount(world, money):
    people = [resident(world) for _ in range(3)]
    for person, amount in zip(people, ("45.50", "33.25", "12.10"), strict=True):
        grant(money, person, amount, purpose="GTIP040")
    body = client_for(world.manager_a).get(API).json()
    devices = row(body["by_purpose"], "GTIP040")
    assert (devices["grants"], devices["shown"], devices["amount"]) == (None, "fewer than 8", None)
    assert devices["label"] == "Devices and digital access"
    assert row(body["by_purpose"], "GTIP010") == {
        "key": "GTIP010", "label": "Unrestricted", "grants": 0, "shown": "0", "amount": "0.00",
    }  # fmt: skip
    unknown = row(body["by_neighbourhood"], "not_known")
    assert (unknown["grants"], unknown["amount"]) == (None, None)
    assert [band["awards"] for band in body["time_to_payment"]["bands"]] == [None, 0, 0, 0, 0, 0]
    assert (body["time_to_payment"]["median"], body["time_to_payment"]["p90"]) == (None, None)
    page = client_for(world.manager_a).get(URL).content.decode()
    for table in ("by-purpose", "by-neighbourhood", "time-to-payment"):
        html = re.search(rf'<table class="govuk-table" id="{table}">(.*?)</table>', page, re.S)
        assert html is not None
        for exact in ("45.50", "33.25", "12.10", "90.85", "£90", "£50", "£40"):
            assert exact not in html.group(1)
    assert "fewer than 8" in page


def test_enough_people_show_a_published_count_and_an_amount_to_the_nearest_ten(world, money):
    place = world.place
    aid_factories.neighbourhood(place, "Hollinwood", west=-2.12, south=53.54)
    coded = aid_factories.neighbourhood(place, "Werneth", west=-2.0, south=53.0)
    coded.code = "E05000999"
    coded.save(update_fields=["code"])
    PostcodeLookup.objects.create(postcode="OL11AA", latitude=53.545, longitude=-2.115)
    PostcodeLookup.objects.create(
        postcode="OL22BB", latitude=10.0, longitude=10.0, ward_code="E05000999"
    )
    for i in range(10):
        grant(money, resident(world, "OL1 1AA" if i % 2 else "ol2 2bb"), "12.34")
    one = resident(world)  # ten grants to one person: a count, but no amount
    for _ in range(10):
        grant(money, one, "3.00", purpose="GTIP020", pay=False)
    body = client_for(world.analyst).get(API).json()
    transport = row(body["by_purpose"], "GTIP100")
    assert transport["grants"] in (10, 15) and transport["amount"] == "120.00"
    furniture = row(body["by_purpose"], "GTIP020")
    assert furniture["grants"] in (10, 15) and furniture["amount"] is None
    hoods = {group["key"]: group for group in body["by_neighbourhood"]}
    assert list(hoods) == ["Hollinwood", "Werneth", "not_known"]
    assert (hoods["Hollinwood"]["grants"], hoods["Werneth"]["grants"]) == (None, None)
    assert hoods["not_known"]["amount"] is None  # one person behind it
    same_day = body["time_to_payment"]["bands"][0]
    assert (same_day["key"], same_day["awards"]) == ("same_day", 10)
    assert (body["time_to_payment"]["median"], body["time_to_payment"]["p90"]) == (
        "the same day",
        "the same day",
    )
    for value in _whole_numbers(body):
        assert value == 0 or (value >= 8 and value % 5 == 0)


def _whole_numbers(value, key=""):
    if isinstance(value, dict):
        for name, child in value.items():
            if name != "suppression_threshold":
                yield from _whole_numbers(child, name)
    elif isinstance(value, list):
        for child in value:
            yield from _whole_numbers(child, key)
    elif isinstance(value, int) and not isinstance(value, bool):
        yield value


def test_time_to_payment_counts_the_first_payment_not_reversed(world, money):
    late = grant(money, resident(world), "10", asked_days_ago=10)
    reversed_award = grant(money, resident(world), "10", pay=False)
    payment = services.payment_record(viewer=money.first, award=reversed_award, amount="10",
                                      method="cash")  # fmt: skip
    services.entry_reverse(viewer=money.first, entry=payment, reason="Wrong person")
    cells = dashboard.time_to_payment(world.place)
    assert cells["within_2_weeks"] == Cell(1, late.resident.record_key)
    assert sum(cell.n for cell in cells.values()) == 1


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [("123.40", "120.00"), ("125.00", "130.00"), ("4.99", "0.00"), ("1005", "1010.00")],
)
def test_amounts_round_to_the_nearest_ten_pounds(amount, rounded):
    assert str(dashboard.nearest_ten(Decimal(amount))) == rounded


def test_goals_moved_in_peoples_records_show_at_the_next_refresh(world, money):
    from commonweave.demo.factories import GoalFactory
    from commonweave.people.models import Goal

    for _ in range(10):
        someone = resident(world)
        award = services.award_request(
            viewer=money.catalyst, fund=money.fund, resident=someone, title="Bus pass",
            amount="20", goal=GoalFactory(resident=someone, progress=0),
        )  # fmt: skip
        services.award_decide(viewer=money.first, award=award, decision="approve")
    analyst = client_for(world.analyst)

    def bands():
        return {b["key"]: b["grants"] for b in analyst.get(API).json()["goals"]["bands"]}

    assert bands()["not_started"] in (10, 15) and bands()["achieved"] == 0
    Goal.objects.filter(resident__place=world.place).update(progress=100)
    # Goals do not tell the money they moved: the kept dashboard stands until its refresh.
    assert bands()["achieved"] == 0
    later = timezone.now() + dashboard.REFRESH_AFTER + datetime.timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert bands()["achieved"] in (10, 15) and bands()["not_started"] == 0
        page = analyst.get(URL).content.decode()
    assert 'id="goals"' in page and "Goal achieved" in page


def test_after_money_moves_the_page_shows_the_kept_numbers_and_says_newer_are_coming(
    world, money, settings, django_capture_on_commit_callbacks
):
    """With a task worker (not the inline backend), no page waits for the work-out: it
    shows the last one with its time, says a newer one is on its way, and the worker's
    run brings the new money in."""
    analyst = client_for(world.analyst)
    before = analyst.get(API).json()
    assert before["updating"] is False and before["funds"][0]["paid"] == "0.00"
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        grant(money, resident(world), "45.50")
    queued = analyst.get(API).json()
    assert queued["updating"] is True
    assert queued["funds"][0]["paid"] == "0.00"
    assert queued["worked_out_at"] == before["worked_out_at"]
    page = analyst.get(URL).content.decode()
    assert "Newer changes are being counted" in page
    from commonweave.grants.tasks import work_out_dashboard

    assert len(work_out_dashboard.get_backend().results) == 1  # asked for once, not per view
    work_out_dashboard.call(world.place.pk)  # what the worker runs
    after = analyst.get(API).json()
    assert (after["updating"], after["funds"][0]["paid"]) == (False, "45.50")
    assert "Newer changes are being counted" not in analyst.get(URL).content.decode()
