"""The audit log for place admins and "who has seen this record"."""

import csv
import io
from datetime import timedelta
from html import escape

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.models import AuditEvent
from commonweave.audit.services import audit_record
from commonweave.demo.factories import ResidentFactory
from commonweave.people.access import resident_open
from commonweave.tenancy.tokens import issue_api_token
from commonweave.tenancy.viewer import viewer_for_token
from tests.conftest import assert_access, client_for
from tests.queries import assert_same_queries_at_two_sizes

LOG = reverse("audit:log")
LOG_CSV = reverse("audit:log_csv")


def resident_log_url(resident):
    return reverse("people:resident_log", kwargs={"public_id": resident.public_id})


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def event_ids(response):
    """The object ids of the audit entries listed on a page, in order."""
    html = response.content.decode()
    table = html.split('id="audit-events"', 1)[1].split("</table>", 1)[0]
    return [
        cell.split("</span>", 1)[0] for cell in table.split('<br><span class="govuk-body-s">')[1:]
    ]


def view(world, user, resident, *, purpose=None):
    return resident_open(world.viewer(user), resident.public_id, purpose=purpose)


# --- who may see the log -----------------------------------------------------------------


def test_only_place_admins_can_see_the_audit_log(world):
    # The outsider is a place admin too, but of another place: they see that place's log.
    assert_access(world, "get", LOG, {"manager_a": 200, "outsider": 200})


def test_only_place_admins_can_export_the_audit_log(world):
    assert_access(world, "get", LOG_CSV, {"manager_a": 200, "outsider": 200})


def test_a_place_admin_of_another_place_sees_nothing_of_this_place(world, resident_a):
    view(world, world.catalyst_a, resident_a)
    client = client_for(world.outsider)
    page = client.get(LOG).content.decode()
    assert resident_a.public_id not in page
    assert "No entries" in page
    searched = client.get(LOG, {"resident": resident_a.public_id}).content.decode()
    assert resident_a.public_id not in searched.split('id="no-entries"', 1)[1]
    rows = csv_rows(client.get(LOG_CSV))
    # Only the outsider's own export, which is itself recorded in their place's log.
    assert [(row[1], row[4]) for row in rows[1:]] == [(world.outsider.name, "Exported")]
    assert client.get(resident_log_url(resident_a)).status_code == 404


def test_viewing_the_log_is_not_itself_recorded(world, resident_a):
    view(world, world.catalyst_a, resident_a)
    client_for(world.manager_a).get(LOG)
    assert AuditEvent.objects.count() == 1


# --- what it shows --------------------------------------------------------------------------


def test_the_log_shows_who_for_which_organisation_what_why_and_when(world, resident_a):
    view(world, world.catalyst_a, resident_a)
    html = client_for(world.manager_a).get(LOG).content.decode()
    table = html.split('id="audit-events"', 1)[1]
    assert escape(world.catalyst_a.name) in table
    assert escape(world.org_a.name) in table
    assert "Viewed" in table
    assert "Direct work with the resident" in table
    assert resident_a.public_id in table
    assert "<time datetime=" in table
    assert escape(resident_a.full_name) not in html  # ids, never names


def test_the_log_is_newest_first_and_paginated(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    start = timezone.now() - timedelta(days=1)
    for minute in range(55):
        with time_machine.travel(start + timedelta(minutes=minute), tick=False):
            audit_record(
                viewer=viewer,
                action=Action.VIEW,
                purpose=Purpose.CASEWORK,
                object_type="people.resident",
                object_id=f"obj{minute:02d}",
            )
    client = client_for(world.manager_a)
    first = event_ids(client.get(LOG))
    second = event_ids(client.get(LOG, {"page": 2}))
    assert first == [f"obj{m:02d}" for m in range(54, 4, -1)]
    assert second == [f"obj{m:02d}" for m in range(4, -1, -1)]


def test_api_token_events_show_the_token_name(world, resident_a):
    token, _ = issue_api_token(organisation=world.org_a, name="GP surgery system", role="catalyst")
    audit_record(
        viewer=viewer_for_token(token),
        action=Action.LIST,
        purpose=Purpose.CASEWORK,
        object_type="people.resident",
    )
    html = client_for(world.manager_a).get(LOG).content.decode()
    assert "API token: GP surgery system" in html


def test_public_form_events_say_so(world):
    from commonweave.tenancy.viewer import public_viewer

    audit_record(
        viewer=public_viewer(world.place),
        action=Action.CREATE,
        purpose=Purpose.INTAKE,
        object_type="people.referral",
        object_id="r1",
    )
    html = client_for(world.manager_a).get(LOG).content.decode()
    assert "Someone without an account" in html


# --- searching -----------------------------------------------------------------------------


@pytest.fixture
def varied_log(world):
    """Events by different people, organisations, actions, purposes and days."""
    resident_b = ResidentFactory(organisation=world.org_b, catalyst=world.catalyst_b)
    resident_a = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    now = timezone.now()
    plan = [
        ("a-view", world.catalyst_a, Action.VIEW, Purpose.CASEWORK, resident_a, 10),
        ("a-update", world.catalyst_a, Action.UPDATE, Purpose.CASEWORK, resident_a, 5),
        ("b-view", world.catalyst_b, Action.VIEW, Purpose.CASEWORK, resident_b, 3),
        ("m-export", world.manager_a, Action.EXPORT, Purpose.ADMIN, None, 1),
        ("b-shared", world.worker_b, Action.VIEW, Purpose.SHARED, resident_a, 0),
    ]
    for object_id, user, action, purpose, resident, days_ago in plan:
        with time_machine.travel(now - timedelta(days=days_ago), tick=False):
            audit_record(
                viewer=world.viewer(user),
                action=action,
                purpose=purpose,
                object_type="people.resident" if resident else "overview",
                object_id=object_id,
                resident=resident,
            )
    return {"resident_a": resident_a, "resident_b": resident_b, "now": now}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["b-shared", "m-export", "b-view", "a-update", "a-view"]),
        ({"action": "view"}, ["b-shared", "b-view", "a-view"]),
        ({"purpose": "shared"}, ["b-shared"]),
        ({"object_type": "overview"}, ["m-export"]),
        ({"action": "view", "purpose": "casework"}, ["b-view", "a-view"]),
    ],
)
def test_search_by_action_purpose_and_kind(world, varied_log, params, expected):
    response = client_for(world.manager_a).get(LOG, params)
    assert event_ids(response) == expected


def test_search_by_organisation_and_actor(world, varied_log):
    client = client_for(world.manager_a)
    by_org = client.get(LOG, {"organisation": world.org_b.pk})
    assert event_ids(by_org) == ["b-shared", "b-view"]
    by_actor = client.get(LOG, {"actor": world.catalyst_a.pk})
    assert event_ids(by_actor) == ["a-update", "a-view"]


def test_the_actor_is_chosen_from_the_places_users_by_id(world, varied_log):
    html = client_for(world.manager_a).get(LOG).content.decode()
    select = html.split('name="actor"', 1)[1].split("</select>", 1)[0]
    assert f'value="{world.catalyst_b.pk}"' in select
    assert escape(world.catalyst_b.name) in select
    assert escape(world.outsider.name) not in select
    assert "@" not in select  # no email addresses, on the page or in the address


def test_an_actor_from_another_place_is_refused(world, varied_log):
    response = client_for(world.manager_a).get(LOG, {"actor": world.outsider.pk})
    assert "Select a valid choice" in response.content.decode()


def test_search_by_resident(world, varied_log):
    response = client_for(world.manager_a).get(
        LOG, {"resident": varied_log["resident_a"].public_id}
    )
    assert event_ids(response) == ["b-shared", "a-update", "a-view"]


def test_search_by_dates(world, varied_log):
    now = timezone.localtime(varied_log["now"])
    start = now - timedelta(days=5)
    end = now - timedelta(days=1)
    params = {
        "date_from_day": start.day,
        "date_from_month": start.month,
        "date_from_year": start.year,
        "date_to_day": end.day,
        "date_to_month": end.month,
        "date_to_year": end.year,
    }
    response = client_for(world.manager_a).get(LOG, params)
    assert event_ids(response) == ["m-export", "b-view", "a-update"]


def test_a_bad_date_is_shown_next_to_the_field_and_kept(world, varied_log):
    response = client_for(world.manager_a).get(
        LOG, {"date_from_day": "31", "date_from_month": "2", "date_from_year": "2025"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter a real date" in html
    assert 'value="31"' in html
    assert len(event_ids(response)) == 5  # the bad filter is not applied


def test_a_malformed_resident_reference_is_refused(world, varied_log):
    html = client_for(world.manager_a).get(LOG, {"resident": "Robert'); DROP"}).content.decode()
    assert "Enter the 12-character reference" in html


def test_pagination_keeps_the_search(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    for _ in range(51):
        audit_record(viewer=viewer, action=Action.VIEW, purpose=Purpose.CASEWORK, obj=resident_a)
    html = client_for(world.manager_a).get(LOG, {"action": "view"}).content.decode()
    assert 'href="?action=view&amp;page=2"' in html


# --- export --------------------------------------------------------------------------------


def test_export_lists_the_searched_entries_and_is_recorded(world, varied_log):
    response = client_for(world.manager_a).get(LOG_CSV, {"organisation": world.org_b.pk})
    rows = csv_rows(response)
    assert rows[0][:3] == ["When (UTC)", "Who", "Actor"]
    assert [row[7] for row in rows[1:]] == ["b-shared", "b-view"]
    assert rows[1][1] == world.worker_b.name
    export = AuditEvent.objects.filter(object_type="audit.auditevent").get()
    assert (export.action, export.purpose, export.actor_id) == (
        Action.EXPORT,
        Purpose.ADMIN,
        world.manager_a.pk,
    )
    assert export.detail == {"filters": {"organisation": str(world.org_b.pk)}}


def test_export_neutralises_formulas_from_staff_names(world, resident_a):
    world.catalyst_a.name = '=HYPERLINK("http://evil.example","x")'
    world.catalyst_a.save(update_fields=["name"])
    view(world, world.catalyst_a, resident_a)
    rows = csv_rows(client_for(world.manager_a).get(LOG_CSV))
    catalyst_row = next(row for row in rows if row[2] == f"user:{world.catalyst_a.pk}")
    assert catalyst_row[1] == '\'=HYPERLINK("http://evil.example","x")'


# --- chain verification -------------------------------------------------------------------


def test_chain_is_checked_only_when_asked(world, resident_a):
    view(world, world.catalyst_a, resident_a)
    client = client_for(world.manager_a)
    with CaptureQueriesContext(connection) as plain:
        html = client.get(LOG).content.decode()
    assert 'id="chain-status"' not in html
    with CaptureQueriesContext(connection) as verified:
        checked = client.get(LOG, {"verify": "1"}).content.decode()
    assert "Intact" in checked

    def walks_the_chain(ctx):
        return any('FROM "audit_auditevent" ORDER BY' in q["sql"] for q in ctx.captured_queries)

    assert (walks_the_chain(plain), walks_the_chain(verified)) == (False, True)


def test_a_tampered_log_is_reported(world, resident_a):
    view(world, world.catalyst_a, resident_a)
    view(world, world.catalyst_a, resident_a)
    event = AuditEvent.objects.order_by("pk").last()
    AuditEvent.objects.filter(pk=event.pk).update(purpose=Purpose.ADMIN)  # bypasses save()
    html = client_for(world.manager_a).get(LOG, {"verify": "1"}).content.decode()
    assert f"the chain breaks at entry {event.pk}" in html


# --- who has seen this record -------------------------------------------------------------


def test_resident_log_is_for_place_admins_and_the_holding_caseworkers(world, resident_a):
    assert_access(world, "get", resident_log_url(resident_a), {"catalyst_a": 200, "manager_a": 200})


def test_resident_log_of_a_missing_resident_looks_the_same(world, resident_a):
    client = client_for(world.catalyst_b)
    forbidden = client.get(resident_log_url(resident_a))
    missing = client.get(reverse("people:resident_log", kwargs={"public_id": "abcdefghjkmn"}))
    assert (forbidden.status_code, missing.status_code) == (404, 404)


def test_resident_log_lists_the_views_and_records_itself_once(world, resident_a):
    other = ResidentFactory(organisation=world.org_a)
    view(world, world.catalyst_a, resident_a)
    view(world, world.manager_a, resident_a)
    view(world, world.catalyst_a, other)
    before = AuditEvent.objects.count()
    response = client_for(world.manager_a).get(resident_log_url(resident_a))
    assert AuditEvent.objects.count() == before + 1
    own = AuditEvent.objects.order_by("pk").last()
    assert (own.action, own.purpose, own.resident_id, own.actor_id) == (
        Action.VIEW,
        Purpose.ADMIN,
        resident_a.public_id,
        world.manager_a.pk,
    )
    html = response.content.decode()
    table = html.split('id="audit-events"', 1)[1].split("</table>", 1)[0]
    assert table.count('<tr class="govuk-table__row">') == 1 + 3  # header + two views + itself
    assert escape(world.catalyst_a.name) in table
    assert other.public_id not in html


def test_resident_log_names_the_resident_only_to_those_who_hold_the_record(world, resident_a):
    admin_only = ResidentFactory(organisation=world.org_b)
    held = client_for(world.manager_a).get(resident_log_url(resident_a)).content.decode()
    assert escape(resident_a.full_name) in held
    not_held = client_for(world.manager_a).get(resident_log_url(admin_only)).content.decode()
    assert escape(admin_only.full_name) not in not_held
    assert admin_only.public_id in not_held


def test_resident_log_query_count_does_not_grow(world, resident_a):
    client = client_for(world.manager_a)

    def make(count):
        for n in range(count):
            view(world, (world.catalyst_a, world.manager_a)[n % 2], resident_a)

    def fetch():
        assert client.get(resident_log_url(resident_a)).status_code == 200

    assert_same_queries_at_two_sizes(make, fetch, small=1, large=21)


def test_audit_log_query_count_does_not_grow(world, resident_a):
    client = client_for(world.manager_a)
    token, _ = issue_api_token(organisation=world.org_a, name="Partner", role="catalyst")
    view(world, world.catalyst_a, resident_a)

    def make(count):
        for user in (world.catalyst_a, world.manager_a) * count:
            view(world, user, ResidentFactory(organisation=world.org_a))
            audit_record(
                viewer=viewer_for_token(token), action=Action.LIST, purpose=Purpose.CASEWORK
            )

    def fetch():
        assert client.get(LOG).status_code == 200

    assert_same_queries_at_two_sizes(make, fetch, small=1, large=10)
