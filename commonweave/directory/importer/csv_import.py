"""A plain CSV with column mapping, turned into ORUK-shaped records and imported as a feed."""

import csv
import io
import uuid

from ..models import TaxonomyTerm
from .feed import import_oruk
from .report import ImportReport

CSV_FIELDS = [
    "id",
    "name",
    "description",
    "organization",
    "url",
    "email",
    "minimum_age",
    "maximum_age",
    "fees",
    "eligibility",
    "address_1",
    "city",
    "postcode",
    "latitude",
    "longitude",
    "category",
]

# Other column names people give our fields, for guessing a mapping (compared normalised).
ALIASES = {
    "name": ["title", "service name", "group name", "activity"],
    "description": ["details", "about", "summary"],
    "organization": ["organisation", "organisation name", "organization name", "provider"],
    "url": ["website", "web", "web address", "link"],
    "email": ["email address", "e-mail"],
    "minimum_age": ["min age", "age from", "youngest"],
    "maximum_age": ["max age", "age to", "oldest"],
    "fees": ["cost", "price", "fee"],
    "eligibility": ["who for", "who it is for", "eligibility description"],
    "address_1": ["address", "address line 1", "street"],
    "city": ["town", "town or city"],
    "postcode": ["post code", "postal code", "postal_code", "zip"],
    "latitude": ["lat"],
    "longitude": ["lon", "lng", "long"],
    "category": ["categories", "type", "taxonomy"],
}


def _normal(name: str) -> str:
    return " ".join(name.lower().replace("_", " ").replace("-", " ").split())


def csv_headers(text: str) -> list[str]:
    """The column names in a CSV's first row (blank ones left out)."""
    first = next(csv.reader(io.StringIO(text)), [])
    return [h.strip() for h in first if h and h.strip()]


def guess_mapping(headers) -> dict:
    """Our field -> the CSV column that looks like it ("" when none does)."""
    by_normal = {_normal(h): h for h in headers}
    mapping = {}
    for field in CSV_FIELDS:
        names = [field, *ALIASES.get(field, [])]
        mapping[field] = next((by_normal[_normal(n)] for n in names if _normal(n) in by_normal), "")
    return mapping


def csv_to_records(text: str, mapping: dict | None = None, *, place) -> list:
    """Rows of a plain CSV as ORUK-shaped records. `mapping` maps our field -> CSV column.

    Rows without an id get a stable one from their name and postcode, so a re-import of
    the same file updates the same entries.
    """
    mapping = {f: f for f in CSV_FIELDS} | (mapping or {})
    terms = {t.name.lower(): t for t in TaxonomyTerm.objects.filter(place=place)}
    terms |= {t.code.lower(): t for t in TaxonomyTerm.objects.filter(place=place) if t.code}
    records = []
    for row in csv.DictReader(io.StringIO(text)):

        def get(name, row=row):
            return (row.get(mapping.get(name, ""), "") or "").strip()

        key = get("id") or str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"csv:{place.slug}:{get('name')}:{get('postcode')}")
        )
        record = {
            "id": key,
            "name": get("name"),
            "description": get("description"),
            "url": get("url"),
            "email": get("email"),
            "minimum_age": get("minimum_age"),
            "maximum_age": get("maximum_age"),
            "fees": get("fees"),
            "eligibility_description": get("eligibility"),
        }
        if get("organization"):
            record["organization"] = {
                "id": str(
                    uuid.uuid5(uuid.NAMESPACE_URL, f"csv-org:{place.slug}:{get('organization')}")
                ),
                "name": get("organization"),
                "description": "",
            }
        if get("address_1") or get("postcode") or get("latitude"):
            loc_id = uuid.uuid5(uuid.NAMESPACE_URL, f"csv-loc:{key}")
            record["service_at_locations"] = [
                {
                    "id": str(uuid.uuid5(loc_id, "sal")),
                    "location": {
                        "id": str(loc_id),
                        "location_type": "physical",
                        "latitude": get("latitude"),
                        "longitude": get("longitude"),
                        "addresses": [
                            {
                                "address_1": get("address_1"),
                                "city": get("city"),
                                "postal_code": get("postcode"),
                                "country": "GB",
                            }
                        ],
                    },
                }
            ]
        category = get("category").lower()
        if category in terms:
            t = terms[category]
            record["attributes"] = [
                {
                    "taxonomy_term": {
                        "id": str(t.id),
                        "name": t.name,
                        "description": t.description,
                        "code": t.code,
                    }
                }
            ]
        records.append(record)
    return records


def import_csv(place, text: str, mapping=None, *, viewer=None, on_progress=None) -> ImportReport:
    return import_oruk(
        place, csv_to_records(text, mapping, place=place), viewer=viewer, on_progress=on_progress
    )
