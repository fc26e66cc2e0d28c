"""Writes to the directory. Every change to an entry keeps a ChangeRecord (who, when, what)."""

import secrets
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, time

from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone

from commonweave.tenancy.enums import Role

from . import geo, search
from .enums import ChangeAction, SuggestionStatus
from .models import (
    ChangeRecord,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    Suggestion,
    Taxonomy,
    TaxonomyTerm,
)

# Fields of a Service that people may edit or suggest, in the order forms show them.
SERVICE_FIELDS = [
    "name",
    "kind",
    "description",
    "url",
    "email",
    "status",
    "minimum_age",
    "maximum_age",
    "eligibility",
    "is_free",
    "fees_description",
    "how_to_access",
    "accessibility",
    "languages",
    "alert",
    "takes_referrals",
    "capacity",
    "referral_places",
]
# Set by coordinators on the entry page, never by a suggestion or a feed.
STAFF_FIELDS = ["referral_organisation_id"]
LOCATION_FIELDS = [
    "name",
    "description",
    "address_1",
    "address_2",
    "city",
    "state_province",
    "postal_code",
    "latitude",
    "longitude",
    "confidential",
    "area",
    "country",
]
# Fields only a feed fills (no form edits them): kept as the feed gave them, and their
# changes recorded in the history like any other.
FEED_SERVICE_FIELDS = [
    "accreditations",
    "assured_date",
    "assurer_email",
    "cost_options",
    "service_areas",
    "funding",
    "language_rows",
    "attribute_rows",
    "required_documents",
]
FEED_ORGANIZATION_FIELDS = [
    "parent_organization_id",
    "identifiers",
    "funding",
    "contacts",
    "phones",
    "programs",
]
FEED_LOCATION_FIELDS = [
    "external_identifier",
    "external_identifier_type",
    "address_id",
    "attention",
    "region",
    "address_type",
    "accessibility",
]
UNSET = object()  # "leave as it is", as opposed to None ("no organisation")

DEFAULT_TAXONOMY_NAME = "Commonweave community assets"
DEFAULT_TERMS = [
    ("food", "Food and lunch clubs", "Meals, lunch clubs, food banks and community pantries."),
    ("social", "Social groups and friendship", "Coffee mornings, clubs and befriending."),
    ("physical", "Physical activity", "Walks, sport, dance and exercise groups."),
    ("mental", "Mental health and wellbeing", "Talking therapies, peer support, wellbeing."),
    ("bereavement", "Bereavement", "Support after someone dies."),
    ("money", "Money, debt and benefits", "Advice on debt, benefits and budgeting."),
    ("housing", "Housing", "Housing advice, repairs and homelessness support."),
    ("learning", "Learning and skills", "Classes, digital skills and English language."),
    ("work", "Work and volunteering", "Jobs, training and volunteering."),
    ("carers", "Carers", "Support for unpaid carers."),
    ("families", "Children and families", "Play, parenting and family support."),
    ("older", "Older people", "Groups and services for older people."),
    ("health", "Health", "Health services and long-term conditions."),
    ("arts", "Arts, crafts and culture", "Making, music, gardening and culture."),
    ("faith", "Faith and belief", "Faith groups and spaces."),
    ("spaces", "Informal spaces", "Shops, cafés, parks and places people meet."),
]


def _uuid_for(place, *parts) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"commonweave:{place.slug}:" + ":".join(parts))


def _actor(viewer):
    if viewer is None:
        return None, "system"
    return viewer.user_id, viewer.label


def can_edit(viewer) -> bool:
    return bool(viewer) and viewer.has_role(Role.COORDINATOR, Role.PLACE_ADMIN)


def _require_editor(viewer):
    if not can_edit(viewer):
        raise PermissionDenied


def _jsonable(value):
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _apply(obj, data: dict, fields) -> dict:
    """Set the given fields; return {field: [before, after]} for those that changed."""
    changes = {}
    for name in fields:
        if name not in data:
            continue
        before, after = getattr(obj, name), data[name]
        if before != after:
            changes[name] = [_jsonable(before), _jsonable(after)]
            setattr(obj, name, after)
    return changes


_change_buffer: ContextVar[list | None] = ContextVar("directory_change_buffer", default=None)


@contextmanager
def buffered_changes():
    """Collect ChangeRecords and insert them in one statement at the end (bulk imports).

    Yields the list: a caller that rolls back part of its work truncates it to match.
    """
    buffer = []
    token = _change_buffer.set(buffer)
    try:
        yield buffer
        ChangeRecord.objects.bulk_create(buffer, batch_size=1000)
    finally:
        _change_buffer.reset(token)


# A bulk import's fast path (importer.feed._import_chunk, without a savepoint per record)
# collects new rows here, by model, and inserts them once per chunk (insert_new_rows)
# instead of one INSERT each. Rows waiting are marked saved, so the chunk's later records
# find them as existing; a conflict when they go in sends the chunk round again the slow way.
_new_rows: ContextVar[dict | None] = ContextVar("directory_new_rows", default=None)


@contextmanager
def collect_new_rows():
    rows: dict = {}
    token = _new_rows.set(rows)
    try:
        yield rows
    finally:
        _new_rows.reset(token)


def collecting_new_rows() -> dict | None:
    return _new_rows.get()


def insert_new_rows(rows: dict) -> None:
    """Insert what collect_new_rows gathered, one statement per model per 500 rows, in the
    order they were first collected (locations and services before what refers to them)."""
    for model, objects in rows.items():
        model.objects.bulk_create(objects, batch_size=500)
    rows.clear()


def _save_row(obj, created: bool) -> None:
    rows = _new_rows.get()
    if created and rows is not None:
        rows.setdefault(type(obj), []).append(obj)
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS
        return
    obj.save()


def record_change(*, place, viewer, obj, action, changes=None, note=""):
    actor_id, label = _actor(viewer)
    record = ChangeRecord(
        place=place,
        actor_id=actor_id,
        actor_label=label,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        action=action,
        changes=changes or {},
        note=note[:300],
    )
    buffer = _change_buffer.get()
    if buffer is not None:
        buffer.append(record)
    else:
        record.save()
    return record


def reindex_service(service, term_names=None, *, save=True):
    """Refresh the service's search words (call after its name, text or terms change)."""
    names = term_names
    if names is None:
        names = list(service.taxonomy_terms.values_list("name", flat=True))
    service.search_text = search.search_text_for(service, names)
    if save:
        Service.objects.filter(pk=service.pk).update(search_text=service.search_text)
    search.remember_words(service.place, service.search_text)


@transaction.atomic
def ensure_default_taxonomy(place) -> Taxonomy:
    """The default taxonomy and its terms for a place (idempotent: fixed ids per place)."""
    taxonomy, _ = Taxonomy.objects.get_or_create(
        id=_uuid_for(place, "taxonomy", "default"),
        defaults={
            "place": place,
            "name": DEFAULT_TAXONOMY_NAME,
            "description": "The categories Commonweave ships with; a place may load its own.",
            "version": "1",
        },
    )
    for code, name, description in DEFAULT_TERMS:
        TaxonomyTerm.objects.get_or_create(
            id=_uuid_for(place, "term", code),
            defaults={
                "place": place,
                "taxonomy": taxonomy,
                "code": code,
                "name": name,
                "description": description,
            },
        )
    return taxonomy


@transaction.atomic(savepoint=False)
def organization_save(*, viewer, place, data: dict, organization=None, action=None):
    fields = ["name", "description", "email", "website", "logo", "uri", *FEED_ORGANIZATION_FIELDS]
    created = organization is None or organization._state.adding
    organization = organization or Organization(place=place, id=data.get("id") or uuid.uuid4())
    changes = _apply(organization, data, fields)
    organization.changed = created or bool(changes)
    if created or changes:
        organization.updated_at = timezone.now()
        organization.save()
        record_change(
            place=place,
            viewer=viewer,
            obj=organization,
            action=action or (ChangeAction.CREATED if created else ChangeAction.UPDATED),
            changes=changes,
        )
    return organization


@transaction.atomic(savepoint=False)
def location_save(*, viewer, place, data: dict, location=None, action=None):
    """Create or update a location; it falls into the neighbourhood containing it."""
    created = location is None or location._state.adding
    location = location or Location(place=place, id=data.get("id") or uuid.uuid4())
    if "postal_code" in data and data.get("country", location.country) == "GB":
        data = {**data, "postal_code": geo.normalise_postcode(data["postal_code"])}
    changes = _apply(location, data, LOCATION_FIELDS)
    if (created or changes) and location.latitude is None and location.postal_code:
        found = geo.lookup_postcode(location.postal_code)
        if found:
            location.latitude, location.longitude = found
    changes |= _apply(location, data, FEED_LOCATION_FIELDS)
    location.changed = created or bool(changes)
    if created or changes:
        location.neighbourhood = geo.neighbourhood_for(place, location.latitude, location.longitude)
        location.updated_at = timezone.now()
        _save_row(location, created)
        record_change(
            place=place,
            viewer=viewer,
            obj=location,
            action=action or (ChangeAction.CREATED if created else ChangeAction.UPDATED),
            changes=changes,
        )
    return location


@transaction.atomic(savepoint=False)
def service_save(
    *,
    viewer,
    place,
    data: dict,
    service=None,
    organization=UNSET,
    term_ids=None,
    location=None,
    action=None,
    note="",
) -> Service:
    """Create or update an entry (and optionally its terms and a location).

    Side effects: saves the Service, a ChangeRecord when anything changed, search words;
    keeps the feed's last_modified (`data["source_modified"]`), or drops it on a change made
    here.
    """
    created = service is None or service._state.adding
    service = service or Service(place=place, id=data.get("id") or uuid.uuid4())
    changes = _apply(service, data, SERVICE_FIELDS + STAFF_FIELDS + FEED_SERVICE_FIELDS)
    new_org_id = getattr(organization, "pk", None)
    if organization is not UNSET and service.organization_id != new_org_id:
        changes["organization"] = [_jsonable(service.organization_id), _jsonable(new_org_id)]
        service.organization = organization
    term_names = terms = None
    if term_ids is not None:
        wanted = {str(t) for t in term_ids}
        current = (
            set()
            if created
            else {str(t) for t in service.taxonomy_terms.values_list("id", flat=True)}
        )
        if wanted != current:
            terms = list(TaxonomyTerm.objects.filter(place=place, id__in=wanted)) if wanted else []
            term_names = [t.name for t in terms]
            changes["taxonomy_terms"] = [sorted(current), sorted(wanted)]
        elif not wanted:
            term_names = []
    # When its feed says it last changed: kept while the entry is as the feed gave it (a
    # change made here clears it). Bookkeeping, like updated_at: a new date alone is no
    # change, so no history and no new version.
    source_modified = data.get("source_modified", None if changes else service.source_modified)
    source_moved = source_modified != service.source_modified
    service.source_modified = source_modified
    service.changed = created or bool(changes)
    if service.changed:
        service.updated_at = timezone.now()
        if not created:
            service.version += 1
        reindex_service(service, term_names, save=False)  # saved with the row below
        _save_row(service, created)
    elif source_moved:
        Service.objects.filter(pk=service.pk).update(source_modified=source_modified)
    if terms is not None:
        service.taxonomy_terms.set(terms)
    if location is not None:
        ServiceAtLocation.objects.get_or_create(place=place, service=service, location=location)
    if service.changed:
        record_change(
            place=place,
            viewer=viewer,
            obj=service,
            action=action or (ChangeAction.CREATED if created else ChangeAction.UPDATED),
            changes=changes,
            note=note,
        )
    return service


@transaction.atomic
def service_mark_checked(*, viewer, service):
    _require_editor(viewer)
    service.last_checked_at = timezone.now()
    service.save(update_fields=["last_checked_at"])
    record_change(place=service.place, viewer=viewer, obj=service, action=ChangeAction.CHECKED)


# ---- Suggestions -------------------------------------------------------------------------


@transaction.atomic
def suggestion_create(*, place, proposed: dict, service=None, comment="") -> Suggestion:
    """Anyone may suggest a new entry (service=None) or a correction to an existing one."""
    proposed = {k: _jsonable(v) for k, v in proposed.items() if k in SERVICE_FIELDS}
    if service is not None:
        # Only what differs from the current entry is a correction.
        proposed = {k: v for k, v in proposed.items() if _jsonable(getattr(service, k)) != v}
    return Suggestion.objects.create(
        place=place,
        public_id=secrets.token_urlsafe(9)[:12],
        service=service,
        proposed=proposed,
        comment=comment,
    )


def suggestion_rows(suggestion):
    """(field label, current value, proposed value) for a side-by-side review."""
    rows = []
    for name in SERVICE_FIELDS:
        if name not in suggestion.proposed:
            continue
        label = Service._meta.get_field(name).verbose_name.capitalize()
        current = getattr(suggestion.service, name) if suggestion.service else ""
        rows.append((label, current, suggestion.proposed[name]))
    return rows


@transaction.atomic
def suggestion_review(*, viewer, suggestion, accept: bool, reason: str) -> Suggestion:
    """Accept (apply to the entry, recorded in its history) or reject, always with a reason."""
    _require_editor(viewer)
    if suggestion.place_id != viewer.place.pk or suggestion.status != SuggestionStatus.PENDING:
        raise PermissionDenied
    if accept:
        data = dict(suggestion.proposed)
        service = service_save(
            viewer=viewer,
            place=suggestion.place,
            data=data,
            service=suggestion.service,
            action=ChangeAction.SUGGESTION,
            note=f"Suggestion {suggestion.public_id}: {reason}",
        )
        suggestion.service = service
    suggestion.status = SuggestionStatus.ACCEPTED if accept else SuggestionStatus.REJECTED
    suggestion.reason = reason
    suggestion.reviewed_by_id = viewer.user_id
    suggestion.reviewed_at = timezone.now()
    suggestion.save(update_fields=["service", "status", "reason", "reviewed_by", "reviewed_at"])
    return suggestion
