"""API tokens for partner systems: issued once (raw shown once), listed, revoked."""

import json
import re

import pytest
from django.urls import reverse

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.models import AuditEvent
from commonweave.tenancy.enums import Role
from commonweave.tenancy.models import ApiToken, hash_secret
from commonweave.tenancy.tokens import authenticate_api_token, issue_api_token
from tests.conftest import assert_access, client_for
from tests.queries import assert_same_queries_at_two_sizes

TOKENS = reverse("tenancy:tokens")
RAW = re.compile(r'<code id="new-token">(cw_[0-9a-f]{8}_[A-Za-z0-9_-]+)</code>')


def issue(client, organisation, role=Role.PARTNER_WORKER, name="Council referral system"):
    return client.post(TOKENS, {"organisation": organisation.pk, "name": name, "role": role})


def revoke_url(token):
    return reverse("tenancy:token_revoke", args=[token.pk])


def test_only_place_admins_see_api_tokens(world):
    assert_access(world, "get", TOKENS, {"manager_a": 200, "outsider": 200})


def test_a_new_token_is_shown_exactly_once_and_only_its_hash_is_kept(world):
    client = client_for(world.manager_a)
    response = issue(client, world.org_b)
    html = response.content.decode()
    assert response.status_code == 200
    raw = RAW.search(html).group(1)
    assert "you will not be able to see it again" in html
    token = ApiToken.objects.get()
    assert (token.organisation, token.role, token.name, token.created_by) == (
        world.org_b,
        Role.PARTNER_WORKER,
        "Council referral system",
        world.manager_a,
    )
    assert token.token_hash == hash_secret(raw)
    assert raw not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert authenticate_api_token(raw) == token
    # Never again: the list shows the prefix only.
    again = client.get(TOKENS).content.decode()
    assert raw not in again
    assert f"cw_{token.prefix}_…" in again
    assert "no-store" in response["Cache-Control"]


def test_issuing_a_token_is_audited_without_the_secret(world):
    response = issue(client_for(world.manager_a), world.org_b)
    raw = RAW.search(response.content.decode()).group(1)
    token = ApiToken.objects.get()
    event = AuditEvent.objects.get()
    assert (event.action, event.purpose, event.object_type, event.object_id) == (
        Action.CREATE,
        Purpose.ADMIN,
        "tenancy.apitoken",
        str(token.pk),
    )
    assert event.detail == {
        "organisation": world.org_b.pk,
        "role": "partner_worker",
        "prefix": token.prefix,
    }
    assert raw not in json.dumps(event.detail)


def test_the_list_shows_name_prefix_and_last_use(world):
    token, raw = issue_api_token(organisation=world.org_a, name="GP system", role=Role.CATALYST)
    html = client_for(world.manager_a).get(TOKENS).content.decode()
    assert "GP system" in html and f"cw_{token.prefix}_…" in html and "Never" in html
    authenticate_api_token(raw)
    html = client_for(world.manager_a).get(TOKENS).content.decode()
    assert "Never" not in html


def test_tokens_of_another_place_are_not_listed(world):
    elsewhere = world.outsider.memberships.first().organisation
    token, _ = issue_api_token(organisation=elsewhere, name="Elsewhere CRM", role="catalyst")
    html = client_for(world.manager_a).get(TOKENS).content.decode()
    assert "Elsewhere CRM" not in html and token.prefix not in html


def test_a_token_cannot_administer_the_place(world):
    response = issue(client_for(world.manager_a), world.org_b, role=Role.PLACE_ADMIN)
    assert '<a href="#id_role">Choose a role</a>' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_missing_details_are_shown_next_to_the_fields(world):
    response = client_for(world.manager_a).post(TOKENS, {"name": " "})
    html = response.content.decode()
    assert '<a href="#id_organisation">Choose an organisation</a>' in html
    assert '<a href="#id_name">Enter what will use this token</a>' in html
    assert '<a href="#id_role">Choose a role</a>' in html
    assert not ApiToken.objects.exists()


def test_a_token_for_another_places_organisation_cannot_be_issued(world):
    elsewhere = world.outsider.memberships.first().organisation
    issue(client_for(world.manager_a), elsewhere)
    assert not ApiToken.objects.exists()


def test_a_revoked_token_stops_working_at_once(world):
    token, raw = issue_api_token(organisation=world.org_b, name="Council", role="partner_worker")
    response = client_for(world.manager_a).post(revoke_url(token))
    assert response["Location"] == TOKENS
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert authenticate_api_token(raw) is None
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.detail) == (
        Action.UPDATE,
        str(token.pk),
        {"change": "revoked", "prefix": token.prefix},
    )
    html = client_for(world.manager_a).get(TOKENS).content.decode()
    assert "Revoked" in html


def test_revoking_twice_writes_one_audit_event(world):
    token, _ = issue_api_token(organisation=world.org_b, name="Council", role="partner_worker")
    client = client_for(world.manager_a)
    client.post(revoke_url(token))
    client.post(revoke_url(token))
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize("persona", ["catalyst_a", "worker_b", "catalyst_b", "analyst", "outsider"])
def test_no_one_else_can_revoke_a_token(world, persona):
    token, raw = issue_api_token(organisation=world.org_b, name="Council", role="partner_worker")
    assert client_for(world.personas[persona]).post(revoke_url(token)).status_code == 404
    assert authenticate_api_token(raw) == token


def test_the_token_list_makes_the_same_number_of_queries_however_many_tokens(world):
    client = client_for(world.manager_a)
    issue_api_token(organisation=world.org_a, name="One", role=Role.CATALYST)

    def make(count):
        for _ in range(count):
            n = ApiToken.objects.count()
            organisation = world.org_a if n % 2 else world.org_b
            issue_api_token(organisation=organisation, name=f"System {n}", role=Role.PARTNER_WORKER)

    def fetch():
        assert client.get(TOKENS).status_code == 200

    assert_same_queries_at_two_sizes(make, fetch, small=0, large=12)
