import re
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from commonweave.core.publicid import PublicIdField

from .enums import (
    CloseReason,
    ConnectionKind,
    ConnectionStatus,
    ConsentMethod,
    ConsentPurpose,
    ContactMethod,
    ContactOutcome,
    ConversationKind,
    FrontDoor,
    GoalProgress,
    ReferralConsent,
    ReferralStatus,
    ReferrerKind,
    Stage,
    Urgency,
)

# A referral's reference, read aloud on the phone: capitals and digits that are hard to
# mistake for one another (no 0/O/Q, 1/I/L, 2/Z, 5/S, 6/G, 8/B, U/V) and no vowels, so
# no words are spelt by chance.
REFERENCE_ALPHABET = "CDFHJKMNPRTWXY34679"


def new_referral_reference() -> str:
    """A short reference such as "CW-7K4P-9RX3" (19**8, about 17 billion, to choose from)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"CW-{chars[:4]}-{chars[4:]}"


def new_record_key() -> int:
    """A random 0..255, given once per resident: the ONS cell-key method sums the keys of
    the people in a published count to decide its perturbation (insights/disclosure)."""
    return secrets.randbelow(256)


def name_key(name: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", (name or "").lower()).split())


def phone_key(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    return digits


class ResidentQuerySet(models.QuerySet):
    def active(self) -> "ResidentQuerySet":
        """Residents that are records in their own right (not merged into another)."""
        return self.filter(merged_into__isnull=True)


class Resident(models.Model):
    """A person the partnership works with. Held by one organisation; shared only by consent."""

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="residents")
    organisation = models.ForeignKey(
        "tenancy.Organisation",
        on_delete=models.PROTECT,
        related_name="residents",
        help_text="The organisation that holds this record.",
    )
    full_name = models.CharField(max_length=150)
    preferred_name = models.CharField(max_length=80, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    # Where the postcode is, from ONS's postcode directory when it is saved (area.postcodes):
    # the neighbourhood (LSOA 2021) and ward. The deprivation decile is joined from
    # area.LsoaDeprivation when read, never copied here. Blank when the postcode is unknown.
    lsoa_code = models.CharField(
        "Neighbourhood (LSOA 2021)", max_length=9, blank=True, default="", db_index=True
    )
    ward_code = models.CharField("Ward", max_length=9, blank=True, default="", db_index=True)
    contact_method = models.CharField(
        max_length=20, choices=ContactMethod.choices, default=ContactMethod.PHONE
    )
    contact_when = models.CharField("Best time to contact", max_length=200, blank=True)

    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.REFERRED)
    stage_changed_at = models.DateTimeField(default=timezone.now)
    catalyst = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="caseload",
    )
    what_matters = models.TextField("What matters to them", blank=True)
    strengths = models.TextField(blank=True)
    has_to_give = models.TextField("What they have to give", blank=True)
    next_action = models.CharField(max_length=200, blank=True)
    next_action_due = models.DateField(null=True, blank=True)

    graduated_at = models.DateTimeField(null=True, blank=True)
    graduation_words = models.TextField("In their own words, why they are ready", blank=True)
    giving_back = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)
    closed_note = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_records"
    )

    # Normalised keys for finding possible duplicates without scanning text.
    name_key = models.CharField(max_length=150, editable=False, db_index=True)
    phone_key = models.CharField(max_length=30, editable=False, blank=True, db_index=True)
    email_key = models.CharField(max_length=254, editable=False, blank=True, db_index=True)

    # Optimistic concurrency: every edit must name the version it started from.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Never shown: the cell-key method's record key (published counts of people).
    record_key = models.PositiveSmallIntegerField(default=new_record_key, editable=False)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        indexes = [
            models.Index(fields=["organisation", "stage"]),
            models.Index(fields=["catalyst", "stage"]),
            models.Index(fields=["place", "stage", "merged_into"]),
            # Covers the overview's graduations per month: no table lookups.
            models.Index(
                fields=["place", "graduated_at", "merged_into", "record_key"],
                name="people_resident_graduated_idx",
            ),
            # A published count of people joins each row to its resident for the record key
            # alone: read from this narrow index, not the wide row (the overview's referral
            # counts at 50,000 residents: about 250 -> 150 ms).
            models.Index(fields=["id", "record_key"], name="people_resident_key_idx"),
            # Covers the area profile's residents by ward and neighbourhood (impact.profiles):
            # read from the index in group order, no table lookups (132 -> 32 ms at 50,000).
            models.Index(
                fields=["place", "merged_into", "ward_code", "lsoa_code", "record_key"],
                name="people_resident_area_idx",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return self.preferred_name or self.full_name

    def refresh_keys(self):
        self.name_key = name_key(self.full_name)
        self.phone_key = phone_key(self.phone)
        self.email_key = (self.email or "").strip().lower()

    @property
    def is_open(self):
        return self.stage not in {Stage.GRADUATED, Stage.CLOSED}


class Referral(models.Model):
    """One arrival through a front door. Its clock runs until first contact."""

    public_id = PublicIdField()
    # What the person who referred can quote on the phone (shown on the confirmation page).
    reference = models.CharField(
        max_length=12, unique=True, default=new_referral_reference, editable=False
    )
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="referrals")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="referrals")
    front_door = models.CharField(max_length=20, choices=FrontDoor.choices)
    referrer_kind = models.CharField(max_length=20, choices=ReferrerKind.choices)
    referrer_name = models.CharField(max_length=150, blank=True)
    referrer_contact = models.CharField(max_length=200, blank=True)
    referring_organisation = models.ForeignKey(
        "tenancy.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals_made",
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals_made",
    )
    reason = models.TextField("Why, in the referrer's own words")
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    consent = models.CharField(max_length=10, choices=ReferralConsent.choices)

    received_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.NEW
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals_assigned",
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    first_contact_outcome = models.CharField(
        max_length=20, choices=ContactOutcome.choices, blank=True
    )
    first_contact_note = models.TextField(blank=True)
    first_contact_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["place", "status", "due_at"]),
            # Covers the overview's front doors and response times, read from the index alone
            # (the resident too, whose record key each published count adds up).
            models.Index(
                fields=[
                    "place",
                    "received_at",
                    "front_door",
                    "status",
                    "due_at",
                    "first_contact_at",
                    "resident",
                ],
                name="people_referral_overview_idx",
            ),
            models.Index(fields=["referring_organisation", "received_at"]),
        ]

    def __str__(self):
        return f"Referral {self.public_id}"

    @property
    def is_overdue(self):
        return self.first_contact_at is None and self.due_at < timezone.now()

    @property
    def contacted_within_promise(self):
        return self.first_contact_at is not None and self.first_contact_at <= self.due_at


class StageChange(models.Model):
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["to_stage", "changed_at"])]

    def __str__(self):
        return f"{self.from_stage or 'new'} → {self.to_stage}"


class Conversation(models.Model):
    """A 1-to-1 conversation: the note of what was said and what happens next."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="conversations")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    happened_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=20, choices=ConversationKind.choices)
    notes = models.TextField()
    next_action = models.CharField(max_length=200, blank=True)
    next_action_due = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-happened_at", "-pk"]
        indexes = [models.Index(fields=["resident", "happened_at"])]

    def __str__(self):
        return f"Conversation on {self.happened_at:%Y-%m-%d}"


class Goal(models.Model):
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="goals")
    text = models.TextField("The goal, in their own words")
    progress = models.PositiveSmallIntegerField(
        choices=GoalProgress.choices, default=GoalProgress.NOT_STARTED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    achieved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Goal {self.pk}"


class Connection(models.Model):
    """A connection made for a resident: to a person, group, service or place.

    Free text for now; the directory will link entries here when it exists.
    """

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="connections")
    kind = models.CharField(max_length=20, choices=ConnectionKind.choices)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.MADE
    )
    made_on = models.DateField(default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-made_on", "-pk"]

    def __str__(self):
        return f"Connection to {self.get_kind_display().lower()}"


class ConsentEvent(models.Model):
    """Append-only record of consent given or withdrawn: who, when, how, and the wording shown."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="consent_events")
    purpose = models.CharField(max_length=20, choices=ConsentPurpose.choices)
    organisation = models.ForeignKey(
        "tenancy.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    given = models.BooleanField(help_text="True when given, False when withdrawn.")
    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    wording = models.TextField("The words shown or read to the person")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self):
        return f"{self.purpose} {'given' if self.given else 'withdrawn'}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Consent events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Consent events are append-only")


class Consent(models.Model):
    """The current state of one consent, derived from the latest ConsentEvent.

    Kept alongside the log so access checks are one indexed lookup.
    """

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=ConsentPurpose.choices)
    organisation = models.ForeignKey(
        "tenancy.Organisation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="resident_consents",
    )
    given = models.BooleanField()
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "purpose", "organisation"],
                condition=models.Q(organisation__isnull=False),
                name="consent_unique_for_organisation",
            ),
            models.UniqueConstraint(
                fields=["resident", "purpose"],
                condition=models.Q(organisation__isnull=True),
                name="consent_unique_general",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "purpose", "given"])]

    def __str__(self):
        return f"{self.purpose} {'given' if self.given else 'withdrawn'}"
