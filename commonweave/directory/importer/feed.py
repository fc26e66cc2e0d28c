"""Import an ORUK/HSDS feed (already parsed JSON): each service record on its own.

An invalid record is reported with its reason and skipped; the rest are imported. Ids from
the feed are kept, so a re-import updates the same entries and, when nothing changed,
writes nothing at all (no history rows, no updated_at bumps).
"""

from django.db import IntegrityError, transaction

from ..enums import ChangeAction, ServiceStatus
from ..models import Contact, Organization, Schedule, Service, ServiceAtLocation
from ..services import buffered_changes, service_save
from .fields import clean_age, clean_email, clean_id, clean_text, clean_time, clean_url
from .lookup import chunk_rows, existing_row, prefetch_chunk, remember_imported
from .nested import import_location, import_organization, import_term, sync_children
from .report import ImportReport, Invalid

CHUNK = 500


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


def import_service(place, raw, *, viewer=None, report, number, seen_ids):
    """Check and import one ORUK service record (raises Invalid)."""
    if not isinstance(raw, dict):
        raise Invalid("the record is not a JSON object")
    service_id = clean_id(raw.get("id"), "service id")
    if service_id in seen_ids:
        raise Invalid("duplicate id: this id appeared earlier in the feed")
    seen_ids.add(service_id)
    existing = existing_row(Service, service_id, place, "this service")
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
            organization = import_organization(place, raw["organization"], viewer)
            organization_changed = organization.changed
        elif raw.get("organization_id"):
            organization = Organization.objects.filter(
                place=place, pk=clean_id(raw["organization_id"], "organization_id")
            ).first()
        terms = []
        for attribute in raw.get("attributes") or []:
            term = (attribute or {}).get("taxonomy_term")
            if isinstance(term, dict):
                terms.append(import_term(place, term, report).pk)
        locations = []
        for sal in raw.get("service_at_locations") or []:
            if isinstance((sal or {}).get("location"), dict):
                sal_id = clean_id(sal.get("id"), "service_at_location id")
                locations.append(
                    (sal_id, import_location(place, sal["location"], viewer, report, number))
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
        changed |= sync_children(
            ServiceAtLocation,
            "service",
            service,
            {sal_id: {"place": place, "location": loc} for sal_id, loc in locations},
            new=existing is None,
        )
        changed |= sync_children(
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
        changed |= sync_children(
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
        token = chunk_rows.set(prefetch_chunk(chunk))
        try:
            with transaction.atomic(), buffered_changes() as history:
                for offset, raw in enumerate(chunk):
                    number = chunk_start + offset + 1
                    mark = len(history)
                    try:
                        service = import_service(
                            place, raw, viewer=viewer, report=report, number=number, seen_ids=seen
                        )
                        remember_imported(service)
                    except (Invalid, IntegrityError) as exc:
                        del history[mark:]  # that record's work was rolled back
                        chunk_rows.set({})  # rows in memory may now differ from the database
                        reason = str(exc) if isinstance(exc, Invalid) else "conflicting ids"
                        record_id = str(raw.get("id", ""))[:64] if isinstance(raw, dict) else ""
                        report.errors.append((number, record_id, reason))
                    if on_progress:
                        on_progress(number, len(records))
        finally:
            chunk_rows.reset(token)
    return report
