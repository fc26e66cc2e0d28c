"""Text messages in and out, each place's set-up, and the numbers that texted STOP."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonweave.core.publicid import PublicIdField

from .enums import Direction, MessageKind, MessageStatus, ProviderName

DEFAULT_URGENT_WORDS = (
    "urgent\nemergency\ndanger\nunsafe\nsuicide\nsuicidal\nkill myself\nend my life\n"
    "overdose\nhurt myself\nno food\nno heating"
)


class MessagingSetup(models.Model):
    """How one place's text front door behaves. A place without a row uses the defaults."""

    place = models.OneToOneField(
        "tenancy.Place", on_delete=models.CASCADE, related_name="messaging_setup"
    )
    provider = models.CharField(
        _("Who sends and receives your texts"),
        max_length=20,
        choices=ProviderName.choices,
        blank=True,
        help_text=_("Leave blank to use this installation's default."),
    )
    urgent_words = models.TextField(
        _("Words that make a text urgent"),
        default=DEFAULT_URGENT_WORDS,
        blank=True,
        help_text=_(
            "One word or phrase a line. A text from a new number that holds one goes into "
            "the 3-hour queue; from someone we know, it is marked urgent."
        ),
    )
    acknowledgement = models.TextField(
        _("Automatic reply in opening hours"),
        blank=True,
        help_text=_(
            "Leave blank for the standard words. You may use {place}, {hours} and {opens}."
        ),
    )
    acknowledgement_out_of_hours = models.TextField(
        _("Automatic reply outside opening hours"),
        blank=True,
        help_text=_(
            "Leave blank for the standard words. You may use {place}, {hours} and {opens}."
        ),
    )
    opens_at = models.TimeField(_("Opening time"), default=datetime.time(9, 0))
    closes_at = models.TimeField(_("Closing time"), default=datetime.time(17, 0))
    # ISO weekdays, Monday 1 .. Sunday 7.
    open_days = models.CharField(_("Open days"), max_length=7, default="12345")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Text messages for place {self.place_id}"

    def urgent_word_list(self) -> list[str]:
        return [w.strip().lower() for w in self.urgent_words.splitlines() if w.strip()]


class TextMessageQuerySet(models.QuerySet):
    def inbound(self) -> "TextMessageQuerySet":
        return self.filter(direction=Direction.IN)

    def outbound(self) -> "TextMessageQuerySet":
        return self.filter(direction=Direction.OUT)


class TextMessage(models.Model):
    """One text, received or sent. A received text is stored once: its provider's message
    id is unique for that provider, so a webhook retried or a page polled twice adds nothing."""

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    resident = models.ForeignKey(
        "people.Resident",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="text_messages",
    )
    referral = models.ForeignKey(
        "people.Referral",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="text_messages",
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(max_length=20, choices=MessageKind.choices)
    provider = models.CharField(max_length=20, choices=ProviderName.choices)
    provider_message_id = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=30, help_text=_("The resident's number, E.164"))
    body = models.TextField()
    status = models.CharField(max_length=12, choices=MessageStatus.choices)
    urgent = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TextMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="textmessage_once_per_provider_id",
            )
        ]
        indexes = [
            models.Index(fields=["resident", "at"]),
            models.Index(fields=["place", "phone", "direction", "kind", "at"]),
        ]

    def __str__(self) -> str:
        return f"Text {self.public_id}"


class TextOptOut(models.Model):
    """Whether a number has texted STOP to this place (and not START since): the current
    state, kept beside the consent events so a sender checks it in one lookup."""

    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=30)
    stopped = models.BooleanField()
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["place", "phone"], name="textoptout_one_per_number")
        ]

    def __str__(self) -> str:
        return f"Texts {'stopped' if self.stopped else 'allowed'} since {self.since:%Y-%m-%d}"
