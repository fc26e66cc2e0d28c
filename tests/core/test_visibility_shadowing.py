"""A shown record answers its own fields even where the view's helpers share the name."""

import pytest

from commonweave.core import visibility
from commonweave.core.visibility import Level, declare, shown


class Rating:
    class _meta:  # noqa: N801 - what policy_for reads from a model
        label = "tests.Rating"

    def __init__(self):
        self.value, self.level, self.note = 7, "high", "private words"


@pytest.fixture(autouse=True)
def _policy(monkeypatch):
    # Declared for these tests only: the real registry must hold real models' policies.
    monkeypatch.setattr(visibility, "_POLICIES", dict(visibility._POLICIES))
    declare("tests.Rating", full=("value", "level", "note"), shared=("value", "level"))


def test_a_field_named_like_a_helper_is_the_field():
    record = shown(Rating(), Level.SHARED)
    assert (record.value, record.level) == (7, "high")


def test_a_hidden_field_is_still_hidden_and_the_helpers_still_work_for_other_names():
    record = shown(Rating(), Level.SHARED)
    with pytest.raises(AttributeError):
        record.note  # noqa: B018 - reading it is the test
    assert shown(Rating(), Level.FULL).may_show("note")
    assert not record.may_show("note")
