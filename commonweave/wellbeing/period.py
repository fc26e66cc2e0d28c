"""Each person's first and latest answer within a period, for cohort change (cohort.py).

Exact, and in the order tracks_rebuild uses (completion time, then check-in). The time
goes on people, not on answers: for each person in the cohort the database reads their
first and latest check-in in the period (index `wellbeing_checkin_period`), and their
first and latest check-in with measures in it (`wellbeing_checkin_measured`); each index
entry carries that check-in's answers packed in one text (packed.py). Four index reads
per person, whatever the number of check-ins; the pairs are counted with numpy.

That short cut is the answer when both ends answered everything the person could have
answered in between: every area of the life map at both check-ins (and the life map's
areas did not change within the period), and each measure once at both ends with every
metric scored (and all its versions answered in the period have the same metrics).
Anyone else - an area skipped at either end, an area added part-way, a question left
blank, a measure answered in the middle of the period but not at an end - has their
answers in the period read in order instead (`_areas_in_full`, `_measures_in_full`), as
does an answer that could not be packed."""

from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

import numpy as np
from django.db.models import CharField, Exists, Func, Max, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast
from django.utils import timezone

from commonweave.core.perf import no_cyclic_gc
from commonweave.insights.disclosure import Cell

from .enums import CheckInStatus
from .models import AreaRating, CheckIn, Instrument, LifeArea, MeasureResponse, ScoreTrack
from .packed import DIRECTION_NAMES, UNRATED, measure_shape, metric_codes

CHUNK = 2000  # ids per IN (...) list, well inside SQLite's limit on parameters


def period_bounds(period_from, period_to):
    """(start, end) datetimes for whole local days: from 00:00 on the first day to 00:00
    after the last; either may be None (open-ended)."""
    zone = timezone.get_current_timezone()
    start = end = None
    if period_from:
        start = datetime.combine(period_from, time.min, tzinfo=zone)
    if period_to:
        end = datetime.combine(period_to + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def _in_period(place, start, end, prefix=""):
    q = Q(**{f"{prefix}place": place})
    if start is not None:
        q &= Q(**{f"{prefix}completed_at__gte": start})
    if end is not None:
        q &= Q(**{f"{prefix}completed_at__lt": end})
    return q


def _chunks(ids):
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


class _Joined(Func):
    """Fields joined by spaces, for reading several columns from one subquery (a scalar
    subquery gives one value). The fields are never null, so no COALESCE around each."""

    template = "(%(expressions)s)"
    arg_joiner = " || "
    output_field = CharField()

    def __init__(self, *names):
        parts = []
        for name in names:
            parts += [Cast(name, CharField()), Value(" ")]
        super().__init__(*parts[:-1])


def _ends(rows, *, order, fields):
    """(first, latest) Subqueries giving, per resident, `fields` of the first and of the
    latest row in `order`, joined by spaces: one read of a covering index each."""
    ordered = rows.annotate(info=_Joined(*fields)).values("info")
    first = Subquery(ordered.order_by(*order)[:1])
    latest = Subquery(ordered.order_by(*(f"-{name}" for name in order))[:1])
    return first, latest


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


# --- areas of life -----------------------------------------------------------------------


class _LifeMaps:
    """The place's life map versions: each one's keys in position order."""

    def __init__(self, place):
        self.keys = defaultdict(list)
        self.key_of = {}
        rows = LifeArea.objects.filter(version__place=place).order_by("version_id", "position")
        for pk, version_id, key in rows.values_list("pk", "version_id", "key"):
            self.keys[version_id].append(key)
            self.key_of[pk] = key

    def same_areas(self, versions) -> bool:
        return len({frozenset(self.keys[v]) for v in versions}) <= 1


def _versions_in_period(place, start, end) -> list:
    """Life map versions of the place answered in the period (one index read each)."""
    answered = CheckIn.objects.filter(
        _in_period(place, start, end), version=OuterRef("pk"), status=CheckInStatus.COMPLETE
    )
    rows = place.lifemap_versions.filter(Exists(answered)).order_by("pk")
    return list(rows.values_list("pk", flat=True))


def _area_ends(place, residents, start, end, spans):
    """Per resident: (id, first, latest[, lowest version, highest version])."""
    checkins = CheckIn.objects.filter(
        _in_period(place, start, end), resident=OuterRef("pk"), status=CheckInStatus.COMPLETE
    )
    first, latest = _ends(
        checkins, order=("completed_at", "pk"), fields=("pk", "version_id", "area_values")
    )
    rows = residents.order_by().annotate(first=first, latest=latest)
    names = ["pk", "record_key", "first", "latest"]
    if spans:
        # Only when the areas changed within the period: which versions each person used.
        by_resident = checkins.order_by().values("resident")
        rows = rows.annotate(
            low=Subquery(by_resident.annotate(v=Min("version_id")).values("v")),
            high=Subquery(by_resident.annotate(v=Max("version_id")).values("v")),
        )
        names += ["low", "high"]
    return rows.values_list(*names)


def area_histogram(place, residents, start, end, histogram: Counter) -> Cell:
    """Add (AREA, key, "better", change) -> people to `histogram` for the residents who
    checked in within the period; returns how many did, with their record keys (a Cell,
    for the published count)."""
    maps = _LifeMaps(place)
    used = _versions_in_period(place, start, end)
    spans = not maps.same_areas(used)
    people = keys = 0
    pairs = defaultdict(list)  # (first version, latest version) -> [(resident, packs, span)]
    for row in _area_ends(place, residents, start, end, spans):
        first = row[2]
        if first is None:
            continue  # no check-in in the period
        people += 1
        keys += row[1]
        latest = row[3]
        if first == latest:
            continue  # one check-in: nothing to pair
        _, first_version, first_packed = first.split(" ", 2)
        _, latest_version, latest_packed = latest.split(" ", 2)
        pairs[(first_version, latest_version)].append(
            (row[0], first_packed, latest_packed, row[4:])
        )
    in_full = []
    for versions, members in pairs.items():
        first_version, latest_version = map(int, versions)
        first_keys, latest_keys = maps.keys[first_version], maps.keys[latest_version]
        same = maps.same_areas([first_version, latest_version])
        firsts, latests = [], []
        for resident_id, first_packed, latest_packed, span in members:
            regular = (
                same
                and len(first_packed) == len(first_keys)
                and len(latest_packed) == len(latest_keys)
                and UNRATED not in first_packed
                and UNRATED not in latest_packed
            )
            if regular and spans:
                low, high = span
                regular = maps.same_areas([v for v in used if low <= v <= high] + [first_version])
            if regular:
                firsts.append(first_packed)
                latests.append(latest_packed)
            else:
                in_full.append(resident_id)
        if firsts:
            _count_packed(first_keys, latest_keys, firsts, latests, histogram)
    for key, first, latest in _areas_in_full(place, maps, start, end, in_full):
        histogram[(ScoreTrack.AREA, key, "better", latest - first)] += 1
    return Cell(people, keys)


def _count_packed(first_keys, latest_keys, firsts, latests, histogram):
    """Count latest - first per area over packed check-ins (one row per person)."""

    def matrix(packs, width):
        raw = np.frombuffer("".join(packs).encode("ascii"), dtype=np.uint8)
        return raw.reshape(-1, width).astype(np.int16)

    before, after = matrix(firsts, len(first_keys)), matrix(latests, len(latest_keys))
    for i, key in enumerate(first_keys):
        j = latest_keys.index(key)
        changes, counts = np.unique(after[:, j] - before[:, i], return_counts=True)
        for change, count in zip(changes.tolist(), counts.tolist(), strict=True):
            histogram[(ScoreTrack.AREA, key, "better", float(change))] += count


def _areas_in_full(place, maps, start, end, resident_ids):
    """Yield (key, first, latest) from every rating in the period of these people."""
    for chunk in _chunks(resident_ids):
        seen = FirstLatest()
        ratings = (
            AreaRating.objects.filter(
                _in_period(place, start, end, "checkin__"),
                checkin__status=CheckInStatus.COMPLETE,
                checkin__resident_id__in=chunk,
                value__isnull=False,
            )
            .order_by("checkin__completed_at", "checkin_id")
            .values_list("checkin__resident_id", "area_id", "value")
        )
        for resident_id, area_id, value in ratings.iterator(chunk_size=10000):
            seen.add((resident_id, maps.key_of[area_id]), float(value))
        for (_, key), first, latest, _ in seen.paired():
            yield key, first, latest


# --- measures ----------------------------------------------------------------------------


class _Instruments:
    """The instruments answered in the place in the period (one index read each), by code;
    `paired_by_ends` holds the codes whose versions all have the same metrics."""

    def __init__(self, place, start, end):
        answered = MeasureResponse.objects.filter(
            _in_period(place, start, end), instrument=OuterRef("pk")
        )
        rows = Instrument.objects.filter(Q(place=place) | Q(place__isnull=True))
        self.ids = defaultdict(list)  # code -> [instrument id]
        self.code_of, self.metrics = {}, {}
        for instrument in rows.filter(Exists(answered)).order_by("pk"):
            self.ids[instrument.code].append(instrument.pk)
            self.code_of[instrument.pk] = instrument.code
            self.metrics[instrument.pk] = metric_codes(instrument.definition)
        self.paired_by_ends = {
            code
            for code, ids in self.ids.items()
            if len({frozenset(self.metrics[pk]) for pk in ids}) == 1
        }


class _Plan:
    """What one pair of packing shapes gives: for each code answered once at both ends
    with every metric scored, the columns to compare; every other code is read in full."""

    def __init__(self, instruments, first_shape, latest_shape, single):
        self.columns = []  # (code.metric, higher_is, first column, latest column)
        self.in_full = []  # codes
        first = self._by_code(instruments, first_shape)
        latest = self._by_code(instruments, latest_shape)
        for code in instruments.ids:
            if not (first_shape and latest_shape):  # not packed: read every answer
                self.in_full.append(code)
                continue
            before, after = first.get(code, []), latest.get(code, [])
            if single:  # one check-in with measures: a pair only if it answered twice
                if len(before) > 1:
                    self.in_full.append(code)
                continue
            regular = (
                code in instruments.paired_by_ends
                and len(before) == len(after) == 1
                and before[0][1]
                and after[0][1]
            )
            if not regular:
                self.in_full.append(code)
                continue
            first_pk, _, first_column = before[0]
            latest_pk, directions, latest_column = after[0]
            first_metrics = instruments.metrics[first_pk]
            for j, metric in enumerate(instruments.metrics[latest_pk]):
                i = first_metrics.index(metric)
                higher_is = DIRECTION_NAMES[directions[j]]
                self.columns.append(
                    (f"{code}.{metric}", higher_is, first_column + i, latest_column + j)
                )
        self.widths = (self._width(first_shape), self._width(latest_shape))

    @staticmethod
    def _by_code(instruments, shape):
        found = defaultdict(list)
        for instrument_id, directions, column in measure_shape(shape):
            code = instruments.code_of.get(instrument_id)
            if code is not None:
                found[code].append((instrument_id, directions, column))
        return found

    @staticmethod
    def _width(shape):
        return sum(len(directions) for _, directions, _ in measure_shape(shape))


def _measure_ends(place, residents, start, end):
    """Per resident: (id, first, latest) check-in with measures in the period."""
    checkins = CheckIn.objects.filter(
        _in_period(place, start, end),
        resident=OuterRef("pk"),
        measured=True,
        status=CheckInStatus.COMPLETE,
    )
    first, latest = _ends(checkins, order=("completed_at", "pk"), fields=("pk", "measure_values"))
    return (
        residents.order_by()
        .annotate(first=first, latest=latest)
        .values_list("pk", "first", "latest")
    )


def measure_histogram(place, residents, start, end, histogram: Counter):
    """Add (MEASURE, "<code>.<metric>", higher_is, change) -> people to `histogram`."""
    instruments = _Instruments(place, start, end)
    if not instruments.ids:
        return
    groups = defaultdict(lambda: ([], [], []))  # shapes -> (residents, first, latest values)
    for resident_id, first, latest in _measure_ends(place, residents, start, end):
        if first is None:
            continue
        first_shape, _, first_values = first.partition(" ")[2].partition("|")
        latest_shape, _, latest_values = latest.partition(" ")[2].partition("|")
        ids, firsts, latests = groups[(first_shape, latest_shape, first == latest)]
        ids.append(resident_id)
        firsts.append(first_values)
        latests.append(latest_values)
    in_full = defaultdict(list)  # code -> residents whose answers are read in full
    for shapes, (ids, firsts, latests) in groups.items():
        plan = _Plan(instruments, *shapes)
        for code in plan.in_full:
            in_full[code] += ids
        if plan.columns:
            _count_columns(plan, firsts, latests, histogram)
    for code, resident_ids in in_full.items():
        _measures_in_full(place, instruments.ids[code], code, start, end, resident_ids, histogram)


def _count_columns(plan, firsts, latests, histogram):
    def matrix(values, width):
        return np.array(",".join(values).split(","), dtype=np.float64).reshape(-1, width)

    before, after = matrix(firsts, plan.widths[0]), matrix(latests, plan.widths[1])
    for code, higher_is, i, j in plan.columns:
        changes, counts = np.unique(after[:, j] - before[:, i], return_counts=True)
        for change, count in zip(changes.tolist(), counts.tolist(), strict=True):
            histogram[(ScoreTrack.MEASURE, code, higher_is, change)] += count


def _measures_in_full(place, instrument_ids, code, start, end, resident_ids, histogram):
    """Count first to latest from every scored response of `code` in the period of these
    people (each metric on its own: a blank question leaves only that metric out). Many
    people: one read of the code's responses in the period; a few: theirs only."""
    wanted = set(resident_ids)
    responses = MeasureResponse.objects.filter(
        _in_period(place, start, end), instrument_id__in=instrument_ids
    )
    if len(wanted) <= CHUNK:
        responses = responses.filter(resident_id__in=sorted(wanted))
    rows = responses.order_by("completed_at", "checkin_id", "pk").values_list(
        "resident_id", "scores"
    )
    seen = FirstLatest()
    for resident_id, scores in rows.iterator(chunk_size=5000):
        if resident_id in wanted:
            for metric, score in scores.items():
                seen.add((resident_id, metric), float(score["value"]), score.get("higher_is"))
    for (_, metric), first, latest, higher_is in seen.paired():
        key = (ScoreTrack.MEASURE, f"{code}.{metric}", higher_is or "better", latest - first)
        histogram[key] += 1


def period_histogram(place, residents, start, end) -> tuple[Counter, Cell]:
    """For the `residents` (a queryset of the place's cohort) who checked in within
    [start, end), first to latest within it: ((kind, code, higher_is, change) -> people,
    how many people checked in, as a Cell with their record keys), the shape cohort change
    reads from ScoreTrack for all time."""
    histogram = Counter()
    with no_cyclic_gc():
        people = area_histogram(place, residents, start, end, histogram)
        measure_histogram(place, residents, start, end, histogram)
    return histogram, people
