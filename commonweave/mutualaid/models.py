"""Mutual aid: neighbours' needs and offers, the helpers who give them, and the matches
between them.

Private details live in their own tables so that no list can carry them by accident:
`RequestContact` (the address and phone of the person asking) and `VolunteerChecks`
(a helper's safeguarding checks). Lists read `Request` and `Volunteer` only, which name
an area (a directory neighbourhood or a drawn community area), never an address.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonweave.core.publicid import PublicIdField
from commonweave.people.models import new_record_key

from .enums import (
    LIVE_MATCH_STATUSES,
    AidFrontDoor,
    AidUrgency,
    DbsType,
    Kind,
    MatchStatus,
    RequestStatus,
    RiskTier,
    When,
)


class PlaceSettings(models.Model):
    """How one place runs mutual aid: its promise and how many helpers each need alerts."""

    place = models.OneToOneField(
        "tenancy.Place", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    alerts_per_need = models.PositiveSmallIntegerField(default=5)
    promise_hours = models.PositiveSmallIntegerField(default=24)
    urgent_promise_hours = models.PositiveSmallIntegerField(default=3)
    # Helpers further than this from a need (between area centres) are not alerted while
    # nearer ones are available.
    reach_km = models.FloatField(default=3.0)
    # Helpers may offer to take a need themselves; a coordinator still confirms the
    # person asking agrees.
    peer_to_peer = models.BooleanField(default=False)
    # Who hears about a missed lone-working check-in and reads safeguarding concerns.
    safeguarding_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return f"Mutual aid settings for place {self.place_id}"


class Category(models.Model):
    """A kind of help, with the risk tier of the task (seeded per place: services.py)."""

    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    slug = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    risk_tier = models.PositiveSmallIntegerField(choices=RiskTier.choices)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["risk_tier", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["place", "slug"], name="mutualaid_category_slug")
        ]

    def __str__(self):
        return self.name


class Volunteer(models.Model):
    """A helper. May be a resident who graduated (`resident`), so giving back is one step."""

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    # The organisation that recruited the helper and holds their checks.
    organisation = models.ForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    resident = models.OneToOneField(
        "people.Resident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mutualaid_volunteer",
    )
    first_name = models.CharField(max_length=80)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    skills = models.JSONField(default=list, blank=True)
    # Where they live or will help: the first is home, the rest are also covered.
    home = models.ForeignKey(
        "directory.Neighbourhood",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    areas = models.ManyToManyField("directory.Neighbourhood", blank=True, related_name="+")
    when = models.CharField(max_length=10, choices=When.choices, default=When.ANY)
    # Language codes they can help in, e.g. ["en", "ur"].
    languages = models.JSONField(default=list, blank=True)
    available = models.BooleanField(default=True)
    last_alerted_at = models.DateTimeField(null=True, blank=True)
    # For the cell-key method when helpers are counted (insights.disclosure).
    record_key = models.PositiveSmallIntegerField(default=new_record_key, editable=False)
    # The hash of the secret in the helper's own link (their page of alerts and matches).
    link_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["first_name", "pk"]
        indexes = [models.Index(fields=["place", "available", "last_alerted_at"])]

    def __str__(self):
        return self.first_name

    @staticmethod
    def hash_token(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class VolunteerChecks(models.Model):
    """A helper's safeguarding checks: restricted fields, read by eligibility.py and shown
    to the holding organisation's coordinators only."""

    volunteer = models.OneToOneField(
        Volunteer, on_delete=models.CASCADE, primary_key=True, related_name="checks"
    )
    dbs_type = models.CharField(max_length=20, choices=DbsType.choices, blank=True)
    dbs_issued_on = models.DateField(null=True, blank=True)
    barred_list_checked_on = models.DateField(null=True, blank=True)
    update_service_checked_on = models.DateField(null=True, blank=True)
    references_checked_on = models.DateField(null=True, blank=True)
    training_completed_on = models.DateField(null=True, blank=True)
    recheck_due_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "volunteer checks"

    def __str__(self):
        return f"Checks for volunteer {self.volunteer_id}"


class Request(models.Model):
    """A need or an offer, from any front door. Names an area, never an address: the
    address and phone are in RequestContact, revealed only after both sides accept."""

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    # The organisation whose coordinators hold it: the place's lead organisation for the
    # public form, the catalyst's own for one made on a resident's behalf.
    organisation = models.ForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=5, choices=Kind.choices)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="requests")
    what = models.TextField(_("What is needed"))
    skills = models.JSONField(default=list, blank=True)
    neighbourhood = models.ForeignKey(
        "directory.Neighbourhood",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    community_area = models.ForeignKey(
        "directory.CommunityArea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    when = models.CharField(max_length=10, choices=When.choices, default=When.ANY)
    language = models.CharField(max_length=10, blank=True, help_text="Blank: English.")
    urgency = models.CharField(
        max_length=10, choices=AidUrgency.choices, default=AidUrgency.ROUTINE
    )
    front_door = models.CharField(max_length=10, choices=AidFrontDoor.choices)
    first_name = models.CharField(max_length=80)
    resident = models.ForeignKey(
        "people.Resident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mutualaid_requests",
    )
    # An offer is a helper's.
    volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.CASCADE, related_name="offers"
    )
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The promise: a need is due a proposed match by this time (created_at + the place's
    # promise), and the first proposal is kept to measure whether it was kept.
    due_at = models.DateTimeField(null=True, blank=True)
    first_proposed_at = models.DateTimeField(null=True, blank=True)
    # For the cell-key method when needs are counted (insights.disclosure).
    record_key = models.PositiveSmallIntegerField(default=new_record_key, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["place", "kind", "status", "category"]),
            models.Index(fields=["place", "kind", "status", "due_at"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.category_id}"


class RequestContact(models.Model):
    """Where and how to reach the person asking: never in a list, revealed to a helper only
    after both sides accept, each reveal audited (services.contact_reveal)."""

    request = models.OneToOneField(
        Request, on_delete=models.CASCADE, primary_key=True, related_name="contact"
    )
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=30, blank=True)

    def __str__(self):
        return f"Contact for request {self.request_id}"


class Match(models.Model):
    """A helper proposed for a need: proposed → accepted by both → done → thanked, or
    declined or cancelled on the way."""

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    need = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="matches")
    offer = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="matches")
    status = models.CharField(
        max_length=10, choices=MatchStatus.choices, default=MatchStatus.PROPOSED
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    need_accepted_at = models.DateTimeField(null=True, blank=True)
    helper_accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    thanked_at = models.DateTimeField(null=True, blank=True)
    thanks = models.TextField(blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.CharField(max_length=10, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["need"],
                condition=models.Q(status__in=LIVE_MATCH_STATUSES),
                name="mutualaid_one_live_match",
            )
        ]

    def __str__(self):
        return f"Match {self.public_id}"

    @property
    def both_accepted(self) -> bool:
        return self.accepted_at is not None


class Alert(models.Model):
    """A need shown to one helper. Stored here; `alerts.deliver_alert` is the seam a later
    change routes through the messaging app (text or email)."""

    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    need = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="alerts")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="alerts")
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(max_length=10, blank=True)  # "yes" / "no"

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["need", "volunteer"], name="mutualaid_alert_once")
        ]

    def __str__(self):
        return f"Alert {self.pk}"


class LoneWorking(models.Model):
    """The planned window of a home-visit or lone-working task and the helper's check-ins:
    "on my way" and "safe / done". A missing "safe" escalates to the safeguarding lead once
    the window has ended plus ESCALATE_AFTER (services.checkins_escalate)."""

    match = models.OneToOneField(Match, on_delete=models.CASCADE, related_name="lone_working")
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    on_my_way_at = models.DateTimeField(null=True, blank=True)
    safe_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["place", "ends_at"], name="mutualaid_lone_due")]

    def __str__(self):
        return f"Lone working for match {self.match_id}"


class SafeguardingNote(models.Model):
    """The partnership's safeguarding log for mutual aid: a missed check-in (raised by the
    system) or a concern someone raised. Read by the place's safeguarding lead."""

    class Kind(models.TextChoices):
        MISSED_CHECKIN = "missed_checkin", _("Missed check-in")
        CONCERN = "concern", _("Concern")

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    match = models.ForeignKey(
        Match, null=True, blank=True, on_delete=models.SET_NULL, related_name="safeguarding_notes"
    )
    text = models.TextField(blank=True)
    raised_by = models.CharField(max_length=40, blank=True)  # an actor label, never a name
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What a concern raised from a need's or a helper's page is about, when no match is
    # (a note about a match reaches both through it: safeguarding.notes_visible_to).
    need = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The lead (or a coordinator concerned) has seen it, and later closed it with an outcome.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["place", "closed_at"], name="mutualaid_note_open")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.public_id}"


class RelayMessage(models.Model):
    """A message between a matched helper and the person asking, passed on so neither
    sees the other's number. Stored here; `alerts.deliver_relay` is the seam to messaging."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="relayed")
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    from_side = models.CharField(max_length=10)  # Side
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Relayed message {self.pk}"
