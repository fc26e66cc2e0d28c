"""The ledger's pages: a small good thing asked for from the resident's page in under two
minutes, decided by someone else (two people at or above the threshold), paid with its
receipt; bad input kept and named beside its field; everyone else finds a 404."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commonweave.grants.enums import AwardStatus
from commonweave.grants.models import Award, LedgerEntry
from tests.conftest import assert_access, client_for

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def ask_url(resident):
    return reverse("grants:resident_ask", kwargs={"public_id": resident.public_id})


def form(money, **changes):
    data = {
        "fund": money.fund.public_id,
        "title": "A bus pass for the winter",
        "why": "So she can get to the lunch club",
        "goal": "",
        "amount": "£45.50",
        "supplier": "First Bus",
        "purpose_code": "GTIP100",
        "reason_code": "GTIR010",
    }
    return {**data, **changes}


def test_only_caseworkers_holding_the_record_can_ask(world, money):
    assert_access(world, "get", ask_url(money.resident), {"catalyst_a": 200, "manager_a": 200})


def test_a_catalyst_asks_from_the_residents_page_and_a_coordinator_approves_and_pays(world, money):
    page = client_for(world.catalyst_a).get(
        reverse("people:resident_detail", kwargs={"public_id": money.resident.public_id})
    )
    assert ask_url(money.resident) in page.content.decode()
    response = client_for(world.catalyst_a).post(ask_url(money.resident), form(money))
    award = Award.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "grants:award_detail", kwargs={"public_id": award.public_id}
    )
    assert (award.amount_requested, award.purpose_code) == (Decimal("45.50"), "GTIP100")

    action = lambda name: reverse(  # noqa: E731
        "grants:award_action", kwargs={"public_id": award.public_id, "action": name}
    )
    manager = client_for(world.manager_a)
    assert manager.post(action("decide"), {"decide-decision": "approve"}).status_code == 302
    award.refresh_from_db()
    assert award.status == AwardStatus.APPROVED
    paid = manager.post(
        action("pay"),
        {
            "pay-amount": "45.50",
            "pay-method": "voucher",
            "pay-paid_on": "2026-12-01",
            "pay-receipt": SimpleUploadedFile("receipt.png", PNG, "image/png"),
        },
    )
    assert paid.status_code == 302
    line = LedgerEntry.objects.get(award=award)
    receipt = manager.get(
        reverse(
            "grants:receipt",
            kwargs={"public_id": award.public_id, "receipt_id": line.receipt.public_id},
        )
    )
    assert (receipt.status_code, receipt["Content-Type"], b"".join([receipt.content])) == (
        200,
        "image/png",
        PNG,
    )
    fund_page = manager.get(
        reverse("grants:fund_detail", kwargs={"public_id": money.fund.public_id})
    )
    assert "£954.50" in fund_page.content.decode()  # held now: 1,000 less 45.50


def test_a_bad_amount_is_named_beside_its_field_and_what_was_typed_is_kept(world, money):
    response = client_for(world.catalyst_a).post(
        ask_url(money.resident), form(money, amount="forty")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter an amount in pounds, like 25 or 25.50" in html
    assert 'value="forty"' in html and "A bus pass for the winter" in html
    assert not Award.objects.exists()


def test_the_asker_cannot_approve_and_a_big_award_waits_for_a_second_person(world, money):
    client_for(world.manager_a).post(ask_url(money.resident), form(money, amount="250"))
    award = Award.objects.get()
    decide = reverse(
        "grants:award_action", kwargs={"public_id": award.public_id, "action": "decide"}
    )
    refused = client_for(world.manager_a).post(decide, {"decide-decision": "approve"})
    assert refused.status_code == 400
    assert "Someone other than the person who asked must decide" in refused.content.decode()
    second = money.second.user
    assert client_for(second).post(decide, {"decide-decision": "approve"}).status_code == 302
    award.refresh_from_db()
    assert (award.status, award.amount_awarded) == (AwardStatus.REQUESTED, Decimal("250"))
    page = client_for(second).get(
        reverse("grants:award_detail", kwargs={"public_id": award.public_id})
    )
    assert "It needs 2 different approvers." in page.content.decode()


def test_a_receipt_that_is_not_a_pdf_or_image_is_refused(world, money):
    award = money_award(money)
    response = client_for(world.manager_a).post(
        reverse("grants:award_action", kwargs={"public_id": award.public_id, "action": "pay"}),
        {
            "pay-amount": "10",
            "pay-method": "card",
            "pay-paid_on": "01-12-2026",
            "pay-receipt": SimpleUploadedFile("receipt.html", b"<script>x</script>", "text/html"),
        },
    )
    assert response.status_code == 400
    assert "The receipt must be a PDF, a PNG or a JPEG" in response.content.decode()
    assert not LedgerEntry.objects.filter(award=award).exists()


def money_award(money):
    from commonweave.grants import services

    award = services.award_request(
        viewer=money.catalyst, fund=money.fund, resident=money.resident, title="Photo ID",
        amount="30",
    )  # fmt: skip
    return services.award_decide(viewer=money.first, award=award, decision="approve")


def test_the_award_page_is_for_the_caseworkers_and_the_funds_runners_only(world, money):
    award = money_award(money)
    url = reverse("grants:award_detail", kwargs={"public_id": award.public_id})
    assert_access(world, "get", url, {"catalyst_a": 200, "manager_a": 200})


def test_the_money_pages_are_for_the_funds_runners(world, money):
    # The outsider runs funds in their own place: they see that place's (empty) list.
    mine = {"manager_a": 200, "outsider": 200}
    assert_access(world, "get", reverse("grants:fund_list"), mine)
    assert_access(world, "get", reverse("grants:fund_new"), mine)
    url = reverse("grants:fund_detail", kwargs={"public_id": money.fund.public_id})
    assert_access(world, "get", url, {"manager_a": 200})


def test_a_new_fund_with_a_bad_threshold_keeps_what_was_typed(world):
    client = client_for(world.manager_a)
    response = client.post(
        reverse("grants:fund_new"),
        {
            "name": "Community chest",
            "pot": "5000",
            "approval_threshold": "a lot",
            "community": "on",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter an amount in pounds, like 25 or 25.50" in html and "Community chest" in html
    response = client.post(
        reverse("grants:fund_new"),
        {"name": "Community chest", "pot": "5000", "approval_threshold": "250", "community": "on"},
    )
    assert response.status_code == 302
