"""The small network shared by the page and API tests."""

import pytest

from .builders import build_network


@pytest.fixture
def network(world, resident_a):
    return build_network(world, resident_a)
