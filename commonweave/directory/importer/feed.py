"""Import an ORUK/HSDS feed (already parsed JSON): each service record on its own.

Every record that can be a service is kept: a field that cannot be used is repaired where
the intent is clear (fields.py) or dropped with a warning naming the field and why, and a
nested record that cannot be used (a location with a postcode that is not a UK postcode,
say) is dropped alone with a warning. A record is rejected only when it cannot be a service
at all: no name, not a JSON object, or an id that appeared earlier in the feed or that
another place owns. Ids from the feed are kept (one that is not a UUID gives a stable UUID
made from it), so a re-import updates the same entries and, when nothing changed, writes
nothing at all (no history rows, no updated_at bumps).

A complete feed of a source (`complete=True` with a `source_key`) also retires what
vanished: services last imported from that source and absent from the feed are made
inactive (never deleted) and listed; one that comes back active is listed as restored.
"""

from contextlib import nullcontext
from datetime import UTC

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from commonweave.core.db import make_way_for_other_writers
from commonweave.core.perf import no_cyclic_gc

from ..enums import ChangeAction, ServiceStatus
from ..models import Contact, Organization, Schedule, Service, ServiceAtLocation
from ..services import buffered_changes, collect_new_rows, insert_new_rows, service_save
from .fields import (
    clean_age,
    clean_date,
    clean_email,
    clean_id,
    clean_number,
    clean_text,
    clean_time,
    clean_url,
    stable_id,
)
from .lookup import chunk_rows, existing_row, prefetch_chunk, remember_imported
from .nested import (
    FUNDING_FIELDS,
    LANGUAGE_FIELDS,
    PHONES,
    Notes,
    import_location,
    import_organization,
    import_term,
    json_rows,
    nested_id,
    sync_children,
)
from .report import ImportReport, Invalid

CHUNK = 500
SOURCE_KEY_MAX = 300
# What a feed's status may say, beyond our own values.
STATUS_ALIASES = {"temporarily_closed": ServiceStatus.TEMPORARILY_CLOSED, "closed": "inactive"}
# ORUK child rows kept as given in a JSON field of the service: {name: kind} of each.
COST_FIELDS = {
    "option": "line",
    "amount": "number",
    "currency": "line",
    "amount_description": "text",
    "valid_from": "date",
    "valid_to": "date",
}
AREA_FIELDS = {
    "name": "line",
    "extent": "text",
    "extent_type": "line",
    "uri": "url",
    "service_area": "text",
}
DOCUMENT_FIELDS = {"document": "text", "uri": "url"}
ATTRIBUTE_FIELDS = {"link_type": "line", "value": "text", "label": "line"}
# A service retired by an earlier complete import of its source is one of these.
NOT_RETIRED = [ServiceStatus.ACTIVE, ServiceStatus.TEMPORARILY_CLOSED]


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
    raise Invalid(_("the feed is not JSON objects"))


def service_id_of(place, raw, notes=None):
    """The record's service id: its own UUID; else a stable UUID made from the id it gives,
    or, with none, from its name; None for a record with neither."""
    if not isinstance(raw, dict):
        return None
    raw_id = raw.get("id")
    if raw_id not in (None, "") and not isinstance(raw_id, dict | list):
        try:
            return clean_id(raw_id, "service id")
        except Invalid:
            if notes is not None:
                notes.add(_("service id is not a UUID: an id was made from it"), "id")
            return stable_id(place.pk, "service", str(raw_id).strip())
    name = clean_text(raw.get("name"), 250)
    if not name:
        return None
    if notes is not None:
        notes.add(_("service id is missing: an id was made from its name"), "id")
    return stable_id(place.pk, "service name", name.lower())


def _status(raw, notes):
    value = raw.get("status")
    if value in (None, ""):
        return ServiceStatus.ACTIVE
    status = STATUS_ALIASES.get(str(value).strip().lower(), str(value).strip().lower())
    if status not in ServiceStatus.values:
        notes.add(
            _("status is not one of active, inactive, defunct, temporarily closed: active used"),
            "status",
        )
        return ServiceStatus.ACTIVE
    return status


def _ages(raw, notes):
    low = notes.take(clean_age, raw.get("minimum_age"), "minimum_age", default=None)
    high = notes.take(clean_age, raw.get("maximum_age"), "maximum_age", default=None)
    if low is not None and high is not None and low > high:
        notes.add(_("minimum_age is above maximum_age: both were dropped"), "minimum_age")
        return None, None
    return low, high


def import_service(
    place,
    raw,
    *,
    viewer=None,
    report,
    number,
    seen_ids,
    source_key="",
    notes=None,
    savepoint=True,
):
    """Check and import one ORUK service record (raises Invalid when it cannot be a
    service). Warnings go to `notes` (reason, field); the caller reports them.

    Its writes are one savepoint, so a failure part-way rolls back this record alone.
    `savepoint=False` (a bulk import's fast path) leaves that out: a failure once writing
    has begun then marks the whole transaction for rollback, and the caller redoes it."""
    notes = Notes() if notes is None else notes
    if not isinstance(raw, dict):
        raise Invalid(_("the record is not a JSON object"), "record")
    name = clean_text(raw.get("name"), 250)
    if not name:
        raise Invalid(_("the service has no name"), "name")
    service_id = service_id_of(place, raw, notes)
    if service_id in seen_ids:
        raise Invalid(_("duplicate id: this id appeared earlier in the feed"), "id")
    seen_ids.add(service_id)
    existing = existing_row(Service, service_id, place, "this service")
    status = _status(raw, notes)
    fees = clean_text(raw.get("fees"))
    costs = [c for c in raw.get("cost_options") or [] if isinstance(c, dict)]
    is_free = fees.lower() == "free" or any(
        c.get("amount") == 0 and not c.get("amount_description") for c in costs
    )
    minimum_age, maximum_age = _ages(raw, notes)
    data = {
        "id": service_id,
        "name": name,
        "description": clean_text(raw.get("description")),
        "url": notes.take(clean_url, raw.get("url"), "url"),
        "email": notes.take(clean_email, raw.get("email"), "email"),
        "status": status,
        "minimum_age": minimum_age,
        "maximum_age": maximum_age,
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
    data |= _extras(raw, service_id, notes)
    was_inactive = existing is not None and existing.status == ServiceStatus.INACTIVE
    with transaction.atomic(savepoint=savepoint):
        organization, organization_changed = _organization(place, raw, viewer, notes)
        terms, attribute_rows = [], []
        attributes = raw.get("attributes") if isinstance(raw.get("attributes"), list) else []
        for index, attribute in enumerate(attributes):
            term = (attribute or {}).get("taxonomy_term") if isinstance(attribute, dict) else None
            if isinstance(term, dict):
                try:
                    term_id = import_term(place, term, notes).pk
                except Invalid as exc:
                    notes.add(exc, exc.field or "attributes")
                    continue
                terms.append(term_id)
                (row,) = json_rows(
                    [attribute], "attribute", [service_id, index], ATTRIBUTE_FIELDS, notes
                )
                attribute_rows.append({**row, "taxonomy_term_id": str(term_id)})
        data["attribute_rows"] = attribute_rows
        locations = _locations(place, raw, service_id, viewer, notes)
        service = service_save(
            viewer=viewer,
            place=place,
            data=data,
            service=existing or Service(place=place, id=service_id, import_source=source_key),
            organization=organization,
            term_ids=terms,
            action=ChangeAction.IMPORTED,
        )
        if existing is not None and source_key and service.import_source != source_key:
            # Which source it came from is bookkeeping, not a change to the entry.
            Service.objects.filter(pk=service.pk).update(import_source=source_key)
            service.import_source = source_key
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
            Schedule, "service", service, _schedules(raw, service_id, notes), new=existing is None
        )
        changed |= sync_children(
            Contact, "service", service, _contacts(raw, service_id, notes), new=existing is None
        )
    service.imported_locations = [loc for _, loc in locations]
    service.imported_organization = organization
    if existing is None:
        report.created += 1
    elif changed:
        report.updated += 1
    else:
        report.unchanged += 1
    if was_inactive and service.status == ServiceStatus.ACTIVE:
        report.restored.append((service.pk, service.name))
    return service


def _organization(place, raw, viewer, notes):
    """(organisation or None, whether it changed); one that cannot be used is left out."""
    if isinstance(raw.get("organization"), dict):
        try:
            organization = import_organization(place, raw["organization"], viewer, notes)
        except Invalid as exc:
            notes.add(exc, exc.field or "organization")
            return None, False
        return organization, organization.changed
    if raw.get("organization_id"):
        try:
            org_id = clean_id(raw["organization_id"], "organization_id")
        except Invalid as exc:
            notes.add(exc, "organization_id")
            return None, False
        return Organization.objects.filter(place=place, pk=org_id).first(), False
    return None, False


def _locations(place, raw, service_id, viewer, notes):
    """[(service-at-location id, location)]; a location that cannot be used is left out."""
    locations, seen = [], set()
    for index, sal in enumerate(raw.get("service_at_locations") or []):
        if not isinstance(sal, dict) or not isinstance(sal.get("location"), dict):
            continue
        loc_raw = sal["location"]
        loc_id = nested_id(loc_raw.get("id"), "location id", service_id, index, notes=notes)
        sal_id = nested_id(sal.get("id"), "service_at_location id", service_id, loc_id)
        if sal_id in seen:
            continue
        try:  # Invalid is raised before anything of the location is written
            location = import_location(place, loc_raw, viewer, notes, loc_id)
        except Invalid as exc:
            notes.add(exc, exc.field or "location")
            continue
        seen.add(sal_id)
        locations.append((sal_id, location))
    return locations


def _extras(raw, service_id, notes):
    """The service's feed fields that no form edits (services.FEED_SERVICE_FIELDS)."""
    parents = [service_id]
    return {
        "source_modified": _modified(raw.get("last_modified"), notes),
        "accreditations": clean_text(raw.get("accreditations")),
        "assured_date": clean_date(raw.get("assured_date")),
        "assurer_email": notes.take(clean_email, raw.get("assurer_email"), "assurer_email"),
        "cost_options": json_rows(
            raw.get("cost_options"), "cost option", parents, COST_FIELDS, notes
        ),
        "service_areas": json_rows(
            raw.get("service_areas"), "service area", parents, AREA_FIELDS, notes
        ),
        "funding": json_rows(raw.get("funding"), "funding", parents, FUNDING_FIELDS, notes),
        "language_rows": json_rows(
            raw.get("languages"), "language", parents, LANGUAGE_FIELDS, notes
        ),
        "required_documents": json_rows(
            raw.get("required_documents"), "required document", parents, DOCUMENT_FIELDS, notes
        ),
    }


def _modified(value, notes):
    """The feed's last_modified (UTC; one without a zone is read as UTC), or None."""
    if value in (None, ""):
        return None
    try:
        found = parse_datetime(str(value).strip())
    except ValueError:
        found = None
    if found is None:
        notes.add(_("last_modified is not a date and time: it was dropped"), "last_modified")
        return None
    if timezone.is_naive(found):
        return timezone.make_aware(found, UTC)
    return found.astimezone(UTC)


def _interval(value):
    number = clean_number(value)
    return int(number) if isinstance(number, int) and 0 < number < 32768 else None


def _schedules(raw, service_id, notes):
    rows = {}
    for index, s in enumerate(raw.get("schedules") or []):
        if not isinstance(s, dict):
            continue
        rows[nested_id(s.get("id"), "schedule id", service_id, index)] = {
            "freq": s.get("freq") if s.get("freq") in ("WEEKLY", "MONTHLY") else "",
            "byday": clean_text(s.get("byday"), 40),
            "bymonthday": clean_text(s.get("bymonthday"), 100),
            "interval": _interval(s.get("interval")),
            "dtstart": clean_date(s.get("dtstart")),
            "valid_from": clean_date(s.get("valid_from")),
            "valid_to": clean_date(s.get("valid_to")),
            "opens_at": clean_time(s.get("opens_at")),
            "closes_at": clean_time(s.get("closes_at")),
            "description": clean_text(s.get("description")),
            "schedule_link": notes.take(clean_url, s.get("schedule_link"), "schedule_link"),
            "attending_type": clean_text(s.get("attending_type")),
            "notes": clean_text(s.get("notes")),
        }
    return rows


def _contacts(raw, service_id, notes):
    rows = {}
    for index, c in enumerate(raw.get("contacts") or []):
        if not isinstance(c, dict):
            continue
        contact_id = nested_id(c.get("id"), "contact id", service_id, index)
        phones = json_rows(
            c.get("phones"), "contact phone", [contact_id], PHONES.fields, notes, PHONES.needs
        )
        rows[contact_id] = {
            "name": clean_text(c.get("name"), 200),
            "title": clean_text(c.get("title"), 200),
            "department": clean_text(c.get("department"), 200),
            "email": notes.take(clean_email, c.get("email"), "contact email"),
            "phone": phones[0]["number"] if phones else "",
            "phones": phones,
        }
    return rows


def _record_id(raw):
    return str(raw.get("id", "") or "")[:64] if isinstance(raw, dict) else ""


def import_oruk(
    place, data, *, viewer=None, on_progress=None, complete=False, source_key=""
) -> ImportReport:
    """Import every service in an ORUK feed (already parsed JSON).

    `source_key` names where the feed came from (its address, or a name the importer
    gives it); services imported from it remember it. With `complete=True` the feed is
    the whole of that source: its services absent from it are retired (see retire_absent).
    """
    source_key = (source_key or "").strip()[:SOURCE_KEY_MAX]
    if complete and not source_key:
        raise ValueError("a complete import needs the source it is complete for")
    report = ImportReport(complete=complete, source_key=source_key)
    try:
        records = records_in(data)
    except Invalid as exc:
        report.reject(0, "", str(exc), "")
        return report
    report.records = len(records)
    seen = set()
    # Commit every CHUNK records (one fsync each). A chunk is first tried without a
    # savepoint per record (they were an eighth of the time); if a record fails once it has
    # begun writing, the chunk is rolled back and done again with a savepoint per record,
    # so a bad record rolls back alone. Records refused before writing need neither.
    # History rows are inserted once per chunk; rows the chunk names are looked up at once.
    for chunk_start in range(0, len(records), CHUNK):
        if chunk_start:
            make_way_for_other_writers()  # on SQLite, others get the lock between chunks
        chunk = records[chunk_start : chunk_start + CHUNK]
        arguments = (place, chunk, chunk_start, viewer, report, seen, source_key, on_progress)
        mark, seen_before = report.mark(), set(seen)
        try:
            _import_chunk(*arguments, savepoints=False)
        except _RedoWithSavepoints:
            report.back_to(mark)
            seen.clear()
            seen.update(seen_before)
            _import_chunk(*arguments, savepoints=True)
    if complete:
        retire_absent(place, records, report, viewer=viewer)
    return report


class _RedoWithSavepoints(Exception):
    """A record failed part-way in a chunk tried without savepoints: roll the chunk back."""


def _import_chunk(
    place, chunk, chunk_start, viewer, report, seen, source_key, on_progress, *, savepoints
):
    total = report.records
    token = chunk_rows.set(prefetch_chunk(chunk))
    try:
        # The cyclic collector is paused within a chunk (its thousands of short-lived
        # model instances hold no cycles; rescanning them was 5% of a 10,000 import)
        # and runs again between chunks.
        # Without savepoints, new locations, services and services' children wait and go in
        # once for the chunk; a conflict among them then sends the chunk round again, with a
        # savepoint per record and each row saved as it comes.
        collecting = collect_new_rows() if not savepoints else nullcontext({})
        with (
            no_cyclic_gc(),
            transaction.atomic(),
            buffered_changes() as history,
            collecting as new_rows,
        ):
            for offset, raw in enumerate(chunk):
                number = chunk_start + offset + 1
                mark = len(history)
                notes = Notes()
                try:
                    service = import_service(
                        place,
                        raw,
                        viewer=viewer,
                        report=report,
                        number=number,
                        seen_ids=seen,
                        source_key=source_key,
                        notes=notes,
                        savepoint=savepoints,
                    )
                    remember_imported(service)
                except (Invalid, IntegrityError) as exc:
                    if not savepoints and transaction.get_rollback():
                        raise _RedoWithSavepoints from exc
                    del history[mark:]  # that record's work was rolled back
                    if savepoints:
                        # Rows in memory may now differ from the database. (Without
                        # savepoints a record is refused here only before it wrote.)
                        chunk_rows.set({})
                    if isinstance(exc, Invalid):
                        reason, field = str(exc), exc.field
                    else:
                        reason, field = _("conflicting ids"), "id"
                    report.reject(number, _record_id(raw), reason, field)
                else:
                    for reason, field in notes:
                        report.warn(number, _record_id(raw), reason, field)
                    report.stored_with_warnings += bool(notes)
                if on_progress:
                    on_progress(number, total)
            if new_rows:
                try:
                    with transaction.atomic():
                        insert_new_rows(new_rows)
                except IntegrityError as exc:
                    raise _RedoWithSavepoints from exc
    finally:
        chunk_rows.reset(token)


def retire_absent(place, records, report, *, viewer=None):
    """Make inactive (never delete) the services last imported from the report's source
    that the complete feed `records` does not hold, and list them as retired. A record
    that was in the feed but rejected still counts as present. Retires nothing when the
    feed stored nothing, so an empty or unreadable feed cannot empty a directory."""
    if not report.stored:
        report.warn(
            0,
            "",
            _("nothing was stored from this complete feed, so nothing was retired"),
            "",
        )
        return
    present = {service_id_of(place, raw) for raw in records}
    candidates = Service.objects.filter(
        place=place, import_source=report.source_key, status__in=NOT_RETIRED
    ).only("id", "name", "status", "version", "updated_at", "place_id")
    absent = [s for s in candidates.iterator(chunk_size=CHUNK) if s.pk not in present]
    note = _("absent from a complete import of its source")
    for start in range(0, len(absent), CHUNK):
        with transaction.atomic(), buffered_changes():
            for service in Service.objects.filter(
                pk__in=[s.pk for s in absent[start : start + CHUNK]]
            ):
                service_save(
                    viewer=viewer,
                    place=place,
                    data={"status": ServiceStatus.INACTIVE},
                    service=service,
                    action=ChangeAction.IMPORTED,
                    note=note,
                )
                report.retired.append((service.pk, service.name))
