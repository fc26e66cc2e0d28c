"""Reads of the audit log. Every read takes the viewer, and only ever returns events of
the viewer's current place."""

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .actors import Actor
from .enums import Action
from .models import AuditEvent, AuditEventSubject

# Object types written without a model behind them.
EXTRA_OBJECT_TYPES = {
    "overview": "Place overview",
    "audit.resident_log": "Who has seen a resident's record",
}


def object_type_labels() -> dict[str, str]:
    """Every object type the log may hold, with a readable name: one per Commonweave model
    plus the few written without one."""
    labels = {
        model._meta.label_lower: str(model._meta.verbose_name).capitalize()
        for model in apps.get_models()
        if model.__module__.startswith("commonweave.")
    }
    labels.update(EXTRA_OBJECT_TYPES)
    return dict(sorted(labels.items(), key=lambda item: item[1].casefold()))


def place_users(viewer: Actor | None) -> QuerySet[Any]:
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
    organisation: Any = None  # an Organisation (tenancy sits above audit)
    actor: Any = None  # a User (audit cannot import accounts, which sits above it)
    resident: str = ""
    object_type: str = ""


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def audit_log(viewer: Actor | None, filters: AuditFilters | None = None) -> QuerySet[AuditEvent]:
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
        qs = qs.filter(pk__in=_events_about(filters.resident))
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    return qs.order_by("-at", "-pk")


def _events_about(public_id: str) -> QuerySet[Any]:
    """Ids of the events about one resident: those about their record (`resident_id`) and
    the lists and searches that showed them (AuditEventSubject). Two index lookups joined
    by UNION, the same on SQLite and PostgreSQL."""
    about = AuditEvent.objects.filter(resident_id=public_id).values("pk")
    listed = AuditEventSubject.objects.filter(resident_id=public_id).values("event_id")
    return about.union(listed)


def resident_audit_log(viewer: Actor | None, resident: Any) -> QuerySet[AuditEvent]:
    """Every event about one resident in the viewer's place, newest first: views and
    changes of their record, and every list, search or export that showed them. The caller
    has already decided the viewer may see this resident's log."""
    if not viewer or resident.place_id != viewer.place.pk:
        return AuditEvent.objects.none()
    return (
        AuditEvent.objects.filter(place=viewer.place, pk__in=_events_about(resident.public_id))
        .select_related("actor", "organisation")
        .order_by("-at", "-pk")
    )


# Names API tokens for the log: {(organisation_id, prefix): name} for a place and the
# prefixes among its events. Tokens are tenancy's, which sits above audit, so tenancy
# registers the reader at start-up (TenancyConfig.ready); until then a token is shown by
# its prefix.
TokenNamer = Callable[[Any, set[str]], dict[tuple[int | None, str], str]]
_token_namer: list[TokenNamer] = []


def name_tokens_with(namer: TokenNamer) -> None:
    _token_namer[:] = [namer]


def token_names(place: Any, events: Iterable[AuditEvent]) -> dict[tuple[int | None, str], str]:
    """{(organisation_id, prefix): token name} for the API tokens among `events`, in one
    query. A token acts for its organisation, which the event records."""
    prefixes = {
        event.actor_label.removeprefix("token:")
        for event in events
        if event.actor_label.startswith("token:")
    }
    if not prefixes or not _token_namer:
        return {}
    return _token_namer[0](place, prefixes)


def actor_name(event: AuditEvent, tokens: Mapping[tuple[int | None, str], str]) -> str:
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


def caseload_owners(events: Iterable[AuditEvent]) -> dict[int, str]:
    """{user id: name} for the caseloads among list `events` (detail["catalyst"]), in one
    query, and none when no event names a caseload."""
    ids = {
        catalyst
        for event in events
        if isinstance(event.detail, dict)
        and isinstance(catalyst := event.detail.get("catalyst"), int)
    }
    if not ids:
        return {}
    return {user.pk: str(user) for user in get_user_model().objects.filter(pk__in=ids)}


# How a list, search or export showed a resident, in words for their own log.
_LISTED_ON = {  # (action, object type, purpose or "" for any)
    ("list", "people.referral", "triage"): gettext_lazy("Listed for triage, shown to %(who)s"),
    ("list", "people.referral", ""): gettext_lazy("Listed among referrals shown to %(who)s"),
    ("list", "people.resident", ""): gettext_lazy("Listed among residents shown to %(who)s"),
    ("list", "directory.followup", ""): gettext_lazy(
        "Listed among follow-ups due, shown to %(who)s"
    ),
    ("list", "directory.servicereferral", ""): gettext_lazy(
        "Listed among referrals to a service, shown to %(who)s"
    ),
    ("list", "learning.story", ""): gettext_lazy("Named with a story shown to %(who)s"),
}


def listed_description(event: AuditEvent, who: str, owners: Mapping[Any, str]) -> str:
    """How `event` showed a resident it did not open: "Found in a search by …",
    "Listed on the caseload of …", in plain words."""
    if event.action == Action.SEARCH:
        return _("Found in a search by %(who)s") % {"who": who}
    if event.action == Action.EXPORT:
        return _("Named in an export by %(who)s") % {"who": who}
    if event.action == Action.LIST and event.object_type == "people.resident":
        owner = owners.get(event.detail.get("catalyst")) if isinstance(event.detail, dict) else None
        if owner and owner != who:
            return _("Listed on the caseload of %(owner)s, shown to %(who)s") % {
                "owner": owner,
                "who": who,
            }
        if owner:
            return _("Listed on the caseload of %(who)s") % {"who": who}
    words = _LISTED_ON.get((event.action, event.object_type, event.purpose)) or _LISTED_ON.get(
        (event.action, event.object_type, "")
    )
    return (words or _("Shown on a list to %(who)s")) % {"who": who}


def event_rows(
    viewer: Actor, events: Iterable[AuditEvent], *, about: str = ""
) -> list[dict[str, Any]]:
    """Events as the log's table shows them: who in words, labels for codes, in three
    queries at most. In one resident's own log (`about`, their public id), a list or
    search that showed them says how, in plain words."""
    events = list(events)
    tokens = token_names(viewer.place, events)
    kinds = object_type_labels()
    listed = [event for event in events if event.resident_id != about] if about else []
    owners = caseload_owners(listed)
    rows = []
    for event in events:
        who = actor_name(event, tokens)
        what = event.get_action_display()
        if about and event.resident_id != about:
            what = listed_description(event, who, owners)
        rows.append(
            {
                "event": event,
                "who": who,
                "what": what,
                "organisation": event.organisation.name if event.organisation else "",
                "object_type": kinds.get(event.object_type, event.object_type),
            }
        )
    return rows
