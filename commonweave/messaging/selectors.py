"""Reads of text messages. Each takes the viewer; a resident's texts are for the holding
organisation's caseworkers only (people/access.py), like conversation notes."""

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from commonweave.core.visibility import Level, shown, visible_fields
from commonweave.people.access import Access, access_level

from .enums import ProviderName
from .models import TextMessage
from .providers import provider_name_for

TIMELINE_TEMPLATE = "messaging/_timeline_item.html"


def texts_of(viewer, resident) -> QuerySet[TextMessage]:
    """A resident's texts, oldest first, for a caseworker of the organisation holding them
    (anyone else: Http404). Not audited: the caller audits reading the record."""
    if access_level(viewer, resident) is not Access.FULL:
        raise Http404
    return (
        TextMessage.objects.filter(resident=resident).select_related("sent_by").order_by("at", "pk")
    )


def inbox_for(viewer, *, limit=50) -> QuerySet[TextMessage]:
    """The newest texts received from residents held by the viewer's casework
    organisations (never another organisation's)."""
    if not viewer or not viewer.casework_org_ids:
        return TextMessage.objects.none()
    return (
        TextMessage.objects.inbound()
        .filter(
            place=viewer.place,
            resident__organisation_id__in=viewer.casework_org_ids,
            resident__merged_into__isnull=True,
        )
        .select_related("resident", "referral")
        .order_by("-at", "-pk")[:limit]
    )


def practice_pages_open_to(viewer) -> bool:
    """The outbox and "send a text as a resident" are for practice: only where the place
    uses the fake provider (nothing real is sent or received), for its place admins, or
    for anyone working there while DEBUG is on (development)."""
    if not viewer or provider_name_for(viewer.place) != ProviderName.FAKE:
        return False
    return viewer.is_place_admin or bool(settings.DEBUG)


def outbox_for(viewer, *, limit=100) -> QuerySet[TextMessage]:
    """What the fake provider "sent" in the viewer's place, newest first."""
    if not practice_pages_open_to(viewer):
        raise Http404
    return (
        TextMessage.objects.outbound()
        .filter(place=viewer.place, provider=ProviderName.FAKE)
        .order_by("-at", "-pk")[:limit]
    )


def timeline_texts(resident, level) -> list[dict]:
    """The resident's texts as items of their timeline (people/hooks.py): nothing at a
    level that sees no field of a text."""
    level = Level(level)
    if not visible_fields(TextMessage, level):
        return []
    return [
        {"at": text.at, "kind": "text", "obj": shown(text, level), "template": TIMELINE_TEMPLATE}
        for text in TextMessage.objects.filter(resident=resident).select_related(
            "sent_by", "resident"
        )
    ]


__all__ = ["inbox_for", "outbox_for", "texts_of", "timeline_texts"]
