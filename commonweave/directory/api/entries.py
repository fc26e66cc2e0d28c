"""Directory entries: search them as the search page does, read one, and (coordinators and
place admins) create, change and mark them checked, list those due for review and read an
entry's history. Creating and changing run the edit page's own form and save, so the
rules and the history are the page's.

The directory holds no personal data, so reading it writes no audit event (as the pages).
"""

from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from ninja import Query, Router
from ninja.responses import Status

from commonweave.core.api.conflicts import answers_conflict
from commonweave.core.api.errors import InvalidInput
from commonweave.core.api.pagination import PageParams, paginate
from commonweave.core.api.schemas import Detail, Errors
from commonweave.core.versioning import check_version

from .. import referrals, selectors, services
from ..forms import EntryForm, SearchForm
from ..models import ChangeRecord, Service, ServiceAtLocation
from ._common import editor, named, raise_form_errors
from .schemas import (
    ChangePage,
    CheckedOut,
    EntryConflict,
    EntryFilters,
    EntryIn,
    EntryOut,
    EntryPage,
    EntryPatch,
    EntrySearch,
    ReviewPage,
)

router = Router(tags=["Directory: entries"])

READ = {404: Detail}
WRITE = {400: Errors, 404: Detail}
# --- writing an entry out ------------------------------------------------------------------


def _location_out(loc, *, neighbourhood=True):
    if loc.confidential:
        # Its area only, on every page and in every answer (see models.Location).
        return {"id": loc.id, "name": loc.public_name, "confidential": True}
    return {
        "id": loc.id,
        "name": loc.public_name,
        "confidential": False,
        "address_1": loc.address_1,
        "city": loc.city,
        "postal_code": loc.postal_code,
        "latitude": loc.latitude,
        "longitude": loc.longitude,
        "neighbourhood": loc.neighbourhood.name if neighbourhood and loc.neighbourhood_id else None,
    }


def _entry_out(service, *, can_edit=False):
    through_us = referrals.takes_commonweave_referrals(service)
    data = {name: getattr(service, name) for name in services.SERVICE_FIELDS}
    data.update(
        id=service.id,
        organization=named(service.organization),
        categories=[{"id": t.id, "name": t.name} for t in service.taxonomy_terms.all()],
        referral_organisation=named(service.referral_organisation),
        takes_referrals_through_commonweave=through_us,
        places_free=referrals.places_free(service) if through_us else None,
        starts_at=service.starts_at,
        ends_at=service.ends_at,
        last_checked_at=service.last_checked_at,
        needs_review=service.needs_review,
        updated_at=service.updated_at,
        version=service.version,
        locations=[_location_out(sal.location) for sal in service.at_locations.all()],
        schedules=list(service.schedules.all()),
        contacts=list(service.contacts.all()),
        languages=service.languages or [],
    )
    if can_edit:
        # What the edit page puts in its location fields for an editor, and nothing else.
        initial = EntryForm.initial_for(service)
        data["main_location"] = (
            {
                "name": initial["location_name"],
                "address_1": initial["address_1"],
                "city": initial["city"],
                "postal_code": initial["postal_code"],
                "confidential": initial["confidential"],
                "area": initial["area"],
            }
            if "location_name" in initial
            else None
        )
    return data


def _entry_get(viewer, entry_id, *, for_update=False):
    """The entry in the viewer's place (any status, as the entry page), else 404. With
    `for_update`, the bare row, locked until the caller's transaction ends."""
    entries = Service.objects.select_related("organization", "referral_organisation")
    if for_update:
        entries = entries.select_for_update(of=("self",))
    else:
        entries = entries.prefetch_related(
            Prefetch(
                "at_locations",
                queryset=ServiceAtLocation.objects.select_related("location__neighbourhood"),
            ),
            "schedules",
            "contacts",
            "taxonomy_terms",
        )
    service = entries.filter(place=viewer.place, pk=entry_id).first()
    if service is None:
        raise Http404
    return service


def _entries_on_page(ids):
    """The page's entries in the order found, with what the list shows (no N+1)."""
    found = (
        Service.objects.filter(id__in=ids)
        .select_related("organization")
        .prefetch_related(
            Prefetch(
                "at_locations",
                queryset=ServiceAtLocation.objects.select_related("location__neighbourhood"),
            )
        )
    )
    by_id = {s.id: s for s in found}
    return [by_id[i] for i in ids if i in by_id]


# --- finding -------------------------------------------------------------------------------


def _search(viewer, values: dict, paging):
    """Run the search page's form and search on `values` (the API's names)."""
    place = viewer.place
    data = {
        "q": values.get("text") or "",
        "category": str(values["category"]) if values.get("category") else "",
        "kind": values["kind"].value if values.get("kind") else "",
        "age": values.get("age"),
        "neighbourhood": str(values["neighbourhood"]) if values.get("neighbourhood") else "",
        "free": values.get("free", False),
        "open_now": values.get("open_now", False),
        "takes_referrals": values.get("takes_referrals", False),
        "postcode": values.get("postcode") or "",
        "lat": values.get("lat"),
        "lon": values.get("lon"),
    }
    form = SearchForm(data, place=place)
    problems = {}
    if data["neighbourhood"] and "neighbourhood" not in form.fields:
        problems["neighbourhood"] = "This place has no neighbourhoods yet"
    if (data["lat"] is None) != (data["lon"] is None):
        problems["lon" if data["lon"] is None else "lat"] = "Give both lat and lon"
    if data["postcode"] and data["lat"] is not None:
        problems["postcode"] = "Give a postcode or a point, not both"
    if problems:
        raise InvalidInput(problems)
    if not form.is_valid():
        raise_form_errors(form, rename={"q": "text"})
    results = selectors.find_services(place, form.filters())
    ids, envelope = paginate(results, paging)
    items = []
    for service in _entries_on_page(ids):
        item = {
            "id": service.id,
            "name": service.name,
            "kind": service.kind,
            "status": service.status,
            "organization": named(service.organization),
            "is_free": service.is_free,
            "takes_referrals": service.takes_referrals,
            "last_checked_at": service.last_checked_at,
            "locations": [_location_out(sal.location) for sal in service.at_locations.all()],
        }
        distance = results.distances.get(service.id)
        item["distance_m"] = round(distance) if distance is not None else None
        items.append(item)
    return {**envelope, "items": items}


@router.get(
    "/directory/entries", response={200: EntryPage, 400: Errors}, summary="Search the directory"
)
def entry_list(request, paging: PageParams, filters: Query[EntryFilters]):
    """Active entries matching every filter given, as the search page finds them: by
    relevance for text, else by name. To search near a postcode, use POST
    /directory/entries/search (a resident's postcode stays out of addresses and logs)."""
    return _search(request.auth, filters.model_dump(), paging)


@router.post(
    "/directory/entries/search",
    response={200: EntryPage, 400: Errors},
    summary="Search the directory, near a postcode or a point",
)
def entry_search(request, paging: PageParams, payload: EntrySearch):
    """The same search, with the filters in the body. Near a postcode or a point the nearest
    come first, each with its distance; confidential locations never count (their
    coordinates are not used or shown). A postcode we cannot find is a 400 naming it."""
    return _search(request.auth, payload.model_dump(), paging)


@router.get(
    "/directory/entries/due-for-review",
    response={200: ReviewPage, 404: Detail},
    summary="Entries not checked for 12 months",
)
def entries_due_for_review(request, paging: PageParams):
    """Coordinators and place admins: entries nobody has checked for 12 months, the longest
    unchecked first (as on the review page)."""
    viewer = editor(request.auth)
    rows, envelope = paginate(selectors.needing_review(viewer.place), paging)
    items = [
        {"id": s.id, "name": s.name, "status": s.status, "last_checked_at": s.last_checked_at}
        for s in rows
    ]
    return {**envelope, "items": items}


@router.get("/directory/entries/{uuid:entry_id}", response={200: EntryOut, **READ})
def entry_detail(request, entry_id: str):
    """One entry, whatever its status. A confidential location is only its area; editors
    also get `main_location`, as the edit page shows it to them."""
    viewer = request.auth
    return _entry_out(_entry_get(viewer, entry_id), can_edit=services.can_edit(viewer))


# --- changing ------------------------------------------------------------------------------

FORM_NAMES = {  # the API's name -> the edit page's field
    "organization_id": "organization",
    "category_ids": "categories",
    "referral_organisation_id": "referral_organisation",
}
LOCATION_NAMES = {  # the API's location.<name> -> the edit page's field
    "name": "location_name",
    "address_1": "address_1",
    "city": "city",
    "postal_code": "postal_code",
    "confidential": "confidential",
    "area": "area",
}
API_NAMES = {form: api for api, form in FORM_NAMES.items()} | {
    form: f"location.{api}" for api, form in LOCATION_NAMES.items()
}


def _form_data(values: dict, start=None) -> dict:
    """The edit form's data: `start` (the entry as the page fills it in) with `values` (the
    fields the API was sent, by its names) on top."""
    data = dict(start or {})
    for name in services.SERVICE_FIELDS:
        if name in values:
            value = values[name]
            data[name] = getattr(value, "value", value)
    if "languages" in values:
        data["languages"] = ", ".join(values["languages"] or [])
    if "organization_id" in values:
        data["organization"] = str(values["organization_id"] or "")
    if "category_ids" in values:
        data["categories"] = [str(term) for term in values["category_ids"] or []]
    if "referral_organisation_id" in values:
        given = values["referral_organisation_id"]
        data["referral_organisation"] = "" if given is None else str(given)
    for name, form_name in LOCATION_NAMES.items():
        if name in (values.get("location") or {}):
            data[form_name] = values["location"][name]
    return data


def _save(viewer, service, data):
    form = EntryForm(data, place=viewer.place)
    if not form.is_valid():
        raise_form_errors(form, rename=API_NAMES)
    return form.save(viewer, service)


@router.post("/directory/entries", response={201: EntryOut, **WRITE}, summary="Add an entry")
def entry_create(request, payload: EntryIn):
    """Coordinators and place admins. The entry's history records who added it."""
    viewer = editor(request.auth)
    service = _save(viewer, None, _form_data(payload.model_dump()))
    return Status(201, _entry_out(_entry_get(viewer, service.pk), can_edit=True))


@router.patch(
    "/directory/entries/{uuid:entry_id}",
    response={200: EntryOut, 409: EntryConflict, **WRITE},
    summary="Change an entry",
)
@answers_conflict(
    lambda request, current: _entry_out(_entry_get(editor(request.auth), current.pk), can_edit=True)
)
def entry_update(request, entry_id: str, payload: EntryPatch):
    """Coordinators and place admins. The fields sent change; the rest stay as they are,
    and the edit page's rules apply to the whole entry. Every change is kept in the
    entry's history (who, when, which fields)."""
    viewer = editor(request.auth)
    values = payload.model_dump(exclude_unset=True)
    version = values.pop("version", None)
    with transaction.atomic():
        service = _entry_get(viewer, entry_id, for_update=True)
        if version is not None:
            check_version(service, version)
        _save(viewer, service, _form_data(values, start=EntryForm.initial_for(service)))
    return _entry_out(_entry_get(viewer, entry_id), can_edit=True)


@router.post(
    "/directory/entries/{uuid:entry_id}/checked",
    response={200: CheckedOut, **READ},
    summary="Mark an entry checked",
)
def entry_mark_checked(request, entry_id: str):
    """Coordinators and place admins: the entry is still true today (kept in its history)."""
    viewer = editor(request.auth)
    service = Service.objects.filter(place=viewer.place, pk=entry_id).first()
    if service is None:
        raise Http404
    services.service_mark_checked(viewer=viewer, service=service)
    return {"id": service.id, "last_checked_at": service.last_checked_at}


@router.get(
    "/directory/entries/{uuid:entry_id}/history",
    response={200: ChangePage, 400: Errors, 404: Detail},
    summary="An entry's history",
)
def entry_history(request, entry_id: str, paging: PageParams):
    """Coordinators and place admins: who changed the entry, when, and which fields, newest
    first (as the entry page shows them)."""
    viewer = editor(request.auth)
    service = _entry_get(viewer, entry_id)
    changes = ChangeRecord.objects.filter(
        place=viewer.place, object_type="service", object_id=str(service.pk)
    ).select_related("actor")
    rows, envelope = paginate(changes, paging)
    items = [
        {
            "at": c.at,
            "by": getattr(c.actor, "name", "") or c.actor_label,
            "action": c.action,
            "fields": list(c.changes or {}),
            "note": c.note,
        }
        for c in rows
    ]
    return {**envelope, "items": items}
