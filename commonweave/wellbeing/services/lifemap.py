"""The place's life map (versioned areas of life) and the measures it offers."""

import json
import re
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record

from .. import scoring
from ..defaults import TRAFFIC_LIGHT_COLOURS, default_areas
from ..enums import IndicatorKind
from ..models import Instrument, LifeArea, LifeMapVersion

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _create_version(place, areas, *, user=None) -> LifeMapVersion:
    number = (place.lifemap_versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = LifeMapVersion.objects.create(place=place, number=number, created_by=user)
    LifeArea.objects.bulk_create(
        LifeArea(
            version=version,
            key=area["key"],
            position=position,
            name=area["name"],
            question=area.get("question", ""),
            kind=area["kind"],
            points=area["points"],
        )
        for position, area in enumerate(areas)
    )
    return version


def current_lifemap(place) -> LifeMapVersion:
    """The place's current life map; the default set is created on first use."""
    version = place.lifemap_versions.order_by("-number").first()
    if version is not None:
        return version
    try:
        with transaction.atomic():
            return _create_version(place, default_areas())
    except IntegrityError:  # created by a concurrent first use
        return place.lifemap_versions.order_by("-number").first()


def validate_areas(areas) -> list:
    """Plain-words problems with a proposed set of areas (empty when it is good)."""
    problems = []
    if not areas:
        return ["Add at least one area of life"]
    keys = set()
    for n, area in enumerate(areas, start=1):
        where = f"Area {n}"
        key = area.get("key", "")
        if not _KEY.match(key or ""):
            problems.append(f"{where}: the key must be lower-case letters, digits and _")
        elif key in keys:
            problems.append(f"{where}: the key '{key}' is used twice")
        keys.add(key)
        if not (area.get("name") or "").strip():
            problems.append(f"{where}: give it a name")
        points = area.get("points") or []
        values = [p.get("value") for p in points]
        if len(points) < 2 or not all(isinstance(v, int) for v in values):
            problems.append(f"{where}: give at least two points, each with a whole-number value")
            continue
        if values != sorted(set(values)):
            problems.append(f"{where}: point values must rise from hardest to best")
        if any(not (p.get("label") or "").strip() for p in points):
            problems.append(f"{where}: every point needs words")
        if area.get("kind") == IndicatorKind.TRAFFIC_LIGHT:
            colours = tuple(p.get("colour") for p in points)
            if colours != TRAFFIC_LIGHT_COLOURS:
                problems.append(f"{where}: a traffic light has red, amber and green, in order")
            if any(not (p.get("description") or "").strip() for p in points):
                problems.append(f"{where}: describe each colour in plain words")
        elif area.get("kind") != IndicatorKind.SCALE:
            problems.append(f"{where}: the kind must be a scale or a traffic light")
    return problems


@transaction.atomic
def lifemap_publish(*, viewer, areas) -> LifeMapVersion:
    """Publish a new version of the place's life map (place admins). Earlier check-ins keep
    the version they were answered with. Side effects: a new version, its areas, an audit."""
    if not viewer or not viewer.is_place_admin:
        raise PermissionDenied
    problems = validate_areas(areas)
    if problems:
        raise ValidationError({"areas": problems})
    current_lifemap(viewer.place)  # so the default set stays version 1
    version = _create_version(viewer.place, areas, user=viewer.user)
    audit_record(
        viewer=viewer,
        action=Action.CREATE,
        purpose=Purpose.ADMIN,
        object_type="wellbeing.lifemapversion",
        object_id=str(version.number),
    )
    return version


# --- instruments -------------------------------------------------------------------------


def instruments_for(place) -> list:
    """Active instruments a place offers: shipped ones and its own, latest version of each
    code (a place's own instrument replaces a shipped one with the same code)."""
    best = {}
    rows = Instrument.objects.filter(Q(place=place) | Q(place__isnull=True), active=True)
    for instrument in rows:
        rank = (instrument.place_id is not None, instrument.version)
        if instrument.code not in best or rank > best[instrument.code][0]:
            best[instrument.code] = (rank, instrument)
    chosen = {code: instrument for code, (_, instrument) in best.items()}
    return sorted(chosen.values(), key=lambda i: i.name)


SHIPPED_INSTRUMENTS = ("ons4.json", "ucla3.json", "ons_loneliness.json")


def load_shipped_instruments() -> list:
    """(Re)load the open instruments that ship with Commonweave; idempotent. Migration 0002
    does this on install; tests that flush the database call it again."""
    folder = Path(__file__).resolve().parent.parent / "instruments"
    return [
        instrument_load(definition=json.loads((folder / name).read_text(encoding="utf-8")))
        for name in SHIPPED_INSTRUMENTS
    ]


@transaction.atomic
def instrument_load(*, definition, place=None) -> Instrument:
    """Add (or replace the same version of) an instrument from its definition. Raises
    scoring.DefinitionError listing every problem. Used by `manage.py load_instrument`."""
    scoring.validate_definition(definition)
    instrument, _ = Instrument.objects.update_or_create(
        place=place,
        code=definition["code"],
        version=definition.get("version", 1),
        defaults={"name": definition["name"], "definition": definition, "active": True},
    )
    return instrument
