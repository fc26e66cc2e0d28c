"""The N+1 helper itself: it fails on a query per row and passes on a fixed number."""

import pytest

from commonweave.demo.factories import OrganisationFactory
from commonweave.tenancy.models import Organisation
from tests.queries import assert_same_queries_at_two_sizes


def _make(world):
    def make(count):
        for _ in range(count):
            OrganisationFactory(place=world.place)

    return make


def test_a_query_per_row_fails_naming_the_repeated_statement(world):
    def one_per_row():
        for organisation in Organisation.objects.filter(place=world.place):
            organisation.place.name  # noqa: B018 - a lazy load per row, the N+1 looked for

    with pytest.raises(AssertionError, match=r"at size 2, \d+ at 20:\n.*tenancy_place"):
        assert_same_queries_at_two_sizes(_make(world), one_per_row)


def test_a_fixed_number_of_queries_passes_and_is_returned(world):
    def joined():
        list(Organisation.objects.filter(place=world.place).select_related("place"))

    assert assert_same_queries_at_two_sizes(_make(world), joined) == [1]
