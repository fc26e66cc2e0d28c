"""Mutual-aid fixtures: Testford (tests/conftest.py `world`) with a few neighbourhoods."""

import pytest

from commonweave.tenancy.viewer import public_viewer

from . import factories


@pytest.fixture
def areas(world):
    """Three neighbourhoods side by side, each about 0.7 km across."""
    return [
        factories.neighbourhood(world.place, f"Ward {i}", west=-2.12 + 0.01 * i) for i in range(3)
    ]


@pytest.fixture
def coordinator(world):
    """Manager A: a coordinator at organisation A, the place's lead (holds public requests)."""
    return world.viewer(world.manager_a)


@pytest.fixture
def public(world):
    return public_viewer(world.place)
