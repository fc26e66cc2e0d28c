"""Organisation isolation across every resident URL: a resident is reached only by the
caseworkers of the organisation that holds them (or one they agreed to share with); to
anyone else their every page is a 404 indistinguishable from one that does not exist."""

import re

import pytest
from django.urls import resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonweave.core.publicid import ID_ALPHABET
from commonweave.demo.factories import (
    ConnectionFactory,
    ConversationFactory,
    GoalFactory,
    ReferralFactory,
    ResidentFactory,
)
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
    "people:resident_log",
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


# The fewest residents that still meet every rule a resident's pages apply. Both are held
# by organisation A, on catalyst A's caseload, with no consent to share, and each has a
# referral, a goal, a conversation and a connection, so every resident, goal and referral
# URL above is tried for both. They differ in the referral, which decides the referrer
# rule (whoever made a referral may follow it up):
# - "referred_by_a": referred by organisation A. The referrer rule admits A's caseworkers
#   and partner workers only: the analyst at A is not a referrer, nor is anyone at B.
# - "from_the_public": sent through the public form, so no organisation and no person made
#   it. The referrer rule must match no one: a missing referrer is nobody's.
# (This replaced forty residents that were these two, twenty times each.)
REFERRERS = {"referred_by_a": "org_a", "from_the_public": None}

# Everyone who must find nothing, and the rule that keeps each out:
OUTSIDERS = {
    "worker_b": "another organisation of the same place, as a partner worker",
    "catalyst_b": "another organisation of the same place, as a caseworker",
    "analyst": "organisation A itself, in a role that sees aggregates, not people",
    "outsider": "a place admin and caseworker of another place",
}


@pytest.fixture
def residents_of_a(world):
    residents = {}
    for name, referrer in REFERRERS.items():
        resident = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
        ReferralFactory(
            resident=resident, referring_organisation=getattr(world, referrer) if referrer else None
        )
        GoalFactory(resident=resident)
        ConversationFactory(resident=resident)
        ConnectionFactory(resident=resident)
        residents[name] = resident
    return residents


def _url_name(url):
    return resolve(url).view_name


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_no_user_outside_organisation_a_can_reach_any_of_its_residents(
    world, residents_of_a, persona
):
    client = client_for(world.personas[persona])
    leaks = []
    tried = set()
    for resident_name, resident in residents_of_a.items():
        for method, url in resident_urls(resident):
            status = getattr(client, method)(url).status_code
            tried.add((resident_name, method, _url_name(url)))
            if status != 404:
                leaks.append((resident_name, method, url, status))
    assert leaks == []
    # Every URL, each way it is reached, for both residents: nothing was left out.
    every = (
        {("get", n) for n in RESIDENT_GET + REFERRAL_GET}
        | {("post", n) for n in RESIDENT_GET if n != "people:resident_log"}
        | {("post", n) for n in RESIDENT_POST + REFERRAL_POST + ["people:goal_progress"]}
    )
    assert tried == {(r, method, n) for r in REFERRERS for method, n in every}


def test_the_holding_catalyst_can_open_every_one(world, residents_of_a):
    client = client_for(world.catalyst_a)
    statuses = {
        client.get(reverse("people:resident_detail", kwargs={"public_id": r.public_id})).status_code
        for r in residents_of_a.values()
    }
    assert statuses == {200}


@pytest.mark.slow
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(public_id=st.text(alphabet=ID_ALPHABET, min_size=12, max_size=12))
def test_a_forbidden_record_looks_exactly_like_a_missing_one(world, resident_a, public_id):
    client = client_for(world.catalyst_b)
    forbidden = client.get(
        reverse("people:resident_detail", kwargs={"public_id": resident_a.public_id})
    )
    missing = client.get(reverse("people:resident_detail", kwargs={"public_id": public_id}))
    assert (forbidden.status_code, missing.status_code) == (404, 404)
    assert without_csrf(forbidden.content) == without_csrf(missing.content)
