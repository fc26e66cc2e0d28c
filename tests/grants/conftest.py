"""Grants fixtures: Testford (tests/conftest.py `world`) with a small good things fund run
by organisation A, two coordinators who can approve, and a resident on catalyst A's
caseload."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from commonweave.demo.factories import MembershipFactory, ResidentFactory
from commonweave.grants import services
from commonweave.tenancy.enums import Role


@dataclass
class Money:
    fund: object
    catalyst: object  # a Viewer who asks
    first: object  # a Viewer who approves
    second: object  # another one
    resident: object


@pytest.fixture
def money(world):
    second_user = MembershipFactory(organisation=world.org_a, role=Role.COORDINATOR).user
    first = world.viewer(world.manager_a)
    fund = services.fund_create(
        viewer=first,
        name="Small good things",
        pot="1000",
        source="Hartley Vale Community Foundation",
        approval_threshold=Decimal("100"),
        funders=["Hartley Vale Community Foundation"],
    )
    return Money(
        fund=fund,
        catalyst=world.viewer(world.catalyst_a),
        first=first,
        second=world.viewer(second_user),
        resident=ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a),
    )


def token_clients(world, *names):
    """API clients, each with a token of one organisation and role, by persona name."""
    from commonweave.tenancy.tokens import issue_api_token
    from tests.api.conftest import token_client

    roles = {
        "coordinator_a": (world.org_a, Role.COORDINATOR),
        "catalyst_a": (world.org_a, Role.CATALYST),
        "coordinator_b": (world.org_b, Role.COORDINATOR),
        "worker_b": (world.org_b, Role.PARTNER_WORKER),
        "analyst": (world.org_a, Role.ANALYST),
        "elsewhere": (world.other_place.lead_organisation, Role.COORDINATOR),
    }
    made = {}
    for name in names:
        org, role = roles[name]
        _, raw = issue_api_token(organisation=org, name="Partner system", role=role)
        made[name] = token_client(raw)
    return made
