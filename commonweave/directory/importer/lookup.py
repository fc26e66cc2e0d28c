"""Rows a chunk of the feed names, looked up in bulk, and the place check for each id."""

import uuid
from contextvars import ContextVar

from django.utils.translation import gettext as _

from ..models import Location, Organization, Service
from .report import Invalid

# Rows looked up in bulk for the chunk being imported: {model: {pk: row or None}}.
chunk_rows: ContextVar[dict | None] = ContextVar("directory_import_known", default=None)


def prefetch_chunk(records):
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


def existing_row(model, pk, place, what):
    """The row with this id, if any; Invalid if another place's directory owns it."""
    known = (chunk_rows.get() or {}).get(model)
    in_memory = known is not None and pk in known
    found = known[pk] if in_memory else model.objects.filter(pk=pk).first()
    if found is not None and found.place_id != place.pk:
        raise Invalid(_("%(what)s id is used by another directory") % {"what": what}, "id")
    return found


def remember_imported(service):
    """Later records in the chunk may name rows this one created."""
    known = chunk_rows.get()
    if not known:
        return
    known.setdefault(Service, {})[service.pk] = service
    for location in getattr(service, "imported_locations", []):
        known.setdefault(Location, {})[location.pk] = location
    if getattr(service, "imported_organization", None) is not None:
        known.setdefault(Organization, {})[service.organization_id] = service.imported_organization
