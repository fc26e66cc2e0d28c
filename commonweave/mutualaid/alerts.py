"""The seam between mutual aid and whatever tells a helper about a need.

Today an alert is a row (`Alert`) that the helper's own page lists; `deliver_alert` marks
it delivered. When the messaging app lands, this is the one function to change: it will
send the alert by text or email through messaging's providers (respecting STOP), and
nothing else in mutual aid needs to know how.
"""

from django.utils import timezone

from .models import Alert, RelayMessage, SafeguardingNote


def deliver_alert(alert: Alert, *, now=None) -> None:
    """Deliver one alert. Side effects: sets `delivered_at`."""
    alert.delivered_at = now or timezone.now()
    Alert.objects.filter(pk=alert.pk).update(delivered_at=alert.delivered_at)


def deliver_safeguarding_note(note: SafeguardingNote, *, now=None) -> None:
    """Tell the place's safeguarding lead (today: the row, on their page; later: a text and
    an email through messaging). Side effects: sets `delivered_at`."""
    note.delivered_at = now or timezone.now()
    SafeguardingNote.objects.filter(pk=note.pk).update(delivered_at=note.delivered_at)


def deliver_relay(message: RelayMessage, *, now=None) -> None:
    """Pass a message to the other side of a match (today: their page and the coordinator's;
    later: a text from the partnership's number). Side effects: sets `delivered_at`."""
    message.delivered_at = now or timezone.now()
    RelayMessage.objects.filter(pk=message.pk).update(delivered_at=message.delivered_at)
