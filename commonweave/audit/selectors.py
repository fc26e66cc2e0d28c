"""Reads of the audit log. Every read takes the viewer, and only ever returns events of
the viewer's current place."""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from commonweave.tenancy.models import ApiToken

from .models import AuditEvent

# Object types written without a model behind them.
EXTRA_OBJECT_TYPES = {
    "overview": "Place overview",
    "audit.resident_log": "Who has seen a resident's record",
}


def object_type_labels() -> dict:
    """Every object type the log may hold, with a readable name: one per Commonweave model
    plus the few written without one."""
    labels = {
        model._meta.label_lower: str(model._meta.verbose_name).capitalize()
        for model in apps.get_models()
        if model.__module__.startswith("commonweave.")
    }
    labels.update(EXTRA_OBJECT_TYPES)
    return dict(sorted(labels.items(), key=lambda item: item[1].casefold()))


def place_users(viewer):
    """Users who hold a role in the viewer's place: the actors the log can be searched by."""
    if not viewer or not viewer.is_place_admin:
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(memberships__organisation__place=viewer.place)
        .distinct()
        .order_by("name", "pk")
    )


@dataclass(frozen=True)
class AuditFilters:
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    action: str = ""
    purpose: str = ""
    organisation: object = None
    actor: object = None
    resident: str = ""
    object_type: str = ""


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def audit_log(viewer, filters: AuditFilters | None = None):
    """The place's audit events, newest first, narrowed by `filters`. Place admins only."""
    if not viewer or not viewer.is_place_admin:
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.filter(place=viewer.place).select_related("actor", "organisation")
    filters = filters or AuditFilters()
    if filters.date_from:
        qs = qs.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_start_of(filters.date_to + datetime.timedelta(days=1)))
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.purpose:
        qs = qs.filter(purpose=filters.purpose)
    if filters.organisation is not None:
        qs = qs.filter(organisation=filters.organisation)
    if filters.actor is not None:
        qs = qs.filter(actor=filters.actor)
    if filters.resident:
        qs = qs.filter(resident_id=filters.resident)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    return qs.order_by("-at", "-pk")


def resident_audit_log(viewer, resident):
    """Every event about one resident in the viewer's place, newest first. The caller has
    already decided the viewer may see this resident's log."""
    if not viewer or resident.place_id != viewer.place.pk:
        return AuditEvent.objects.none()
    return (
        AuditEvent.objects.filter(place=viewer.place, resident_id=resident.public_id)
        .select_related("actor", "organisation")
        .order_by("-at", "-pk")
    )


def token_names(place, events) -> dict:
    """{(organisation_id, prefix): token name} for the API tokens among `events`, in one
    query. A token acts for its organisation, which the event records."""
    prefixes = {
        event.actor_label.removeprefix("token:")
        for event in events
        if event.actor_label.startswith("token:")
    }
    if not prefixes:
        return {}
    tokens = ApiToken.objects.filter(organisation__place=place, prefix__in=prefixes).values_list(
        "organisation_id", "prefix", "name"
    )
    return {(org_id, prefix): name for org_id, prefix, name in tokens}


def actor_name(event, tokens: dict) -> str:
    """Who acted, in words: the user's name, the API token's name, or the public."""
    if event.actor is not None:
        return str(event.actor)
    label = event.actor_label
    if label.startswith("token:"):
        prefix = label.removeprefix("token:")
        name = tokens.get((event.organisation_id, prefix))
        return f"API token: {name}" if name else f"API token {prefix}"
    if label == "anonymous":
        return "Someone without an account (public form)"
    return f"Former user ({label})"
