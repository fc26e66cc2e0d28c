"""Neighbourhood polygons (GeoJSON) and the postcode lookup file (ONS Postcode Directory CSV)."""

import json
from dataclasses import dataclass, field

from django.db import transaction

from . import geo
from .models import Location, Neighbourhood

NAME_KEYS = ("area_name", "name", "WD23NM", "LSOA21NM", "LSOA11NM", "NAME")
CODE_KEYS = ("area_code", "code", "WD23CD", "LSOA21CD", "LSOA11CD", "CODE")


@dataclass
class BoundaryReport:
    created: int = 0
    updated: int = 0
    errors: list = field(default_factory=list)
    locations_placed: int = 0

    def summary(self):
        return (
            f"{self.created} neighbourhoods created, {self.updated} updated, "
            f"{len(self.errors)} rejected, {self.locations_placed} locations placed"
        )


def _first(props, keys):
    for key in keys:
        if props.get(key):
            return str(props[key])
    return ""


@transaction.atomic
def import_boundaries(place, source, *, kind="ward") -> BoundaryReport:
    """Load a GeoJSON FeatureCollection of (Multi)Polygons in WGS84; idempotent by area code.

    `source` is a path or an already-parsed dict. Afterwards every location of the place is
    put in the neighbourhood that contains it.
    """
    data = source
    if not isinstance(source, dict):
        with open(source, encoding="utf-8") as fh:
            data = json.load(fh)
    report = BoundaryReport()
    for number, feature in enumerate(data.get("features") or [], start=1):
        props = (feature or {}).get("properties") or {}
        name, code = _first(props, NAME_KEYS)[:200], _first(props, CODE_KEYS)[:40]
        geometry = (feature or {}).get("geometry")
        try:
            min_lon, min_lat, max_lon, max_lat = geo.geometry_bounds(geometry)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError):
            report.errors.append((number, code, "geometry is not a polygon"))
            continue
        if not name:
            report.errors.append((number, code, "feature has no name"))
            continue
        values = {
            "name": name,
            "geometry": geometry,
            "min_lon": min_lon,
            "min_lat": min_lat,
            "max_lon": max_lon,
            "max_lat": max_lat,
        }
        if code:
            _, created = Neighbourhood.objects.update_or_create(
                place=place, kind=kind, code=code, defaults=values
            )
        else:
            Neighbourhood.objects.create(place=place, kind=kind, code="", **values)
            created = True
        if created:
            report.created += 1
        else:
            report.updated += 1
    place._has_neighbourhoods = None  # forget the cached answer (see geo.neighbourhood_for)
    report.locations_placed = place_locations(place)
    return report


def place_locations(place) -> int:
    """Put each location with coordinates into its neighbourhood; returns how many have one."""
    placed = 0
    for loc in Location.objects.filter(place=place, latitude__isnull=False):
        found = geo.neighbourhood_for(place, loc.latitude, loc.longitude)
        if found is not None:
            placed += 1
        if (found.pk if found else None) != loc.neighbourhood_id:
            Location.objects.filter(pk=loc.pk).update(neighbourhood=found)
    return placed
