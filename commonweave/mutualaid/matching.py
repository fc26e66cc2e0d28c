"""Finding helpers for a need: who may take it, who fits it, who is nearest, and who was
asked least recently.

A helper fits a need when they have an open offer in the need's category, are available,
their checks allow the category's risk tier (eligibility.py), they speak the need's
language (blank is English) and their time window meets the need's. Among those:

* reach: helpers whose area (home or covered areas) is the need's own, or whose home is
  within the place's `reach_km` of it; if fewer than the alerts wanted are within reach,
  the nearest beyond it fill the gap, nearest first;
* fairness: within reach, those asked least recently come first (never asked before
  anyone), then the nearest. So a burst of needs in one street is spread over every helper
  within reach instead of alerting the same five each time.

One query reads the candidate rows (only the columns ranking needs), so a need among tens
of thousands of offers is ranked in memory in a few milliseconds.
"""

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, TextField
from django.db.models.functions import Cast

from . import areas
from .eligibility import eligible_q
from .enums import Kind, RequestStatus, When
from .models import Request, Volunteer

NEVER = datetime.datetime.min.replace(tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Candidate:
    volunteer_id: int
    offer_id: int
    km: float
    last_alerted_at: datetime.datetime | None


def windows_meet(a: str, b: str) -> bool:
    return a == When.ANY or b == When.ANY or a == b


def speaks(languages: Iterable[str], language: str) -> bool:
    wanted = (language or "en").lower()
    spoken = {code.lower() for code in languages} or {"en"}
    return wanted in spoken


def _speaks_json(languages_json: str | None, language: str) -> bool:
    """`speaks` over the stored JSON text (codes are stored lower-case), so ranking tens
    of thousands of rows decodes no JSON."""
    if not languages_json or languages_json.replace(" ", "") == "[]":
        return not language or language == "en"
    return f'"{(language or "en").lower()}"' in languages_json


def candidates(
    need: Request,
    *,
    today: datetime.date,
    centres: dict[int, tuple[float, float]] | None = None,
    exclude: Iterable[int] = (),
) -> list[Candidate]:
    """Every helper who fits the need, one row each (their nearest offer), unranked."""
    tier = need.category.risk_tier
    covers = Volunteer.areas.through.objects.filter(
        volunteer_id=OuterRef("volunteer_id"), neighbourhood_id=need.neighbourhood_id or 0
    )
    rows = (
        Request.objects.filter(
            place_id=need.place_id,
            kind=Kind.OFFER,
            status=RequestStatus.OPEN,
            category_id=need.category_id,
            volunteer__available=True,
        )
        .filter(eligible_q(tier, today, prefix="volunteer__"))
        .exclude(volunteer_id__in=list(exclude))
        .annotate(
            covers=Exists(covers),
            languages_json=Cast("volunteer__languages", output_field=TextField()),
        )
        .values_list(
            "pk",
            "volunteer_id",
            "neighbourhood_id",
            "volunteer__home_id",
            "languages_json",
            "volunteer__when",
            "when",
            "volunteer__last_alerted_at",
            "covers",
        )
    )
    if centres is None:
        centres = areas.centres(need.place)
    here = centres.get(need.neighbourhood_id) if need.neighbourhood_id else None
    distances: dict[int | None, float] = {}

    def km_to(area_id: int | None) -> float:
        if area_id not in distances:
            same = need.neighbourhood_id is not None and area_id == need.neighbourhood_id
            distances[area_id] = 0.0 if same else areas.km(here, centres.get(area_id or 0))
        return distances[area_id]

    best: dict[int, Candidate] = {}
    for offer_id, vol_id, offer_area, home, languages, vol_when, offer_when, last, cover in rows:
        if not _speaks_json(languages, need.language):
            continue
        if not (windows_meet(vol_when, need.when) and windows_meet(offer_when, need.when)):
            continue
        distance = 0.0 if cover else min(km_to(offer_area), km_to(home))
        known = best.get(vol_id)
        if known is None or distance < known.km:
            best[vol_id] = Candidate(vol_id, offer_id, distance, last)
    return list(best.values())


def rank(found: list[Candidate], *, reach_km: float) -> list[Candidate]:
    """Within reach: least recently asked first, then nearest. Beyond reach: nearest."""
    within = [c for c in found if c.km <= reach_km]
    beyond = [c for c in found if c.km > reach_km]
    within.sort(key=lambda c: (c.last_alerted_at or NEVER, c.km, c.volunteer_id))
    beyond.sort(key=lambda c: (c.km, c.last_alerted_at or NEVER, c.volunteer_id))
    return (
        within
        + [c for c in beyond if not math.isinf(c.km)]
        + [c for c in beyond if math.isinf(c.km)]
    )
