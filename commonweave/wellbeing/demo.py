"""Synthetic check-ins in bulk, for demos and `python -m bench.wellbeing`.

Builds residents of one organisation with a run of completed check-ins each (the life map
drifting upward with noise, the ONS4 and UCLA-3 every fifth check-in), and their
ScoreTracks, in batches. Everything is made up; no real person is represented.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from commonweave.people.models import Resident, name_key

from . import scoring, services
from .enums import CheckInStatus, CheckInVia
from .models import AreaRating, CheckIn, MeasureResponse, ScoreTrack

FIRST_NAMES = ["Ada", "Bert", "Cora", "Dev", "Edna", "Femi", "Gita", "Hal", "Iris", "Jon"]
LAST_NAMES = ["Ashby", "Bello", "Carr", "Dunn", "Evans", "Fry", "Gill", "Hart", "Ince", "Jory"]


@dataclass
class Generated:
    residents: int
    checkins: int
    ratings: int
    measures: int
    tracks: int


def _clamp(value, low, high):
    return max(low, min(high, value))


def _track(tracks, place, person, kind, code, value, higher_is, at):
    found = tracks.get((person.pk, kind, code))
    if found is None:
        tracks[(person.pk, kind, code)] = ScoreTrack(
            place=place,
            resident=person,
            kind=kind,
            code=code,
            higher_is=higher_is,
            first_value=value,
            latest_value=value,
            answers=1,
            first_at=at,
            latest_at=at,
        )
    else:
        found.set_latest(value, at, higher_is)


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
    """Add `residents` residents with `per_resident` completed check-ins each."""
    rng = random.Random(seed)
    version = services.current_lifemap(place)
    areas = list(version.areas.all())
    instruments = {i.code: i for i in services.instruments_for(place)}
    ons4, ucla3 = instruments.get("ons4"), instruments.get("ucla3")
    start = timezone.now() - timedelta(days=7 * per_resident)
    totals = Generated(0, 0, 0, 0, 0)
    for offset in range(0, residents, batch):
        size = min(batch, residents - offset)
        with transaction.atomic():
            people = []
            for i in range(size):
                full = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {offset + i}"
                people.append(
                    Resident(
                        place=place,
                        organisation=organisation,
                        full_name=full,
                        name_key=name_key(full),
                        stage="engaged",
                    )
                )
            Resident.objects.bulk_create(people)
            checkins, plans = [], []
            for person in people:
                level = {a.key: rng.randint(1, 3) for a in areas}
                for step in range(per_resident):
                    at = start + timedelta(days=7 * step, minutes=rng.randint(0, 600))
                    checkins.append(
                        CheckIn(
                            place=place,
                            resident=person,
                            version=version,
                            via=CheckInVia.CATALYST,
                            status=CheckInStatus.COMPLETE,
                            created_at=at,
                            completed_at=at,
                        )
                    )
                    for key in level:
                        level[key] = _clamp(level[key] + rng.choice((-1, 0, 0, 1, 1)), 1, 5)
                    plans.append((person, at, dict(level), step % 5 == 0))
            CheckIn.objects.bulk_create(checkins, batch_size=2000)
            ratings, measures, tracks = [], [], {}

            for checkin, (person, at, level, with_measures) in zip(checkins, plans, strict=True):
                for area in areas:
                    ratings.append(AreaRating(checkin=checkin, area=area, value=level[area.key]))
                    _track(
                        tracks,
                        place,
                        person,
                        ScoreTrack.AREA,
                        area.key,
                        float(level[area.key]),
                        "better",
                        at,
                    )
                if not with_measures:
                    continue
                mood = sum(level.values()) / len(level)
                for instrument, answers in (
                    (
                        ons4,
                        {
                            "life_satisfaction": _clamp(round(mood * 2 + rng.gauss(0, 1)), 0, 10),
                            "worthwhile": _clamp(round(mood * 2 + rng.gauss(0, 1)), 0, 10),
                            "happiness": _clamp(round(mood * 2 + rng.gauss(0, 1.5)), 0, 10),
                            "anxiety": _clamp(round(10 - mood * 2 + rng.gauss(0, 1.5)), 0, 10),
                        },
                    ),
                    (
                        ucla3,
                        {
                            code: _clamp(round(4 - mood / 1.7 + rng.gauss(0, 0.5)), 1, 3)
                            for code in ("lack_companionship", "left_out", "isolated")
                        },
                    ),
                ):
                    if instrument is None:
                        continue
                    result = scoring.score(instrument.definition, answers)
                    measures.append(
                        MeasureResponse(
                            checkin=checkin,
                            instrument=instrument,
                            answers=answers,
                            complete=True,
                            scores=result.as_json(),
                        )
                    )
                    for metric in result.metrics.values():
                        _track(
                            tracks,
                            place,
                            person,
                            ScoreTrack.MEASURE,
                            f"{instrument.code}.{metric.code}",
                            float(metric.value),
                            metric.higher_is,
                            at,
                        )
            AreaRating.objects.bulk_create(ratings, batch_size=5000)
            MeasureResponse.objects.bulk_create(measures, batch_size=2000)
            ScoreTrack.objects.bulk_create(tracks.values(), batch_size=5000)
        totals.residents += size
        totals.checkins += len(checkins)
        totals.ratings += len(ratings)
        totals.measures += len(measures)
        totals.tracks += len(tracks)
        if on_progress:
            on_progress(totals.residents, residents)
    return totals
