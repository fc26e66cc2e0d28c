"""Organisation isolation across every resident URL (SAFETY 1): another organisation's
resident is a 404 indistinguishable from one that does not exist."""

import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonweave.demo.factories import (
    ConnectionFactory,
    ConversationFactory,
    GoalFactory,
    ReferralFactory,
    ResidentFactory,
)
from commonweave.people.models import _ID_ALPHABET
from tests.conftest import client_for


def without_csrf(body):
    # The masked CSRF token in the sign-out form differs on every render.
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


RESIDENT_GET = [
    "people:resident_detail",
    "people:resident_edit",
    "people:conversation_new",
    "people:goal_new",
    "people:connection_new",
    "people:consent",
    "people:stage",
    "people:graduate",
    "people:close",
    "audit:resident_log",
    "wellbeing:picture",
    "network:own",
]
# Changes that only take a POST (a GET is 405 for everyone, whoever's record it is).
RESIDENT_POST = [
    "wellbeing:checkin_new",
    "wellbeing:priority_new",
    "network:own_add",
    "network:own_draw_again",
]
REFERRAL_GET = ["people:triage_referral", "people:referral_detail"]
REFERRAL_POST = ["people:triage_assign", "people:triage_contact"]


def resident_urls(resident):
    urls = [
        ("get", reverse(name, kwargs={"public_id": resident.public_id})) for name in RESIDENT_GET
    ]
    urls += [("post", url) for _, url in urls if "audit" not in url]
    urls += [
        ("post", reverse(name, kwargs={"public_id": resident.public_id})) for name in RESIDENT_POST
    ]
    for goal in resident.goals.all():
        urls.append(
            (
                "post",
                reverse(
                    "people:goal_progress",
                    kwargs={"public_id": resident.public_id, "goal_id": goal.pk},
                ),
            )
        )
    for referral in resident.referrals.all():
        urls += [
            ("get", reverse(n, kwargs={"public_id": referral.public_id})) for n in REFERRAL_GET
        ]
        urls += [
            ("post", reverse(n, kwargs={"public_id": referral.public_id})) for n in REFERRAL_POST
        ]
    return urls


@pytest.fixture
def residents_of_a(world):
    residents = []
    for index in range(40):
        resident = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
        ReferralFactory(
            resident=resident, referring_organisation=world.org_a if index % 2 else None
        )
        GoalFactory(resident=resident)
        ConversationFactory(resident=resident)
        ConnectionFactory(resident=resident)
        residents.append(resident)
    return residents


def test_no_user_outside_organisation_a_can_reach_any_of_its_residents(world, residents_of_a):
    outsiders = {
        "worker_b": client_for(world.worker_b),
        "catalyst_b": client_for(world.catalyst_b),
        "analyst": client_for(world.analyst),
        "outsider": client_for(world.outsider),
    }
    leaks = []
    checked = 0
    for resident in residents_of_a:
        for method, url in resident_urls(resident):
            for name, client in outsiders.items():
                status = getattr(client, method)(url).status_code
                checked += 1
                if status != 404:
                    leaks.append((name, method, url, status))
    assert checked > 40 * 20
    assert leaks == []


def test_the_holding_catalyst_can_open_every_one(world, residents_of_a):
    client = client_for(world.catalyst_a)
    statuses = {
        client.get(reverse("people:resident_detail", kwargs={"public_id": r.public_id})).status_code
        for r in residents_of_a
    }
    assert statuses == {200}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(public_id=st.text(alphabet=_ID_ALPHABET, min_size=12, max_size=12))
def test_a_forbidden_record_looks_exactly_like_a_missing_one(world, resident_a, public_id):
    client = client_for(world.catalyst_b)
    forbidden = client.get(
        reverse("people:resident_detail", kwargs={"public_id": resident_a.public_id})
    )
    missing = client.get(reverse("people:resident_detail", kwargs={"public_id": public_id}))
    assert (forbidden.status_code, missing.status_code) == (404, 404)
    assert without_csrf(forbidden.content) == without_csrf(missing.content)
