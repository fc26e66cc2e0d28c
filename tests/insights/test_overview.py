"""The place overview: who may see it, and that only published numbers ever leave."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import ReferralFactory, ResidentFactory
from commonweave.people.enums import FrontDoor, Stage
from tests.conftest import assert_access, client_for
from tests.queries import assert_same_queries_at_two_sizes

OVERVIEW = reverse("insights:overview")
OVERVIEW_CSV = reverse("insights:overview_csv")
AGGREGATE_VIEWERS = {"catalyst_a": 200, "manager_a": 200, "catalyst_b": 200, "analyst": 200}
RULE = 'counts from 1 to 7 are shown as "fewer than 8"; other counts are rounded to the nearest 5'


def possible(n, threshold=8):
    """What a count of n people may be published as: moved by at most 2 by its cell key
    (never below the threshold), then rounded to 5 (insights/disclosure)."""
    return {f"{5 * ((m + 2) // 5):,}" for m in range(max(n - 2, threshold), n + 3)}


def residents(world, n, **kwargs):
    kwargs.setdefault("stage", Stage.ENGAGED)
    return [ResidentFactory(organisation=world.org_a, **kwargs) for _ in range(n)]


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def csv_cell(rows, table_start, row_label):
    return next(r[2] for r in rows if r[0].startswith(table_start) and r[1] == row_label)


def table_cell(html, table_id, row_label):
    """The number shown on the page in the row headed `row_label` of table `table_id`."""
    table = html.split(f'id="table-{table_id}"', 1)[1].split("</table>", 1)[0]
    row = table.split(f'<th scope="row" class="govuk-table__header">{row_label}</th>', 1)[1]
    cell = row.split('<td class="govuk-table__cell govuk-table__cell--numeric">', 1)[1]
    return cell.split("</td>", 1)[0]


# --- who may see it ------------------------------------------------------------------------


def test_overview_is_for_analysts_admins_coordinators_and_catalysts(world):
    assert_access(world, "get", OVERVIEW, {**AGGREGATE_VIEWERS, "outsider": 200})


def test_partner_workers_find_no_overview(world):
    response = client_for(world.worker_b).get(OVERVIEW)
    assert response.status_code == 404


def test_overview_export_has_the_same_audience(world):
    assert_access(world, "get", OVERVIEW_CSV, {**AGGREGATE_VIEWERS, "outsider": 200})


def test_the_overview_counts_only_the_viewers_own_place(world):
    residents(world, 23, stage=Stage.CONNECTING)
    html = client_for(world.outsider).get(OVERVIEW).content.decode()
    assert table_cell(html, "stage", "Connecting") == "0"


# --- published numbers only ---------------------------------------------------------------


def test_three_residents_in_a_stage_show_as_fewer_than_8_never_3(world):
    residents(world, 3, stage=Stage.CONNECTING)
    html = client_for(world.analyst).get(OVERVIEW).content.decode()
    assert table_cell(html, "stage", "Connecting") == "fewer than 8"
    assert ">3<" not in html
    assert "fewer than 8" in html


def test_twenty_three_residents_show_as_20_or_25_never_23(world):
    residents(world, 23, stage=Stage.CONNECTING)
    html = client_for(world.analyst).get(OVERVIEW).content.decode()
    assert table_cell(html, "stage", "Connecting") in possible(23) == {"20", "25"}
    assert ">23<" not in html


def test_the_page_explains_the_rule(world):
    html = client_for(world.analyst).get(OVERVIEW).content.decode()
    assert RULE in html.replace("&quot;", '"')


def test_a_place_with_a_higher_threshold_suppresses_more(world):
    world.place.suppression_threshold = 10
    world.place.save(update_fields=["suppression_threshold"])
    residents(world, 9, stage=Stage.CONNECTING)
    html = client_for(world.analyst).get(OVERVIEW).content.decode()
    assert table_cell(html, "stage", "Connecting") == "fewer than 10"
    assert "counts from 1 to 9 are shown as" in html


def test_totals_add_up_the_shown_numbers_only(world):
    residents(world, 3, stage=Stage.CONNECTING)
    residents(world, 23, stage=Stage.ENGAGED)
    html = client_for(world.analyst).get(OVERVIEW).content.decode()
    table = html.split('id="table-stage"', 1)[1].split("</table>", 1)[0]
    engaged = table_cell(html, "stage", "Engaged")
    assert engaged in possible(23)
    assert f"{engaged} (plus suppressed groups)" in table  # the 3 is not added back


def test_bars_are_drawn_from_published_numbers_and_none_for_suppressed_cells(world):
    residents(world, 3, stage=Stage.CONNECTING)
    residents(world, 23, stage=Stage.ENGAGED)
    html = client_for(world.analyst).get(OVERVIEW).content.decode()
    table = html.split('id="table-stage"', 1)[1].split("</table>", 1)[0]
    assert table.count("<meter") == 1 + 4  # Engaged plus the four zero rows
    engaged = table_cell(html, "stage", "Engaged")
    assert f'max="{engaged}" value="{engaged}"' in table
    assert 'value="3"' not in table
    assert 'style="' not in html  # the Content Security Policy forbids inline styles


def test_response_times_against_the_promise(world):
    now = timezone.now()
    for _ in range(12):  # contacted within the promise
        referral = ReferralFactory(resident__organisation=world.org_a, received_at=now)
        referral.first_contact_at = now + timedelta(hours=1)
        referral.save(update_fields=["first_contact_at"])
    for _ in range(9):  # overdue
        ReferralFactory(resident__organisation=world.org_a, received_at=now - timedelta(days=2))
    html = client_for(world.analyst).get(OVERVIEW).content.decode()
    assert table_cell(html, "response", "Contacted within the promise") in possible(12)
    assert table_cell(html, "response", "Waiting, past the promise (overdue)") == "10"  # 9
    assert table_cell(html, "response", "Contacted, but later than promised") == "0"
    # 12 of 12 contacted were within: the share is published as a whole percentage.
    assert "within the promise: <strong>100%</strong>" in html


def test_referrals_by_front_door_and_the_period_filter(world):
    now = timezone.now()
    for _ in range(10):
        ReferralFactory(resident__organisation=world.org_a, front_door=FrontDoor.STAFF)
    for _ in range(10):
        ReferralFactory(
            resident__organisation=world.org_a,
            front_door=FrontDoor.API,
            received_at=now - timedelta(days=200),
        )
    client = client_for(world.analyst)
    recent = client.get(OVERVIEW, {"period": "3"}).content.decode()
    everything = client.get(OVERVIEW, {"period": "all"}).content.decode()
    assert table_cell(recent, "front_door", "Staff entry") == "10"
    assert table_cell(recent, "front_door", "Partner system (API)") == "0"
    assert table_cell(everything, "front_door", "Partner system (API)") == "10"


def test_an_unknown_period_falls_back_to_twelve_months(world):
    html = client_for(world.analyst).get(OVERVIEW, {"period": "<script>"}).content.decode()
    assert 'aria-current="page">Last 12 months' in html
    assert "<script>" not in html.split("<main", 1)[1]


def test_graduations_per_month(world):
    now = timezone.now()
    residents(world, 9, stage=Stage.GRADUATED, graduated_at=now)
    html = client_for(world.analyst).get(OVERVIEW).content.decode()
    month = now.strftime("%B %Y")
    assert table_cell(html, "graduations", month) == "10"


# --- the CSV export ------------------------------------------------------------------------


def test_csv_numbers_equal_the_page_numbers(world):
    residents(world, 3, stage=Stage.CONNECTING)
    residents(world, 23, stage=Stage.ENGAGED)
    for _ in range(11):
        ReferralFactory(resident__organisation=world.org_a, front_door=FrontDoor.STAFF)
    client = client_for(world.analyst)
    html = client.get(OVERVIEW).content.decode()
    rows = csv_rows(client.get(OVERVIEW_CSV))
    assert rows[0] == ["Table", "Row", "Count", "Period"]
    checked = 0
    for table_id, caption, label in [
        ("stage", "Residents by stage", "Connecting"),
        ("stage", "Residents by stage", "Engaged"),
        ("stage", "Residents by stage", "Graduated"),
        ("front_door", "Referrals by front door", "Staff entry"),
        ("front_door", "Referrals by front door", "Public web form"),
        ("response", "First contact", "Waiting, still within the promise"),
    ]:
        assert csv_cell(rows, caption, label) == table_cell(html, table_id, label)
        checked += 1
    assert checked == 6
    assert csv_cell(rows, "Residents by stage", "Connecting") == "fewer than 8"
    assert csv_cell(rows, "Residents by stage", "Engaged") in possible(23)
    assert csv_cell(rows, "Referrals by front door", "Staff entry") in possible(11)
    every_count = {r[2] for r in rows[1:]}
    assert "3" not in every_count and "23" not in every_count and "11" not in every_count


def test_csv_export_writes_one_export_audit_event(world):
    client = client_for(world.analyst)
    response = client.get(OVERVIEW_CSV, {"period": "6"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    events = list(AuditEvent.objects.filter(action=Action.EXPORT))
    assert [(e.purpose, e.object_type, e.actor_id, e.place_id) for e in events] == [
        (Purpose.ADMIN, "overview", world.analyst.pk, world.place.pk)
    ]
    assert events[0].detail == {"period": "6"}


def test_viewing_the_overview_writes_no_audit_event(world):
    client_for(world.analyst).get(OVERVIEW)
    assert AuditEvent.objects.count() == 0


# --- cost --------------------------------------------------------------------------------


@pytest.mark.parametrize("period", ["12", "all"])
def test_overview_query_count_does_not_grow_with_residents(world, period):
    client = client_for(world.analyst)

    def make(count):
        residents(world, count, stage=Stage.GRADUATED, graduated_at=timezone.now())
        for _ in range(count // 4):
            ReferralFactory(resident__organisation=world.org_a)

    def fetch():
        assert client.get(OVERVIEW, {"period": period}).status_code == 200

    assert_same_queries_at_two_sizes(make, fetch, small=2, large=22, warm=False)


def test_the_page_on_published_numbers_explains_the_rules_and_the_budget(world):
    """Linked from the cohort page; for the roles that see aggregates."""
    url = reverse("insights:disclosure")
    assert_access(world, "get", url, {**AGGREGATE_VIEWERS, "outsider": 200})
    html = client_for(world.analyst).get(url).content.decode().replace("&quot;", '"')
    assert 'A count from 1 to 7 shows as "fewer than 8".' in html
    assert "ONS cell-key method" in html and "OpenDP" in html
    assert "0 of 400 has been used" in html
