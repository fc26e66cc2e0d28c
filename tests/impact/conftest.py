"""Social value fixtures: the shipped library, and the form a coordinator fills in for the
golden recipe."""

import pytest

from commonweave.impact.models import SocialValue
from commonweave.impact.values import library_sync


@pytest.fixture(autouse=True)
def shipped_library(request):
    """The data migration ships the library; a transactional test elsewhere in the run
    flushes every table, so write it again (idempotent) for tests that use the database."""
    if "django_db" in request.keywords or {"db", "transactional_db"} & set(request.fixturenames):
        request.getfixturevalue("db")
        library_sync(SocialValue)


@pytest.fixture
def wellby(db):
    return SocialValue.objects.get(key="hmt-wellby-2021")


@pytest.fixture
def late_intervention(db):
    return SocialValue.objects.get(key="eif-late-intervention-2016")


@pytest.fixture
def loneliness(db):
    return SocialValue.objects.get(key="dcms-severe-loneliness-2020")


def golden_form(value, **changes):
    data = {
        "title": "Life satisfaction, Connect cohort 2025",
        "value": value.public_id,
        "cohort_label": "Connect cohort 2025",
        "measure": "life_satisfaction",
        "n": "100",
        "mean_change": "0.5",
        "ci_low": "0.3",
        "ci_high": "0.7",
        "quantity_source": "Cohort change table, 1 December 2026, all front doors",
        "deadweight": "20",
        "deadweight_source": "",
        "attribution": "100",
        "attribution_source": "Board decision, November 2026",
        "duration_years": "1",
        "duration_source": "",
        "drop_off": "0",
        "drop_off_source": "",
        "uprate_to": "",
    }
    data.update(changes)
    return data
