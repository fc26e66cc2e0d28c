"""Text search stays true whatever writes the directory: on SQLite through the FTS5 index
kept by triggers (and rebuilt after a migration drops them), on PostgreSQL through LIKE on
the trigram index. Ranking puts entries named for the words first."""

import pytest
from django.db import connection

from commonweave.directory import fts, selectors, services
from commonweave.directory.models import Service

pytestmark = pytest.mark.django_db


def _find(place, text):
    results = selectors.find_services(place, selectors.Filters(text=text))
    return [Service.objects.get(pk=pk).name for pk in results[: results.total]]


def _entry(world, name, description=""):
    return services.service_save(
        viewer=None,
        place=world.place,
        data={"name": name, "description": description, "kind": "group", "status": "active"},
    )


def test_new_changed_and_deleted_entries_are_found_or_not(world):
    knit = _entry(world, "Knit and natter", "Wool and a chat on Tuesdays")
    _entry(world, "Tuesday walk", "A gentle walk")
    assert _find(world.place, "knitting wool") == ["Knit and natter"]  # stemmed: knit
    assert _find(world.place, "knitters") == ["Knit and natter"]
    assert _find(world.place, "wool") == ["Knit and natter"]
    assert _find(world.place, "tuesday") == ["Tuesday walk", "Knit and natter"]  # named first
    services.service_save(
        viewer=None, place=world.place, service=knit, data={"description": "Crochet circle"}
    )
    assert _find(world.place, "wool") == []
    assert _find(world.place, "crochet") == ["Knit and natter"]
    # A bulk update that bypasses save() keeps the index too (it is kept by the database).
    Service.objects.filter(pk=knit.pk).update(search_text=" quilting ")
    assert _find(world.place, "quilting") == ["Knit and natter"]
    knit.delete()
    assert _find(world.place, "quilting") == []


def test_typos_and_plurals_still_match(world):
    _entry(world, "Bereavement support group", "Lunch clubs for those who are grieving")
    assert _find(world.place, "bereavment") == ["Bereavement support group"]
    assert _find(world.place, "lunch club") == ["Bereavement support group"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's")
def test_the_index_is_rebuilt_when_a_migration_dropped_its_triggers(world):
    _entry(world, "Men's shed", "Woodturning")
    with connection.cursor() as cursor:
        for name in fts.TRIGGERS:
            cursor.execute(f"DROP TRIGGER {name}")  # what a SQLite table rebuild does
    _entry(world, "Repair cafe", "Fix your toaster")
    assert fts.ensure() is True
    assert _find(world.place, "toaster") == ["Repair cafe"]
    assert _find(world.place, "woodturning") == ["Men's shed"]
    assert fts.ensure() is False  # nothing to do the second time


def test_each_database_uses_its_own_index():
    assert fts.available() is (connection.vendor == "sqlite")


def test_the_fts_query_quotes_every_word():
    assert fts.match_expression([("food", "bank"), ("pantry",)]) == (
        '("food" AND "bank") OR ("pantry")'
    )
    assert fts.ts_query([("food", "bank"), ("pantry",)]) == "('food' & 'bank') | ('pantry')"


def test_near_a_point_only_active_entries_show_unless_the_api_asks_for_all(world, client):
    from commonweave.demo import directory as demo
    from commonweave.directory.models import Location

    demo.generate_directory(world.place, services=30, locations=12)
    loc = Location.objects.filter(place=world.place, confidential=False).first()
    nearest = loc.at_locations.first().service
    Service.objects.filter(pk=nearest.pk).update(status="inactive")
    near = selectors.Filters(near=(loc.latitude, loc.longitude), radius_m=200)
    public = selectors.find_services(world.place, near)
    assert nearest.pk not in public.ids
    near_all = selectors.Filters(near=(loc.latitude, loc.longitude), radius_m=200)
    near_all.include_inactive = True
    assert nearest.pk in selectors.find_services(world.place, near_all).ids
    free_only = selectors.Filters(near=(loc.latitude, loc.longitude), radius_m=5000, free=True)
    found = selectors.find_services(world.place, free_only).ids
    assert found and all(Service.objects.get(pk=pk).is_free for pk in found)
