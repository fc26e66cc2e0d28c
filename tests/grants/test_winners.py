"""Community grants on the pages (issue 17, parts 1 and 3): a fund's runner gives a
community grant to a group from the fund's page; a decided round's winners become
community grants that wait for the fund's approvers like any other; a resident panellist's
paid time is claimed from the round page. And the dashboard's stored figures follow the
ledger: the ward where the resident lived when asked, the first payment not reversed."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from commonweave.demo.factories import ResidentFactory
from commonweave.grants import rounds, services, winners
from commonweave.grants.enums import AwardStatus, RecipientKind, RoundState
from commonweave.grants.models import Award
from tests.conftest import assert_access, client_for
from tests.grants.conftest import token_clients
from tests.grants.test_rounds_api import TOKENS, field_errors, only, statuses
from tests.mutualaid import factories as aid_factories


@pytest.fixture
def chest(money):
    """The fund also gives community grants."""
    money.fund.community = True
    money.fund.save(update_fields=["community"])
    return money.fund


def _ask_url(fund):
    return reverse("grants:community_ask", kwargs={"public_id": fund.public_id})


def test_only_the_funds_runners_give_community_grants_and_bad_input_is_kept(world, money, chest):
    assert_access(world, "get", _ask_url(chest), {"manager_a": 200})
    manager = client_for(world.manager_a)
    bad = manager.post(
        _ask_url(chest),
        {"group_name": "Friends of Hollin Park", "charity_number": "1123456", "amount": "lots"},
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    assert 'value="Friends of Hollin Park"' in text and 'value="lots"' in text
    assert "Say what the money is for" in text
    assert not Award.objects.filter(group_name="Friends of Hollin Park").exists()
    good = manager.post(
        _ask_url(chest),
        {
            "group_name": "Friends of Hollin Park",
            "charity_number": "1123456",
            "title": "Bulbs for the park",
            "why": "A brighter walk to school",
            "amount": "£250",
        },
    )
    award = Award.objects.get(group_name="Friends of Hollin Park")
    assert good.status_code == 302 and good["Location"].endswith(award.public_id + "/")
    assert (award.recipient_kind, award.charity_number, str(award.amount_requested)) == (
        RecipientKind.ORGANISATION,
        "1123456",
        "250.00",
    )
    fund_page = manager.get(reverse("grants:fund_detail", kwargs={"public_id": chest.public_id}))
    assert _ask_url(chest) in fund_page.content.decode()


def test_a_fund_without_community_grants_has_no_such_page(world, money):
    assert client_for(world.manager_a).get(_ask_url(money.fund)).status_code == 404


def _decided(world, money, round_, ballots):
    apps = [
        rounds.application_submit(
            viewer=_public(world),
            round_=round_,
            group_name=f"Group {n}",
            contact_name=f"Contact {n}",
            contact_email="",
            title=f"Project {n}",
            what_for=f"For project {n}",
            amount=amount,
        )
        for n, amount in ((1, "60"), (2, "300"), (3, "90"))
    ]
    rounds.round_move(viewer=money.first, round_=round_, state=RoundState.SCREENING)
    for app in apps:
        rounds.application_screen(viewer=money.first, application=app, eligible=True)
    rounds.round_move(viewer=money.first, round_=round_, state=RoundState.VOTE)
    for i, choices in enumerate(ballots):
        rounds.ballot_enter(
            viewer=money.first, round_=round_, ref=f"B{i}", channel="paper", choices=choices
        )
    rounds.round_count(viewer=money.first, round_=round_)
    return apps


def _public(world):
    from commonweave.tenancy.viewer import public_viewer

    return public_viewer(world.place)


def test_winners_become_community_grants_once_and_wait_for_the_approvers(world, money, chest):
    round_ = rounds.round_open(
        viewer=money.first, fund=chest, name="Spring", budget="400", rule="approval"
    )
    with pytest.raises(ValidationError, match="decided"):
        winners.awards_make(viewer=money.first, round_=round_)
    apps = _decided(world, money, round_, [["P001", "P002"], ["P002"], ["P002", "P001"]])
    assert rounds.latest_decision(round_).winners == ["P001", "P002"]
    url = reverse("grants:round_action", kwargs={"public_id": round_.public_id, "action": "awards"})
    assert_access(world, "post", url, {"manager_a": 302})  # others find nothing
    made = {a.group_name: a for a in Award.objects.filter(fund=chest)}
    assert set(made) == {"Group 1", "Group 2"}
    assert all(a.status == AwardStatus.REQUESTED for a in made.values())
    for app in apps[:2]:
        app.refresh_from_db()
        assert app.award == made[app.group_name]
    assert winners.awards_make(viewer=money.first, round_=round_) == []  # never twice
    # £300 is over the fund's threshold: one approval does not let it be paid.
    big = made["Group 2"]
    services.award_decide(viewer=money.second, award=big, decision="approve")
    with pytest.raises(ValidationError, match="second approver"):
        services.payment_record(viewer=money.first, award=big, amount="300", method="bank_transfer")


def test_a_fund_without_community_grants_cannot_take_a_rounds_winners(world, money):
    round_ = rounds.round_open(
        viewer=money.first, fund=money.fund, name="Spring", budget="400", rule="approval"
    )
    _decided(world, money, round_, [["P001"]])
    with pytest.raises(ValidationError, match="community grants"):
        winners.awards_make(viewer=money.first, round_=round_)


def test_paid_panel_time_is_claimed_from_the_round_page(world, money):
    round_ = rounds.round_open(
        viewer=money.first, fund=money.fund, name="Spring", budget="400", rule="approval"
    )
    manager = client_for(world.manager_a)

    def post(action, data):
        url = reverse(
            "grants:round_action", kwargs={"public_id": round_.public_id, "action": action}
        )
        return manager.post(url, {f"{action}-{k}": v for k, v in data.items()})

    unknown = post("panellist", {"name": "Rita", "hourly_rate": "12.50", "resident": "nobody"})
    assert unknown.status_code == 400 and "No resident record" in unknown.content.decode()
    other_place = ResidentFactory(organisation=world.org_b)
    hidden = post("panellist", {"name": "Rita", "resident": other_place.public_id})
    assert hidden.status_code == 400
    added = post(
        "panellist", {"name": "Rita", "hourly_rate": "12.50", "resident": money.resident.public_id}
    )
    assert added.status_code == 302
    panellist = round_.panellists.get()
    bad = post("time", {"panellist": panellist.pk, "hours": "lots"})
    assert bad.status_code == 400 and 'value="lots"' in bad.content.decode()
    assert post("time", {"panellist": panellist.pk, "hours": "2.5"}).status_code == 302
    award = Award.objects.get(resident=money.resident)
    assert str(award.amount_requested) == "31.25"


def test_the_award_keeps_the_ward_and_the_first_payment_not_reversed(world, money):
    place = world.place
    ward = aid_factories.neighbourhood(place, "Werneth", west=-2.0, south=53.0)
    ward.code = "E05000999"
    ward.save(update_fields=["code"])
    from commonweave.directory.models import PostcodeLookup

    PostcodeLookup.objects.create(postcode="OL22BB", latitude=1, longitude=1, ward_code="E05000999")
    someone = ResidentFactory(
        organisation=world.org_a, catalyst=world.catalyst_a, postcode="ol2 2bb"
    )
    asked = timezone.now() - datetime.timedelta(days=5)
    award = services.award_request(
        viewer=money.catalyst, fund=money.fund, resident=someone, title="Bus pass",
        amount="40", now=asked,
    )  # fmt: skip
    assert award.ward == "Werneth"
    services.award_decide(viewer=money.first, award=award, decision="approve")
    first = services.payment_record(
        viewer=money.first, award=award, amount="20", method="cash",
        paid_on=timezone.localdate(asked) + datetime.timedelta(days=1),
    )  # fmt: skip
    services.payment_record(
        viewer=money.first, award=award, amount="20", method="cash",
        paid_on=timezone.localdate(asked) + datetime.timedelta(days=4),
    )  # fmt: skip
    award.refresh_from_db()
    assert award.days_to_payment == 1
    services.entry_reverse(viewer=money.first, entry=first, reason="Paid to the wrong person")
    award.refresh_from_db()
    assert (award.days_to_payment, award.first_paid_on) == (
        4,
        timezone.localdate(asked) + datetime.timedelta(days=4),
    )


# --- the same in the API ---------------------------------------------------------------------


def test_the_api_asks_for_winners_grants_claims_panel_time_and_gives_the_pabulib_file(
    world, money, chest
):
    tokens = token_clients(world, *TOKENS)
    round_ = rounds.round_open(
        viewer=money.first, fund=chest, name="Spring", budget="400", rule="approval"
    )
    base = f"/api/money/rounds/{round_.public_id}"
    # Before the decision: the file is the runners' alone.
    assert statuses(tokens, "get", f"{base}/pabulib") == only(coordinator_a=200)
    panellist = rounds.panellist_add(
        viewer=money.first, round_=round_, name="Rita", hourly_rate="12.50",
        resident=money.resident,
    )  # fmt: skip
    runner = tokens["coordinator_a"]
    bad = runner.post(f"{base}/panel-time", {"panellist": panellist.pk, "hours": "lots"})
    assert field_errors(bad) == {"hours"}
    nobody = runner.post(f"{base}/panel-time", {"panellist": 999999, "hours": "2"})
    assert field_errors(nobody) == {"panellist"}
    claimed = runner.post(f"{base}/panel-time", {"panellist": panellist.pk, "hours": "2"})
    assert claimed.status_code == 201 and claimed.json()["amount_requested"] == "25.00"
    assert statuses(
        tokens, "post", f"{base}/panel-time", {"panellist": panellist.pk, "hours": "1"}
    ) == only(coordinator_a=201)

    undecided = runner.post(f"{base}/awards")
    assert undecided.status_code == 400 and "decided" in undecided.content.decode()
    _decided(world, money, round_, [["P001", "P002"], ["P002"], ["P001"]])
    made = runner.post(f"{base}/awards")
    assert made.status_code == 201
    assert sorted(a["title"] for a in made.json()["awards"]) == ["Project 1", "Project 2"]
    assert runner.post(f"{base}/awards").json() == {"awards": []}
    assert statuses(tokens, "post", f"{base}/awards") == only(coordinator_a=201)
    # Decided: anyone may count it again.
    text = tokens["elsewhere"].get(f"{base}/pabulib").content.decode()
    assert text.startswith("META") and "P001" in text
