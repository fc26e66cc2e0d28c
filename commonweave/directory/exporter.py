"""Export a place's directory as ORUK JSON, CSV and GeoJSON. Confidential locations are
left out of CSV and GeoJSON and shown only by their area in ORUK JSON."""

import csv
import io

from commonweave.core.export import neutralise

from . import oruk
from .importer import CSV_FIELDS
from .models import Location, Service


def _export_qs(place):
    return (
        Service.objects.filter(place=place)
        .select_related("organization")
        .prefetch_related(
            "at_locations__location", "schedules", "contacts", "taxonomy_terms__taxonomy"
        )
        .order_by("name", "id")
    )


def export_oruk(place) -> list:
    return [oruk.service_full(s) for s in _export_qs(place)]


def _safe_cell(value):
    """Numbers stay numbers (a negative longitude is not a formula); text cannot become one
    in a spreadsheet (no cell starts with = + - @, so no formula runs)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return neutralise(value)


def export_csv(place) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    cell = _safe_cell
    for s in _export_qs(place):
        sals = list(s.at_locations.all())
        loc = sals[0].location if sals else None
        public = loc is not None and not loc.confidential
        writer.writerow(
            [
                cell(v)
                for v in (
                    s.id,
                    s.name,
                    s.description,
                    s.organization.name if s.organization_id else "",
                    s.url,
                    s.email,
                    s.minimum_age if s.minimum_age is not None else "",
                    s.maximum_age if s.maximum_age is not None else "",
                    "Free" if s.is_free else s.fees_description,
                    s.eligibility,
                    loc.address_1 if public else "",
                    loc.city if public else "",
                    loc.postal_code if public else "",
                    loc.latitude if public and loc.latitude is not None else "",
                    loc.longitude if public and loc.longitude is not None else "",
                    ";".join(t.name for t in s.taxonomy_terms.all()),
                )
            ]
        )
    return out.getvalue()


def export_geojson(place) -> dict:
    """One Point feature per public location with its services. Confidential ones are left out."""
    features = []
    locations = (
        Location.objects.filter(place=place, confidential=False, latitude__isnull=False)
        .prefetch_related("at_locations__service")
        .order_by("name", "id")
    )
    for loc in locations:
        features.append(
            {
                "type": "Feature",
                "id": str(loc.id),
                "geometry": {"type": "Point", "coordinates": [loc.longitude, loc.latitude]},
                "properties": {
                    "name": loc.name,
                    "address": ", ".join(
                        p for p in [loc.address_1, loc.city, loc.postal_code] if p
                    ),
                    "services": [
                        {"id": str(sal.service_id), "name": sal.service.name}
                        for sal in loc.at_locations.all()
                    ],
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}
