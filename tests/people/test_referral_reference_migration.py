"""Migration people.0003 gives every referral already stored its own reference."""

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from commonweave.demo.factories import ReferralFactory
from commonweave.people.models import Referral

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    # Migrating back past people.0003 unapplies every app that depends on later people
    # migrations and applies them again: half a minute. The backfill is plain ORM, the same
    # on both databases, so it runs once, on PostgreSQL, where deployments carry the most
    # referrals into an upgrade.
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="runs in the PostgreSQL suite only"
    ),
]

BEFORE = [("people", "0002_overview_covering_indexes")]
AFTER = [("people", "0003_referral_reference")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_existing_referrals_get_unique_references(world):
    ids = [ReferralFactory(place=world.place).pk for _ in range(5)]
    try:
        migrate(BEFORE)
        migrate(AFTER)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    references = list(Referral.objects.filter(pk__in=ids).values_list("reference", flat=True))
    assert len(set(references)) == 5
    assert all(
        re.fullmatch(r"CW-[CDFHJKMNPRTWXY34679]{4}-[CDFHJKMNPRTWXY34679]{4}", r) for r in references
    )
