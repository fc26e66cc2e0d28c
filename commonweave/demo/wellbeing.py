"""Synthetic check-ins in bulk, for demos and `python -m bench.wellbeing`.

Builds residents of one organisation with a run of completed check-ins each (the life map
drifting upward with noise, the ONS4 and UCLA-3 every fifth check-in) and their
ScoreTracks. Everything is made up; no real person is represented.

Rows are plain tuples written with parameterised executemany (`bulk`), all
in one transaction: building model instances and going through the check-in services
costs far more than the database's own work at 500,000 check-ins. Scores still come from
scoring.score (cached per distinct set of answers), so they are exactly what the services
would store, and the tracks equal what tracks_rebuild() computes from the rows.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from commonweave.core.perf import no_cyclic_gc
from commonweave.core.publicid import ID_ALPHABET
from commonweave.people.enums import (
    ContactOutcome,
    FrontDoor,
    ReferralConsent,
    ReferralStatus,
    ReferrerKind,
)
from commonweave.people.models import Referral, Resident, name_key
from commonweave.wellbeing import scoring, services
from commonweave.wellbeing.enums import CheckInStatus, CheckInVia
from commonweave.wellbeing.models import AreaRating, CheckIn, MeasureResponse, ScoreTrack
from commonweave.wellbeing.packed import pack_areas, pack_measures

from .bulk import Table, adapters, reserve_ids

# The place generator's bulk-writing helpers: no cyclic GC over millions of row tuples, a
# roomy SQLite page cache while writing, and fresh planner statistics afterwards.
from .generator import _analyze, _roomy_sqlite_cache

FIRST_NAMES = ["Ada", "Bert", "Cora", "Dev", "Edna", "Femi", "Gita", "Hal", "Iris", "Jon"]
LAST_NAMES = ["Ashby", "Bello", "Carr", "Dunn", "Evans", "Fry", "Gill", "Hart", "Ince", "Jory"]
UCLA_ITEMS = ("lack_companionship", "left_out", "isolated")
STEPS = (-1, 0, 0, 1, 1)  # weekly drift of each area: a little more often up than down

CHECKIN_COLUMNS = (
    "id",
    "public_id",
    "place_id",
    "resident_id",
    "version_id",
    "via",
    "status",
    "own_words",
    "started_by_id",
    "created_at",
    "completed_at",
    "area_values",
    "measure_values",
    "measured",
)
RATING_COLUMNS = ("checkin_id", "area_id", "value", "better")
MEASURE_COLUMNS = (
    "checkin_id",
    "instrument_id",
    "answers",
    "complete",
    "scores",
    "resident_id",
    "place_id",
    "completed_at",
)
TRACK_COLUMNS = (
    "place_id",
    "resident_id",
    "kind",
    "code",
    "higher_is",
    "first_value",
    "latest_value",
    "answers",
    "paired",
    "change",
    "first_at",
    "latest_at",
)


@dataclass
class Generated:
    residents: int
    checkins: int
    ratings: int
    measures: int
    tracks: int


def _clamp(value, low, high):
    return max(low, min(high, value))


class _Scorer:
    """Scores and database-ready JSON per distinct set of answers (there are few)."""

    def __init__(self):
        self.cache = {}
        self.answers_field = MeasureResponse._meta.get_field("answers")
        self.scores_field = MeasureResponse._meta.get_field("scores")

    def __call__(self, instrument, answers):
        key = (instrument.pk, tuple(answers.values()))
        found = self.cache.get(key)
        if found is None:
            result = scoring.score(instrument.definition, answers)
            scores = result.as_json()
            found = self.cache[key] = (
                self.answers_field.get_db_prep_save(answers, connection),
                self.scores_field.get_db_prep_save(scores, connection),
                result.complete,
                [(m.code, float(m.value), m.higher_is) for m in result.metrics.values()],
                (instrument.pk, instrument.definition, scores),
            )
        return found


def _measure_answers(rng, level, ons4, ucla3):
    mood = sum(level) / len(level)
    if ons4 is not None:
        yield (
            ons4,
            {
                "life_satisfaction": _clamp(round(mood * 2 + rng.gauss(0, 1)), 0, 10),
                "worthwhile": _clamp(round(mood * 2 + rng.gauss(0, 1)), 0, 10),
                "happiness": _clamp(round(mood * 2 + rng.gauss(0, 1.5)), 0, 10),
                "anxiety": _clamp(round(10 - mood * 2 + rng.gauss(0, 1.5)), 0, 10),
            },
        )
    if ucla3 is not None:
        yield (
            ucla3,
            {code: _clamp(round(4 - mood / 1.7 + rng.gauss(0, 0.5)), 1, 3) for code in UCLA_ITEMS},
        )


class _Life:
    """One person's run of weekly check-ins as row tuples, and their first/latest tracks."""

    def __init__(self, *, place, version, areas, ons4, ucla3, per_resident, start, rng, id_rng):
        self.place, self.version, self.areas = place, version, areas
        self.keys = [area.key for area in areas]
        self.ons4, self.ucla3 = ons4, ucla3
        self.per_resident, self.start = per_resident, start
        self.rng, self.id_rng = rng, id_rng
        self.to_datetime, _ = adapters()
        self.scorer = _Scorer()

    def person(self, person, *, next_ids, checkins, ratings, measures):
        """Append the person's rows; return their ScoreTrack rows."""
        rng, areas = self.rng, self.areas
        level = [rng.randint(1, 3) for _ in areas]
        first_level = first_at = at = None
        measured = {}  # (metric, direction) -> [first, latest, answers, first_at, latest_at]
        for step in range(self.per_resident):
            at = self.to_datetime(
                self.start + timedelta(days=7 * step, minutes=rng.randint(0, 600))
            )
            checkin_id = next(next_ids)
            public_id = "".join(self.id_rng.choices(ID_ALPHABET, k=12))
            moves = rng.choices(STEPS, k=len(areas))
            level = [_clamp(v + m, 1, 5) for v, m in zip(level, moves, strict=True)]
            ratings.extend(
                (checkin_id, area.pk, value, "") for area, value in zip(areas, level, strict=True)
            )
            if first_level is None:
                first_level, first_at = level, at
            packing = []
            if step % 5 == 0:
                for instrument, answers in _measure_answers(rng, level, self.ons4, self.ucla3):
                    answers_db, scores_db, complete, metrics, packable = self.scorer(
                        instrument, answers
                    )
                    measures.append(
                        (
                            checkin_id,
                            instrument.pk,
                            answers_db,
                            complete,
                            scores_db,
                            person.pk,
                            self.place.pk,
                            at,
                        )
                    )
                    packing.append(packable)
                    for code, value, higher_is in metrics:
                        key = (f"{instrument.code}.{code}", higher_is)
                        if key not in measured:
                            measured[key] = [value, value, 1, at, at]
                        else:
                            track = measured[key]
                            track[1], track[2], track[4] = value, track[2] + 1, at
            checkins.append(
                (
                    checkin_id,
                    public_id,
                    self.place.pk,
                    person.pk,
                    self.version.pk,
                    CheckInVia.CATALYST,
                    CheckInStatus.COMPLETE,
                    "",
                    None,
                    at,
                    at,
                    pack_areas(areas, dict(zip(self.keys, level, strict=True))),
                    pack_measures(packing),
                    bool(packing),
                )
            )
        rows = [
            self._track(
                person,
                ScoreTrack.AREA,
                area.key,
                "better",
                (float(first), float(latest), self.per_resident, first_at, at),
            )
            for area, first, latest in zip(areas, first_level or (), level, strict=False)
        ]
        rows += [
            self._track(person, ScoreTrack.MEASURE, code, higher_is, track)
            for (code, higher_is), track in measured.items()
        ]
        return rows

    def _track(self, person, kind, code, higher_is, track):
        first, latest, answers, first_at, latest_at = track
        return (
            self.place.pk,
            person.pk,
            kind,
            code,
            higher_is,
            first,
            latest,
            answers,
            answers >= 2,
            latest - first,
            first_at,
            latest_at,
        )


REFERRAL_COLUMNS = (
    "place_id",
    "resident_id",
    "front_door",
    "referrer_kind",
    "referrer_name",
    "referrer_contact",
    "reason",
    "consent",
    "received_at",
    "due_at",
    "status",
    "first_contact_at",
    "first_contact_outcome",
    "first_contact_note",
)
# How people arrive (front doors), roughly as a partnership sees them.
FRONT_DOORS = (
    (FrontDoor.STAFF, 5),
    (FrontDoor.PUBLIC_WEB, 3),
    (FrontDoor.API, 1),
    (FrontDoor.TEXT, 1),
)


class _Referrals:
    """Each person's referral: a front door and a day in the year before check-ins begin,
    from their own random stream so the check-ins are the same with or without them."""

    def __init__(self, place, start, seed):
        self.place, self.start = place, start
        self.rng = random.Random(f"{seed}:referrals:{place.pk}")
        self.doors = [door for door, _ in FRONT_DOORS]
        self.weights = [weight for _, weight in FRONT_DOORS]
        self.to_datetime, _ = adapters()

    def row(self, person):
        received = self.start - timedelta(days=self.rng.uniform(1, 365))
        return (
            self.place.pk,
            person.pk,
            self.rng.choices(self.doors, self.weights)[0],
            ReferrerKind.SELF,
            "",
            "",
            "Made up for the demo",
            ReferralConsent.AGREED,
            self.to_datetime(received),
            self.to_datetime(received + timedelta(days=1)),
            ReferralStatus.CONTACTED,
            self.to_datetime(received + timedelta(hours=20)),
            ContactOutcome.SPOKE,
            "",
        )


def generate_checkins(
    place,
    organisation,
    *,
    residents=10_000,
    per_resident=50,
    seed=1,
    batch=500,
    on_progress=None,
):
    """Add `residents` residents, each referred once, with `per_resident` completed
    check-ins each, in one transaction. Side effects: residents, referrals, check-ins,
    ratings, measure responses and score tracks; no audit events (nothing here is about a
    real person)."""
    rng = random.Random(seed)
    start = timezone.now() - timedelta(days=7 * per_resident)
    referrals = _Referrals(place, start, seed)
    version = services.current_lifemap(place)
    areas = list(version.areas.all())
    instruments = {i.code: i for i in services.instruments_for(place)}
    life = _Life(
        place=place,
        version=version,
        areas=areas,
        ons4=instruments.get("ons4"),
        ucla3=instruments.get("ucla3"),
        per_resident=per_resident,
        start=start,
        rng=rng,
        id_rng=random.Random(f"{seed}:wellbeing:{place.pk}"),
    )
    totals = Generated(0, 0, 0, 0, 0)
    tables = {
        CheckIn: Table(CheckIn, CHECKIN_COLUMNS),
        AreaRating: Table(AreaRating, RATING_COLUMNS),
        MeasureResponse: Table(MeasureResponse, MEASURE_COLUMNS),
        ScoreTrack: Table(ScoreTrack, TRACK_COLUMNS),
        Referral: Table(Referral, REFERRAL_COLUMNS),
    }
    with (
        transaction.atomic(),
        no_cyclic_gc(),
        connection.cursor() as cursor,
        _roomy_sqlite_cache(cursor),
    ):
        for offset in range(0, residents, batch):
            size = min(batch, residents - offset)
            names = [
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {n}"
                for n in range(offset, offset + size)
            ]
            people = Resident.objects.bulk_create(
                Resident(
                    place=place,
                    organisation=organisation,
                    full_name=full,
                    name_key=name_key(full),
                    stage="engaged",
                )
                for full in names
            )
            ids = iter(reserve_ids(CheckIn, size * per_resident))
            checkins = tables[CheckIn].rows
            ratings = tables[AreaRating].rows
            measures = tables[MeasureResponse].rows
            tracks = tables[ScoreTrack].rows
            for person in people:
                tables[Referral].rows.append(referrals.row(person))
                tracks.extend(
                    life.person(
                        person, next_ids=ids, checkins=checkins, ratings=ratings, measures=measures
                    )
                )
            totals.residents += size
            totals.checkins += len(checkins)
            totals.ratings += len(ratings)
            totals.measures += len(measures)
            totals.tracks += len(tracks)
            for table in tables.values():
                table.flush(cursor, batch=20_000)
            if on_progress:
                on_progress(totals.residents, residents)
    _analyze(list(tables) + [Resident])
    _vacuum(list(tables) + [Resident])
    return totals


def _vacuum(models):
    """On PostgreSQL, what autovacuum would soon do to freshly written tables: mark their
    pages all-visible, so index-only scans (cohort change over a period) need not visit
    the table. Not inside a transaction (VACUUM cannot run in one), e.g. in tests."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")


def referrals_generate(place, *, seed=1) -> int:
    """Give each resident of the place without a referral one, as generate_checkins does
    (for a bench database generated before it made referrals). Returns how many."""
    first = CheckIn.objects.filter(place=place).order_by("completed_at").first()
    start = first.completed_at if first else timezone.now()
    referrals = _Referrals(place, start, seed)
    table = Table(Referral, REFERRAL_COLUMNS)
    people = Resident.objects.filter(place=place, referrals__isnull=True).order_by("pk")
    with transaction.atomic(), connection.cursor() as cursor:
        for person in people.only("pk").iterator(chunk_size=5000):
            table.rows.append(referrals.row(person))
        table.flush(cursor, batch=20_000)
    _analyze([Referral])
    return table.written
