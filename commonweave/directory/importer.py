"""Import an ORUK/HSDS feed or a CSV; export ORUK JSON, CSV and GeoJSON.

Each record is checked on its own: an invalid one is reported with its reason and skipped,
the rest are imported. Ids from the feed are kept, so a re-import updates the same entries
and, when nothing changed, writes nothing at all (no history rows, no updated_at bumps).
"""

import csv
import io
import json
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import time
from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.html import strip_tags

from . import geo
from .enums import ChangeAction, ServiceStatus
from .models import (
    Contact,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from .services import buffered_changes, location_save, organization_save, service_save

CHUNK = 500


class Invalid(ValueError):
    """One record cannot be imported; the message says why (no personal data)."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)  # (record number, id or "", reason)
    warnings: list = field(default_factory=list)

    @property
    def imported(self):
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.errors)} rejected"
        )


# ---- field checks -------------------------------------------------------------------------


def clean_text(value, limit=None) -> str:
    """Text as text: HTML tags are removed (descriptions are shown as plain text anyway)."""
    if value is None:
        return ""
    text = strip_tags(str(value)).strip()
    return text[:limit] if limit else text


def clean_url(value, what="url") -> str:
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlparse(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid(f"{what} must be an http or https address")
    return value[:500]


def clean_email(value) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise Invalid("email is not a valid address") from None
    return value


def clean_id(value, what="id") -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise Invalid(f"{what} is missing or not a UUID") from None


def clean_age(value, what):
    if value in (None, ""):
        return None
    try:
        age = int(float(value))
    except (TypeError, ValueError):
        raise Invalid(f"{what} is not a number") from None
    if not 0 <= age <= 130:
        raise Invalid(f"{what} is out of range")
    return age


def clean_coord(value, low, high):
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def clean_time(value):
    if not value:
        return None
    try:
        return time.fromisoformat(str(value)[:8])
    except ValueError:
        return None


# ---- ORUK JSON ----------------------------------------------------------------------------


def records_in(data) -> list:
    """The service records in a feed: a Page, a list, one service or an organisation."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        if isinstance(data.get("contents"), list):
            return data["contents"]
        if isinstance(data.get("services"), list):
            org = {k: v for k, v in data.items() if k != "services"}
            return [{**s, "organization": s.get("organization") or org} for s in data["services"]]
        return [data]
    raise Invalid("the feed is not JSON objects")


# Rows looked up in bulk for the chunk being imported: {model: {pk: row or None}}.
_known: ContextVar[dict | None] = ContextVar("directory_import_known", default=None)


def _prefetch(records):
    """Look up, in three queries, the services, locations and organisations a chunk names."""
    ids = {Service: set(), Location: set(), Organization: set()}
    for raw in records:
        if not isinstance(raw, dict):
            continue
        ids[Service].add(raw.get("id"))
        if isinstance(raw.get("organization"), dict):
            ids[Organization].add(raw["organization"].get("id"))
        for sal in raw.get("service_at_locations") or []:
            if isinstance(sal, dict) and isinstance(sal.get("location"), dict):
                ids[Location].add(sal["location"].get("id"))
    known = {}
    for model, raw_ids in ids.items():
        valid = set()
        for value in raw_ids:
            try:
                valid.add(uuid.UUID(str(value)))
            except (ValueError, TypeError, AttributeError):
                continue
        found = model.objects.in_bulk(list(valid))
        known[model] = {pk: found.get(pk) for pk in valid}
    return known


def _existing(model, pk, place, what):
    """The row with this id, if any; Invalid if another place's directory owns it."""
    known = (_known.get() or {}).get(model)
    in_memory = known is not None and pk in known
    found = known[pk] if in_memory else model.objects.filter(pk=pk).first()
    if found is not None and found.place_id != place.pk:
        raise Invalid(f"{what} id is used by another directory")
    return found


def _term(place, raw, report):
    term_id = clean_id(raw.get("id"), "taxonomy term id")
    term = _existing(TaxonomyTerm, term_id, place, "a taxonomy term")
    taxonomy = None
    if raw.get("taxonomy_id"):
        tax_id = clean_id(raw["taxonomy_id"], "taxonomy id")
        taxonomy, _ = Taxonomy.objects.get_or_create(
            id=tax_id,
            defaults={"place": place, "name": clean_text(raw.get("taxonomy"), 200) or "Imported"},
        )
    name = clean_text(raw.get("name"), 200)
    if not name:
        raise Invalid("a taxonomy term has no name")
    wanted = {
        "name": name,
        "description": clean_text(raw.get("description")),
        "code": clean_text(raw.get("code") or raw.get("term"), 100),
    }
    if term is None:
        term = TaxonomyTerm.objects.create(id=term_id, place=place, taxonomy=taxonomy, **wanted)
    elif any(getattr(term, k) != v for k, v in wanted.items()):
        for k, v in wanted.items():
            setattr(term, k, v)
        term.save()
    return term


def _location(place, raw, viewer, report, number):
    loc_id = clean_id(raw.get("id"), "location id")
    location = _existing(Location, loc_id, place, "a location")
    address = (raw.get("addresses") or [{}])[0] or {}
    country = (address.get("country") or "GB").upper()[:2]
    postcode = (address.get("postal_code") or raw.get("postal_code") or "").strip()
    if postcode and country == "GB":
        normal = geo.normalise_postcode(postcode)
        if not normal:
            raise Invalid("a location has a postcode that is not a UK postcode")
        postcode = normal
    lat = clean_coord(raw.get("latitude"), -90, 90)
    lon = clean_coord(raw.get("longitude"), -180, 180)
    if (raw.get("latitude") not in (None, "") and lat is None) or (
        raw.get("longitude") not in (None, "") and lon is None
    ):
        report.warnings.append((number, str(loc_id), "coordinates out of range were dropped"))
        lat = lon = None
    data = {
        "name": clean_text(raw.get("name"), 250),
        "description": clean_text(raw.get("description")),
        "address_1": clean_text(address.get("address_1"), 250),
        "address_2": clean_text(address.get("address_2"), 250),
        "city": clean_text(address.get("city"), 120),
        "state_province": clean_text(address.get("state_province"), 120),
        "postal_code": postcode[:10],
        "latitude": lat,
        "longitude": lon,
    }
    if "confidential" in raw:
        data["confidential"] = bool(raw["confidential"])
    data["country"] = country
    location = location or Location(place=place, id=loc_id)
    return location_save(
        viewer=viewer, place=place, data=data, location=location, action=ChangeAction.IMPORTED
    )


def _organization(place, raw, viewer):
    org_id = clean_id(raw.get("id"), "organization id")
    existing = _existing(Organization, org_id, place, "an organization")
    name = clean_text(raw.get("name"), 250)
    if not name:
        raise Invalid("an organization has no name")
    data = {
        "id": org_id,
        "name": name,
        "description": clean_text(raw.get("description")),
        "email": clean_email(raw.get("email")),
        "website": clean_url(raw.get("website"), "organization website"),
        "logo": clean_url(raw.get("logo"), "organization logo"),
        "uri": clean_url(raw.get("uri"), "organization uri"),
    }
    return organization_save(
        viewer=viewer, place=place, data=data, organization=existing, action=ChangeAction.IMPORTED
    )


def _sync_children(model, parent_field, parent, rows, *, new=False):
    """Make the parent's children exactly `rows` ({id: fields}); write only what differs."""
    changed = False
    current = {} if new else {o.pk: o for o in model.objects.filter(**{parent_field: parent})}
    for pk, fields in rows.items():
        obj = current.pop(pk, None)
        if obj is None:
            model.objects.create(id=pk, **{parent_field: parent}, **fields)
            changed = True
        elif any(getattr(obj, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(obj, k, v)
            obj.save()
            changed = True
    if current:
        model.objects.filter(pk__in=list(current)).delete()
        changed = True
    return changed


def import_service(place, raw, *, viewer=None, report, number, seen_ids):
    """Check and import one ORUK service record (raises Invalid)."""
    if not isinstance(raw, dict):
        raise Invalid("the record is not a JSON object")
    service_id = clean_id(raw.get("id"), "service id")
    if service_id in seen_ids:
        raise Invalid("duplicate id: this id appeared earlier in the feed")
    seen_ids.add(service_id)
    existing = _existing(Service, service_id, place, "this service")
    name = clean_text(raw.get("name"), 250)
    if not name:
        raise Invalid("the service has no name")
    status = raw.get("status") or ServiceStatus.ACTIVE
    if status not in ServiceStatus.values:
        raise Invalid("status is not one of active, inactive, defunct, temporarily closed")
    fees = clean_text(raw.get("fees"))
    costs = raw.get("cost_options") or []
    is_free = fees.lower() == "free" or any(
        (c or {}).get("amount") == 0 and not (c or {}).get("amount_description") for c in costs
    )
    data = {
        "id": service_id,
        "name": name,
        "description": clean_text(raw.get("description")),
        "url": clean_url(raw.get("url")),
        "email": clean_email(raw.get("email")),
        "status": status,
        "minimum_age": clean_age(raw.get("minimum_age"), "minimum_age"),
        "maximum_age": clean_age(raw.get("maximum_age"), "maximum_age"),
        "alert": clean_text(raw.get("alert")),
        "fees_description": "" if fees.lower() == "free" else fees,
        "is_free": is_free,
        "eligibility": clean_text(raw.get("eligibility_description")),
        "how_to_access": clean_text(raw.get("application_process")),
        "languages": sorted(
            {
                clean_text(lang.get("code"), 10).lower()
                for lang in raw.get("languages") or []
                if isinstance(lang, dict) and lang.get("code")
            }
        ),
    }
    # Check the nested records before writing anything for this record.
    with transaction.atomic():
        organization, organization_changed = None, False
        if isinstance(raw.get("organization"), dict):
            organization = _organization(place, raw["organization"], viewer)
            organization_changed = organization.changed
        elif raw.get("organization_id"):
            organization = Organization.objects.filter(
                place=place, pk=clean_id(raw["organization_id"], "organization_id")
            ).first()
        terms = []
        for attribute in raw.get("attributes") or []:
            term = (attribute or {}).get("taxonomy_term")
            if isinstance(term, dict):
                terms.append(_term(place, term, report).pk)
        locations = []
        for sal in raw.get("service_at_locations") or []:
            if isinstance((sal or {}).get("location"), dict):
                sal_id = clean_id(sal.get("id"), "service_at_location id")
                locations.append(
                    (sal_id, _location(place, sal["location"], viewer, report, number))
                )
        service = service_save(
            viewer=viewer,
            place=place,
            data=data,
            service=existing,
            organization=organization,
            term_ids=terms,
            action=ChangeAction.IMPORTED,
        )
        changed = (
            service.changed or organization_changed or any(loc.changed for _, loc in locations)
        )
        changed |= _sync_children(
            ServiceAtLocation,
            "service",
            service,
            {sal_id: {"place": place, "location": loc} for sal_id, loc in locations},
            new=existing is None,
        )
        changed |= _sync_children(
            Schedule,
            "service",
            service,
            {
                clean_id(s.get("id"), "schedule id"): {
                    "freq": s.get("freq") if s.get("freq") in ("WEEKLY", "MONTHLY") else "",
                    "byday": clean_text(s.get("byday"), 40),
                    "opens_at": clean_time(s.get("opens_at")),
                    "closes_at": clean_time(s.get("closes_at")),
                    "description": clean_text(s.get("description")),
                }
                for s in raw.get("schedules") or []
                if isinstance(s, dict)
            },
            new=existing is None,
        )
        changed |= _sync_children(
            Contact,
            "service",
            service,
            {
                clean_id(c.get("id"), "contact id"): {
                    "name": clean_text(c.get("name"), 200),
                    "title": clean_text(c.get("title"), 200),
                    "email": clean_email(c.get("email")),
                    "phone": clean_text(((c.get("phones") or [{}])[0] or {}).get("number"), 40),
                }
                for c in raw.get("contacts") or []
                if isinstance(c, dict)
            },
            new=existing is None,
        )
    service.imported_locations = [loc for _, loc in locations]
    service.imported_organization = organization
    if existing is None:
        report.created += 1
    elif changed:
        report.updated += 1
    else:
        report.unchanged += 1
    return service


def import_oruk(place, data, *, viewer=None, on_progress=None) -> ImportReport:
    """Import every service in an ORUK feed (already parsed JSON)."""
    report = ImportReport()
    try:
        records = records_in(data)
    except Invalid as exc:
        report.errors.append((0, "", str(exc)))
        return report
    seen = set()
    # Commit every CHUNK records (one fsync each); each record is its own savepoint inside,
    # so a bad record rolls back alone.
    # History rows are inserted once per chunk; rows the chunk names are looked up at once.
    for chunk_start in range(0, len(records), CHUNK):
        chunk = records[chunk_start : chunk_start + CHUNK]
        token = _known.set(_prefetch(chunk))
        try:
            with transaction.atomic(), buffered_changes() as history:
                for offset, raw in enumerate(chunk):
                    number = chunk_start + offset + 1
                    mark = len(history)
                    try:
                        service = import_service(
                            place, raw, viewer=viewer, report=report, number=number, seen_ids=seen
                        )
                        _remember(service)
                    except (Invalid, IntegrityError) as exc:
                        del history[mark:]  # that record's work was rolled back
                        _known.set({})  # rows in memory may now differ from the database
                        reason = str(exc) if isinstance(exc, Invalid) else "conflicting ids"
                        record_id = str(raw.get("id", ""))[:64] if isinstance(raw, dict) else ""
                        report.errors.append((number, record_id, reason))
                    if on_progress:
                        on_progress(number, len(records))
        finally:
            _known.reset(token)
    return report


def _remember(service):
    """Later records in the chunk may name rows this one created."""
    known = _known.get()
    if not known:
        return
    known.setdefault(Service, {})[service.pk] = service
    for location in getattr(service, "imported_locations", []):
        known.setdefault(Location, {})[location.pk] = location
    if getattr(service, "imported_organization", None) is not None:
        known.setdefault(Organization, {})[service.organization_id] = service.imported_organization


MAX_FEED_BYTES = 200 * 1024 * 1024  # SAFETY 11: imports have a size limit


def read_limited(fh, limit=None) -> bytes:
    limit = limit or MAX_FEED_BYTES
    data = fh.read(limit + 1)
    if len(data) > limit:
        raise Invalid(f"the file is larger than {limit // (1024 * 1024)} MB")
    return data


def load_json(source: str):
    """Parse a feed from a file path or an http(s) URL (Invalid if too big or not JSON)."""
    if source.startswith(("http://", "https://")):
        from urllib.request import urlopen

        with urlopen(source, timeout=30) as response:  # noqa: S310 (scheme checked above)
            raw = read_limited(response)
    else:
        with open(source, "rb") as fh:
            raw = read_limited(fh)
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise Invalid("the file is not JSON") from None


def load_text(path: str) -> str:
    """A CSV file's text (Invalid if too big or not UTF-8)."""
    with open(path, "rb") as fh:
        raw = read_limited(fh)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("the file is not UTF-8 text") from None


# ---- CSV ----------------------------------------------------------------------------------

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


# ---- A place's own taxonomy ---------------------------------------------------------------


def import_taxonomy_csv(place, text: str, *, name: str) -> ImportReport:
    """Load a place's own category list: CSV columns name, description, and optionally id,
    code and parent (a parent's code or name). Idempotent: ids derive from the taxonomy name
    and each term's code (or name) unless the file gives them.
    """
    report = ImportReport()
    taxonomy_id = uuid.uuid5(uuid.NAMESPACE_URL, f"taxonomy:{place.slug}:{name}")
    taxonomy, _ = Taxonomy.objects.get_or_create(
        id=taxonomy_id, defaults={"place": place, "name": name[:200]}
    )
    if taxonomy.place_id != place.pk:
        report.errors.append((0, str(taxonomy_id), "this taxonomy id is used by another directory"))
        return report
    rows = list(csv.DictReader(io.StringIO(text)))
    by_key, parents = {}, []
    with transaction.atomic():
        for number, row in enumerate(rows, start=1):
            row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            term_name = clean_text(row.get("name"), 200)
            if not term_name:
                report.errors.append((number, row.get("id", ""), "the term has no name"))
                continue
            key = row.get("code") or term_name
            try:
                term_id = (
                    clean_id(row["id"], "term id")
                    if row.get("id")
                    else uuid.uuid5(taxonomy_id, key.lower())
                )
                existing = _existing(TaxonomyTerm, term_id, place, "a taxonomy term")
            except Invalid as exc:
                report.errors.append((number, row.get("id", ""), str(exc)))
                continue
            wanted = {
                "name": term_name,
                "description": clean_text(row.get("description")),
                "code": clean_text(row.get("code"), 100),
                "taxonomy": taxonomy,
            }
            if existing is None:
                term = TaxonomyTerm.objects.create(id=term_id, place=place, **wanted)
                report.created += 1
            elif any(getattr(existing, k) != v for k, v in wanted.items()):
                for k, v in wanted.items():
                    setattr(existing, k, v)
                existing.save()
                term, report.updated = existing, report.updated + 1
            else:
                term, report.unchanged = existing, report.unchanged + 1
            by_key[key.lower()] = by_key[term_name.lower()] = term
            parents.append((number, term, row.get("parent", "")))
        for number, term, parent_key in parents:
            parent = by_key.get(parent_key.lower()) if parent_key else None
            if parent_key and parent is None:
                report.warnings.append((number, str(term.id), "parent not found in the file"))
            if (parent.pk if parent else None) != term.parent_id:
                TaxonomyTerm.objects.filter(pk=term.pk).update(parent=parent)
    return report
