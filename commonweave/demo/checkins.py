"""Wellbeing over time for the demo place's residents: the check-ins their catalysts did
with them from engagement on, every six to ten weeks, until they graduated, closed or now.

Most people improve somewhat, some stay where they were, a few are worse by their latest
check-in: each person's life map areas drift with their own trend and noise, and the
validated measures (ONS4 and the UCLA 3-item loneliness scale, as the check-in offers
them) follow how their life map is going. Scores come from scoring.score, achievements are
what checkin_submit would record for an area that improved, and the first/latest tracks
and packed answers the evaluator's cohort change page reads are rebuilt by the wellbeing
app's own tracks_rebuild, so they are exactly what the services would hold.

Deterministic for a seed: its own random stream, and the check-ins' public ids from another
seeded with the place too.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from commonweave.core.publicid import ID_ALPHABET
from commonweave.people.enums import Stage
from commonweave.people.models import Resident, StageChange
from commonweave.wellbeing import scoring
from commonweave.wellbeing.enums import AchievementKind, CheckInStatus, CheckInVia
from commonweave.wellbeing.models import Achievement, AreaRating, CheckIn, MeasureResponse
from commonweave.wellbeing.packed import pack_areas, pack_measures
from commonweave.wellbeing.services import current_lifemap, instruments_for
from commonweave.wellbeing.services.tracks import tracks_rebuild

from .journeys import weighted
from .wellbeing import _measure_answers

SHARE_WITH_CHECKINS = 0.85  # of the people who engaged
GAP_DAYS = (35, 70)  # between check-ins
MOST = 6
# How each person's areas move per check-in: (trend, weight, mean step)
TRENDS = (("better", 62, 0.45), ("same", 24, 0.0), ("worse", 14, -0.3))
OWN_WORDS = (
    "Getting out on a Tuesday has made a real difference.",
    "Still struggling with money but I know who to ask now.",
    "I've made a friend at the lunch club.",
    "Some weeks are better than others.",
    "My daughter says I sound more like myself.",
    "Sleeping better since the walking group started.",
    "The bills are sorted, which is a weight off.",
    "Not much has changed, if I'm honest.",
    "I feel less on my own than I did.",
    "I've started helping out at the café on Fridays.",
)
BETTER = (
    "Someone to go with the first time.",
    "Help with the forms.",
    "A lift to get there.",
    "Knowing what's on nearby.",
    "Somewhere warm to go in the day.",
)


def _public_id(rng):
    return "".join(rng.choices(ID_ALPHABET, k=12))


def _clamp(value, low, high):
    return max(low, min(high, value))


def _engaged(place):
    """(resident id, catalyst id, engaged at, end) for every resident who engaged, where
    end is when they graduated or closed, or now."""
    engaged = dict(
        StageChange.objects.filter(resident__place=place, to_stage=Stage.ENGAGED)
        .order_by("resident_id", "changed_at")
        .values_list("resident_id", "changed_at")
    )
    now = timezone.now()
    rows = (
        Resident.objects.filter(place=place, pk__in=engaged, merged_into__isnull=True)
        .order_by("pk")
        .values_list("pk", "catalyst_id", "graduated_at", "closed_at")
    )
    return [
        (pk, catalyst, engaged[pk], graduated or closed or now)
        for pk, catalyst, graduated, closed in rows
    ]


@transaction.atomic
def generate_wellbeing(place, *, seed=1) -> dict:
    """Check-ins over time for the residents of `place` who engaged. Returns counts.

    Side effects: completed CheckIns with their AreaRatings and MeasureResponses,
    Achievements for areas that improved, then the place's ScoreTracks and packed answers
    rebuilt (tracks_rebuild). No audit events: nobody read a record.
    """
    rng = random.Random(f"{seed}:checkins")
    # Public ids from their own stream, seeded with the place too (as generator.py does),
    # so two demo places from one seed do not collide.
    id_rng = random.Random(f"{seed}:{place.slug}:checkins")
    version = current_lifemap(place)
    areas = list(version.areas.all())
    keys = [area.key for area in areas]
    offered = {i.code: i for i in instruments_for(place)}
    ons4, ucla3 = offered.get("ons4"), offered.get("ucla3")
    scored = {}

    def score(instrument, answers):
        key = (instrument.pk, tuple(answers.values()))
        if key not in scored:
            scored[key] = scoring.score(instrument.definition, answers)
        return scored[key]

    checkins: list = []
    ratings: list = []
    measures: list = []
    achievements: list = []
    for resident_id, catalyst_id, engaged, end in _engaged(place):
        if rng.random() >= SHARE_WITH_CHECKINS:
            continue
        _, _, step = weighted(rng, [((t, w, s), w) for t, w, s in TRENDS])
        level = [rng.uniform(1.3, 3.2) for _ in areas]
        at = engaged + timedelta(days=rng.uniform(0, 10), hours=rng.uniform(0, 6))
        previous = None
        for n in range(MOST):
            if at > end:
                break
            if n:
                level = [_clamp(v + rng.gauss(step, 0.45), 1, 5) for v in level]
            values = [_clamp(round(v), 1, 5) for v in level]
            checkin = CheckIn(
                public_id=_public_id(id_rng),
                place=place,
                resident_id=resident_id,
                version=version,
                via=CheckInVia.CATALYST,
                status=CheckInStatus.COMPLETE,
                own_words=rng.choice(OWN_WORDS) if rng.random() < 0.35 else "",
                started_by_id=catalyst_id,
                created_at=at,
                completed_at=at,
                area_values=pack_areas(areas, dict(zip(keys, values, strict=True))),
            )
            checkins.append(checkin)
            low = min(values)
            ratings.extend(
                AreaRating(
                    checkin=checkin,
                    area=area,
                    value=value,
                    better=rng.choice(BETTER) if value == low and rng.random() < 0.3 else "",
                )
                for area, value in zip(areas, values, strict=True)
            )
            packing = []
            if n == 0 or rng.random() < 0.85:
                for instrument, answers in _measure_answers(rng, values, ons4, ucla3):
                    result = score(instrument, answers)
                    scores = result.as_json()
                    measures.append(
                        MeasureResponse(
                            checkin=checkin,
                            instrument=instrument,
                            answers=scoring.clean_answers(instrument.definition, answers),
                            complete=result.complete,
                            scores=scores,
                            resident_id=resident_id,
                            place=place,
                            completed_at=at,
                        )
                    )
                    packing.append((instrument.pk, instrument.definition, scores))
            checkin.measure_values = pack_measures(packing)
            checkin.measured = bool(packing)
            if previous is not None:
                achievements.extend(_improvements(checkin, areas, previous, values))
            previous = values
            at += timedelta(days=rng.uniform(*GAP_DAYS), hours=rng.uniform(-3, 3))
    CheckIn.objects.bulk_create(checkins, batch_size=2000)
    for row in ratings + measures + achievements:
        row.checkin_id = row.checkin.pk  # assigned by bulk_create
    AreaRating.objects.bulk_create(ratings, batch_size=5000)
    MeasureResponse.objects.bulk_create(measures, batch_size=2000)
    Achievement.objects.bulk_create(achievements, batch_size=2000)
    tracks = tracks_rebuild(place)
    return {
        "residents": len({c.resident_id for c in checkins}),
        "checkins": len(checkins),
        "measures": len(measures),
        "achievements": len(achievements),
        "tracks": tracks,
    }


def _improvements(checkin, areas, before, after):
    """What checkin_submit records for each area that went up since the last check-in."""
    for area, old, new in zip(areas, before, after, strict=True):
        if area.share_of_scale(new) > area.share_of_scale(old):
            yield Achievement(
                resident_id=checkin.resident_id,
                kind=AchievementKind.IMPROVED,
                area_key=area.key,
                description=(
                    f"{area.name}: from “{area.label_for(old)}” to “{area.label_for(new)}”"
                )[:300],
                at=checkin.completed_at,
                checkin=checkin,
            )
