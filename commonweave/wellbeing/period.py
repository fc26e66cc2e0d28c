"""Each person's first and latest answer within a period, for cohort change (cohort.py).

Exact, and in the order tracks_rebuild uses (check-in completed_at, then id). Areas take
a short cut that keeps the cost near one read per person rather than one per answer: a
person's first and latest check-in in the period are found from the check-ins alone, and
only those two check-ins' ratings are read. That is the answer whenever both rate every
area the person was offered in the period (the usual case). Anyone else - an area
skipped at either end, or added to the life map part-way - has all their ratings in the
period read in order instead. Measures are on fewer check-ins and are read in full.
"""

from collections import Counter

from .models import AreaRating, CheckIn, LifeArea, MeasureResponse, ScoreTrack

CHUNK = 2000  # ids per IN (...) list, well inside SQLite's limit on parameters


def _chunks(ids):
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


class FirstLatest:
    """Each key's first and latest value, fed oldest first, and how many values it had."""

    def __init__(self):
        self.seen = {}  # key -> [first, latest, answers, higher_is]

    def add(self, key, value, higher_is="better"):
        found = self.seen.get(key)
        if found is None:
            self.seen[key] = [value, value, 1, higher_is]
        else:
            found[1], found[2], found[3] = value, found[2] + 1, higher_is

    def paired(self):
        for key, (first, latest, answers, higher_is) in self.seen.items():
            if answers >= 2:
                yield key, first, latest, higher_is


def _area_changes(place, in_period, ends):
    """Yield (area key, first, latest) for each person and area with two or more ratings
    in the period. `ends` maps each person to [first check-in, latest check-in, {life
    map versions answered}] in the period."""
    key_of, keys_of_version = {}, {}
    for pk, version_id, key in LifeArea.objects.filter(version__place=place).values_list(
        "pk", "version_id", "key"
    ):
        key_of[pk] = key
        keys_of_version.setdefault(version_id, set()).add(key)
    ends = {r: end for r, end in ends.items() if end[0] != end[1]}  # one check-in: no pair
    rated = {}  # check-in -> {key: value}
    wanted = {pk for first, latest, _ in ends.values() for pk in (first, latest)}
    for chunk in _chunks(wanted):
        ratings = AreaRating.objects.filter(checkin_id__in=chunk, value__isnull=False)
        rows = ratings.order_by().values_list("checkin_id", "area_id", "value")
        for checkin_id, area_id, value in rows:
            rated.setdefault(checkin_id, {})[key_of[area_id]] = float(value)
    in_full = []
    for resident_id, (first, latest, versions) in ends.items():
        offered = set().union(*(keys_of_version.get(v, ()) for v in versions))
        before, after = rated.get(first, {}), rated.get(latest, {})
        if offered <= before.keys() and offered <= after.keys():
            for key in offered:
                yield key, before[key], after[key]
        else:
            in_full.append(resident_id)
    # Everyone else: every rating in the period, oldest first.
    for chunk in _chunks(in_full):
        seen = FirstLatest()
        ratings = (
            AreaRating.objects.filter(
                in_period("checkin__"), checkin__resident_id__in=chunk, value__isnull=False
            )
            .order_by("checkin__completed_at", "checkin_id")
            .values_list("checkin__resident_id", "area_id", "value")
        )
        for resident_id, area_id, value in ratings.iterator(chunk_size=10000):
            seen.add((resident_id, key_of[area_id]), float(value))
        for (_, key), first, latest, _ in seen.paired():
            yield key, first, latest


def _measure_changes(in_period):
    """Yield (instrument.metric, direction, first, latest) likewise, from every scored
    response in the period."""
    seen = FirstLatest()
    responses = (
        MeasureResponse.objects.filter(in_period("checkin__"))
        .order_by("checkin__completed_at", "checkin_id")
        .values_list("checkin__resident_id", "instrument__code", "scores")
    )
    for resident_id, instrument, scores in responses.iterator(chunk_size=5000):
        for metric, score in scores.items():
            code = f"{instrument}.{metric}"
            seen.add((resident_id, code), float(score["value"]), score.get("higher_is"))
    for (_, code), first, latest, higher_is in seen.paired():
        yield code, higher_is or "better", first, latest


def period_histogram(place, in_period) -> tuple[Counter, int]:
    """For the people who checked in within a period, first to latest within it:
    ((kind, code, higher_is, change) -> people, how many people checked in), the shape
    cohort change reads from ScoreTrack for all time. `in_period(prefix)` is the Q
    selecting the period's complete check-ins, on a path to CheckIn."""
    ends = {}  # resident -> [first check-in, latest check-in, {life map version}]
    checkins = (
        CheckIn.objects.filter(in_period(""))
        .order_by("completed_at", "pk")
        .values_list("resident_id", "pk", "version_id")
    )
    for resident_id, pk, version_id in checkins.iterator(chunk_size=10000):
        end = ends.get(resident_id)
        if end is None:
            ends[resident_id] = [pk, pk, {version_id}]
        else:
            end[1] = pk
            end[2].add(version_id)
    histogram = Counter()
    for key, first, latest in _area_changes(place, in_period, ends):
        histogram[(ScoreTrack.AREA, key, "better", latest - first)] += 1
    for code, higher_is, first, latest in _measure_changes(in_period):
        histogram[(ScoreTrack.MEASURE, code, higher_is, latest - first)] += 1
    return histogram, len(ends)
