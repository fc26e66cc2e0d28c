"""Cohort change over a period reads two index entries per person (packed answers) where
that is exact, and every answer otherwise (period.py). Whatever the data, both must give
what a plain walk over every answer gives: skipped areas, an area added to the life map
part-way, a wording change, questions left blank, measures answered at some check-ins and
not others, a new version of a measure (same metrics, other order) and one whose metrics
differ, two check-ins at the same moment."""

import json
import random
from collections import Counter
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from commonweave.demo.factories import ResidentFactory
from commonweave.insights.disclosure import Cell
from commonweave.people.models import Resident
from commonweave.wellbeing import packed, period, services
from commonweave.wellbeing.enums import CheckInStatus
from commonweave.wellbeing.models import AreaRating, CheckIn, MeasureResponse, ScoreTrack

from .helpers import answered_checkin

DAY0 = datetime(2025, 3, 3).date()
INSTRUMENTS = Path(services.__file__).resolve().parent.parent / "instruments"


def at(day, hour):
    return timezone.make_aware(datetime.combine(DAY0 + timedelta(days=day), time(hour)))


def walk_every_answer(place, start, end) -> tuple[Counter, Cell]:
    """The reference: every answer in the period, oldest first, as tracks_rebuild orders
    them; each person's first and latest per area and per measure metric."""
    checkins = CheckIn.objects.filter(
        place=place, status=CheckInStatus.COMPLETE, completed_at__gte=start, completed_at__lt=end
    )
    seen = {}

    def add(key, value, higher_is):
        found = seen.setdefault(key, [value, value, 0, higher_is])
        found[1], found[2], found[3] = value, found[2] + 1, higher_is

    ratings = (
        AreaRating.objects.filter(checkin__in=checkins, value__isnull=False)
        .order_by("checkin__completed_at", "checkin_id")
        .values_list("checkin__resident_id", "area__key", "value")
    )
    for resident, key, value in ratings:
        add((ScoreTrack.AREA, resident, key), float(value), "better")
    responses = (
        MeasureResponse.objects.filter(checkin__in=checkins)
        .order_by("checkin__completed_at", "checkin_id", "pk")
        .values_list("checkin__resident_id", "instrument__code", "scores")
    )
    for resident, code, scores in responses:
        for metric, score in scores.items():
            key = (ScoreTrack.MEASURE, resident, f"{code}.{metric}")
            add(key, score["value"], score["higher_is"])
    histogram = Counter()
    for (kind, _, code), (first, latest, answers, higher_is) in seen.items():
        if answers >= 2:
            histogram[(kind, code, higher_is, latest - first)] += 1
    who = Resident.objects.filter(pk__in=checkins.values("resident"))
    return histogram, Cell(who.count(), sum(who.values_list("record_key", flat=True)))


def load_variant(place, name, change):
    definition = json.loads((INSTRUMENTS / name).read_text(encoding="utf-8"))
    change(definition)
    return services.instrument_load(definition=definition, place=place)


def random_answers(rng, keys, *, blank):
    ratings = {key: (None if rng.random() < blank else rng.randint(1, 5)) for key in keys}
    measures = {}
    if rng.random() < 0.5:
        measures["ons4"] = {
            code: ("" if rng.random() < blank else rng.randint(0, 10))
            for code in ("life_satisfaction", "worthwhile", "happiness", "anxiety")
        }
    if rng.random() < 0.3:
        items = ("lack_companionship", "left_out", "isolated")
        measures["ucla3"] = {
            code: ("" if rng.random() < blank else rng.randint(1, 3)) for code in items
        }
    return ratings, measures


def _areas(place):
    return [
        {"key": a.key, "name": a.name, "kind": a.kind, "points": a.points}
        for a in services.current_lifemap(place).areas.all()
    ]


def reword(place, admin):
    areas = _areas(place)
    areas[0]["name"] += " (reworded)"
    services.lifemap_publish(viewer=admin, areas=areas)


def add_an_area(place, admin):
    areas = _areas(place)
    services.lifemap_publish(viewer=admin, areas=[*areas, {**areas[1], "key": "food"}])


def reorder_ons4(place, admin):
    """The place's own version of ONS4: the same metrics, listed the other way round."""

    def change(definition):
        definition["scoring"]["metrics"].reverse()
        definition["version"] = 2

    load_variant(place, "ons4.json", change)


def more_ucla3_metrics(place, admin):
    """A UCLA-3 version that also scores one item on its own: other metrics."""

    def change(definition):
        metric = {"code": "isolated", "rule": "item", "items": ["isolated"], "higher_is": "worse"}
        definition["scoring"]["metrics"].append(metric)
        definition["version"] = 2

    load_variant(place, "ucla3.json", change)


@pytest.mark.parametrize(("seed", "chunk"), [(1, 2000), (2, 2000), (3, 2000), (4, 3)])
def test_packed_answers_and_every_answer_agree_with_a_walk_over_every_answer(
    world, monkeypatch, seed, chunk
):
    # A small chunk reads many people's answers the way a big place does (one read of a
    # measure's answers in the period for everyone, and people in batches).
    monkeypatch.setattr(period, "CHUNK", chunk)
    rng = random.Random(seed)
    admin = world.viewer(world.manager_a)
    people = [ResidentFactory(organisation=world.org_a) for _ in range(40)]
    schedule = sorted(
        (rng.randint(0, 60), rng.choice([9, 12, 12, 17]), n)
        for n in range(len(people))
        for _ in range(rng.randint(0, 6))
    )
    blank = 0.05 if seed % 2 else 0.2
    changes = {
        15: reword,  # a new version with the same areas
        30: add_an_area if seed != 4 else reword,
        45: reorder_ons4 if seed != 3 else reword,
        50: more_ucla3_metrics if seed == 2 else reword,
    }
    for day, hour, n in schedule:
        for when in [when for when in changes if when <= day]:
            changes.pop(when)(world.place, admin)
        keys = [a.key for a in services.current_lifemap(world.place).areas.all()]
        ratings, measures = random_answers(rng, keys, blank=blank)
        if not any(v is not None for v in ratings.values()) and not measures:
            ratings[keys[0]] = 3
        answered_checkin(people[n], at(day, hour), ratings, measures)
    residents = Resident.objects.active().filter(place=world.place)
    for first_day, last_day in ((0, 60), (10, 40), (31, 60), (20, 21)):
        start, end = period.period_bounds(DAY0 + timedelta(first_day), DAY0 + timedelta(last_day))
        expected = walk_every_answer(world.place, start, end)
        assert period.period_histogram(world.place, residents, start, end) == expected
        # Nothing packed: every person's answers are read in full, with the same result.
        kept = list(CheckIn.objects.values_list("pk", "area_values", "measure_values"))
        CheckIn.objects.update(area_values="", measure_values="")
        assert period.period_histogram(world.place, residents, start, end) == expected
        for pk, areas, measures in kept:
            CheckIn.objects.filter(pk=pk).update(area_values=areas, measure_values=measures)
    # The data exercised what it should: packed ends, blank answers and several versions.
    assert CheckIn.objects.exclude(area_values="").exists()
    assert CheckIn.objects.filter(area_values__contains=packed.UNRATED).exists()
    assert CheckIn.objects.filter(measured=True).exists()
    assert CheckIn.objects.values("version").distinct().count() >= 3


def test_packing_round_trips_and_refuses_what_it_cannot_hold(world):
    areas = list(services.current_lifemap(world.place).areas.all())
    keys = [a.key for a in areas]
    values = {keys[0]: 0, keys[1]: 74, keys[3]: 5}
    text = packed.pack_areas(areas, values)
    assert len(text) == len(areas)
    assert packed.unpack_areas(keys, text) == values
    assert packed.pack_areas(areas, {keys[0]: 75}) == ""
    assert packed.pack_areas(areas, {keys[0]: -1}) == ""
    ons4 = next(i for i in services.instruments_for(world.place) if i.code == "ons4")
    scores = {
        "life_satisfaction": {"value": 7, "higher_is": "better"},
        "worthwhile": {"value": 6.5, "higher_is": "better"},
        "happiness": {"value": 0, "higher_is": "better"},
        "anxiety": {"value": 9, "higher_is": "worse"},
    }
    assert packed.pack_measures([(ons4.pk, ons4.definition, scores)]) == (
        f"{ons4.pk}=bbbw|7.0,6.5,0.0,9.0"
    )
    del scores["anxiety"]
    assert packed.pack_measures([(ons4.pk, ons4.definition, scores)]) == f"{ons4.pk}=|"
    assert packed.measure_shape(f"{ons4.pk}=") == [(ons4.pk, "", 0)]
    assert packed.pack_measures([]) == ""


def test_tracks_rebuild_packs_what_an_import_left_unpacked(world):
    resident = ResidentFactory(organisation=world.org_a)
    ons4 = {"life_satisfaction": 4, "worthwhile": 5, "happiness": 6, "anxiety": 7}
    for day in (0, 7):
        ratings = {"home": 2 + day // 7}
        answered_checkin(resident, at(day, 12), ratings, {"ons4": ons4}, packed=False)
    CheckIn.objects.update(measured=False)  # as an import that knew nothing of packing
    services.tracks_rebuild(world.place)
    first, latest = CheckIn.objects.order_by("completed_at")
    areas = list(services.current_lifemap(world.place).areas.all())
    assert first.area_values == packed.pack_areas(areas, {"home": 2})
    assert latest.area_values == packed.pack_areas(areas, {"home": 3})
    assert "2" in first.area_values
    assert first.measured and first.measure_values.endswith("=bbbw|4.0,5.0,6.0,7.0")
    start, end = period.period_bounds(DAY0, DAY0 + timedelta(days=7))
    residents = Resident.objects.filter(pk=resident.pk)
    assert period.period_histogram(world.place, residents, start, end) == walk_every_answer(
        world.place, start, end
    )
