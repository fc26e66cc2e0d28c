"""The place's asset map: the Open Referral UK (HSDS-UK 3.0) core, plus informal spaces.

Ids are UUIDs because ORUK needs string ids and an imported feed keeps its own. Everything
belongs to one place. Nothing here is personal data except the links in `ConnectionLink`
(which point at people.Connection and are read through the people access rules).
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from commonweave.people.models import new_record_key

from .enums import (
    AssetKind,
    ChangeAction,
    FollowUpOutcome,
    ImportSource,
    ImportState,
    ReferralStatus,
    ServiceStatus,
    SuggestionStatus,
)

REVIEW_AFTER = timedelta(days=365)


class Taxonomy(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    uri = models.URLField(blank=True, max_length=500)
    version = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class TaxonomyTerm(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    taxonomy = models.ForeignKey(
        Taxonomy, null=True, blank=True, on_delete=models.CASCADE, related_name="terms"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    # The feed's parent id when that term is not here (yet), so it is published as given.
    parent_ref = models.UUIDField(null=True, blank=True)
    code = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    term_uri = models.URLField(blank=True, max_length=500)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["place", "name"])]

    def __str__(self):
        return self.name


class Organization(models.Model):
    """An organisation that provides services (ORUK `organization`).

    Distinct from tenancy.Organisation (a partner that uses Commonweave); `partner` links
    the two when a partner also runs services.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(
        "tenancy.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True, max_length=500)
    logo = models.URLField(blank=True, max_length=500)
    uri = models.URLField(blank=True, max_length=500)
    # ORUK fields kept so an imported feed is published as it came (never queried).
    parent_organization_id = models.UUIDField(null=True, blank=True)
    identifiers = models.JSONField(
        default=list, blank=True, help_text="ORUK organization_identifiers, as given."
    )
    # HSDS 3.0 rows the UK profile leaves out, kept as given when a feed has them.
    funding = models.JSONField(default=list, blank=True)
    contacts = models.JSONField(
        default=list, blank=True, help_text="Contact rows, each with its phones."
    )
    phones = models.JSONField(default=list, blank=True)
    programs = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["place", "name"])]

    def __str__(self):
        return self.name


class Neighbourhood(models.Model):
    """An area the place works with: a ward, an LSOA, or an area residents drew themselves."""

    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=40, blank=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, blank=True, help_text="e.g. ward, lsoa21, community")
    geometry = models.JSONField(help_text="GeoJSON Polygon or MultiPolygon (WGS84).")
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "kind", "code"],
                condition=~models.Q(code=""),
                name="neighbourhood_unique_code",
            )
        ]

    def __str__(self):
        return self.name


class Location(models.Model):
    """Where a service happens. A confidential location publishes only its area."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="locations"
    )
    location_type = models.CharField(max_length=20, default="physical")
    name = models.CharField(max_length=250, blank=True)
    description = models.TextField(blank=True)
    address_1 = models.CharField(max_length=250, blank=True)
    address_2 = models.CharField(max_length=250, blank=True)
    city = models.CharField(max_length=120, blank=True)
    state_province = models.CharField(max_length=120, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    country = models.CharField(max_length=2, default="GB")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    confidential = models.BooleanField(
        default=False, help_text="The address is never published (e.g. a refuge): only its area."
    )
    area = models.CharField(
        max_length=200, blank=True, help_text="What is published for a confidential location."
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood, null=True, blank=True, on_delete=models.SET_NULL, related_name="locations"
    )
    # ORUK fields kept so an imported feed is published as it came; a confidential
    # location publishes none of them.
    external_identifier = models.CharField(max_length=100, blank=True, help_text="e.g. a UPRN.")
    external_identifier_type = models.CharField(max_length=50, blank=True)
    address_id = models.UUIDField(null=True, blank=True, help_text="The feed's address id.")
    attention = models.CharField(max_length=250, blank=True)
    region = models.CharField(max_length=120, blank=True)
    address_type = models.CharField(max_length=20, blank=True)
    accessibility = models.JSONField(
        default=list, blank=True, help_text="ORUK accessibility rows, as given."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["place", "latitude", "longitude"])]

    def __str__(self):
        return self.public_name

    @property
    def public_name(self):
        if self.confidential:
            return self.area or "Confidential location"
        return self.name or self.address_1 or "Location"


class Service(models.Model):
    """Anything a resident can be connected to: a service, group, activity, event or space."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=AssetKind.choices, default=AssetKind.SERVICE)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="services"
    )
    name = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True, max_length=500)
    email = models.EmailField(blank=True)
    status = models.CharField(
        max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    # Who it is for
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    eligibility = models.TextField(blank=True, help_text="Who it is for, in plain words.")
    # Cost and access
    is_free = models.BooleanField(default=False)
    fees_description = models.TextField(blank=True)
    how_to_access = models.TextField(blank=True)
    accessibility = models.TextField(blank=True)
    languages = models.JSONField(default=list, blank=True, help_text="ISO 639 codes, e.g. en.")
    alert = models.TextField(blank=True)
    # ORUK fields kept so an imported feed is published as it came. The nested lists are
    # rarely queried, so they are kept as given (ids included) rather than as tables.
    accreditations = models.TextField(blank=True)
    assured_date = models.DateField(null=True, blank=True)
    assurer_email = models.EmailField(blank=True)
    cost_options = models.JSONField(default=list, blank=True)
    service_areas = models.JSONField(default=list, blank=True)
    funding = models.JSONField(default=list, blank=True)
    language_rows = models.JSONField(
        default=list, blank=True, help_text="ORUK language rows (ids, names, notes)."
    )
    attribute_rows = models.JSONField(
        default=list,
        blank=True,
        help_text="ORUK attribute rows without their term (id, link_type, value).",
    )
    required_documents = models.JSONField(
        default=list, blank=True, help_text="HSDS 3.0 rows (document, uri); not in the UK profile."
    )
    source_modified = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The feed's last_modified, until the entry is changed here.",
    )
    # Referrals
    takes_referrals = models.BooleanField(default=False)
    capacity = models.CharField(
        max_length=200, blank=True, help_text="Current capacity, e.g. 'places available'."
    )
    referral_organisation = models.ForeignKey(
        "tenancy.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The partner that receives referrals made through Commonweave.",
    )
    referral_places = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Places free for referrals through Commonweave now; empty means no limit.",
    )
    # Events
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    taxonomy_terms = models.ManyToManyField(TaxonomyTerm, blank=True, related_name="services")
    # Keeping it true
    last_checked_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Raised by every change (services.save_service), so an edit that started from an older
    # version is refused instead of overwriting (core.versioning).
    version = models.PositiveIntegerField(default=1, editable=False)
    search_text = models.TextField(blank=True, editable=False)
    # The source (a feed's address, or the name given to an import) it was last imported
    # from; a complete import of that source retires what it no longer holds.
    import_source = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            # Covers the ORUK /services page (ORDER BY name, id LIMIT/OFFSET) without row reads.
            models.Index(fields=["place", "name", "id"], name="directory_service_page_idx"),
            models.Index(fields=["place", "last_checked_at"]),
            # A complete import finds the services of its source (importer.retire_absent).
            models.Index(fields=["place", "import_source"], name="directory_service_source_idx"),
            # The public search page (active entries only): its count and its page by name,
            # both from the index.
            models.Index(
                fields=["place", "status", "name", "id"], name="directory_service_active_idx"
            ),
            # Covers the filter checks on services picked by category or area (filtered
            # search), so each is answered from the index without reading the row.
            models.Index(
                fields=[
                    "id",
                    "status",
                    "is_free",
                    "takes_referrals",
                    "kind",
                    "minimum_age",
                    "maximum_age",
                    "name",
                ],
                name="directory_service_filter_idx",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def needs_review(self) -> bool:
        return self.last_checked_at < timezone.now() - REVIEW_AFTER


class ServiceAtLocation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="at_locations")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]  # no join: lists order explicitly (see api._sal_qs)

    def __str__(self):
        return f"{self.service} at {self.location}"


class Contact(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    # The first of `phones`, which pages show.
    phone = models.CharField(max_length=40, blank=True)
    phones = models.JSONField(
        default=list,
        blank=True,
        help_text="Phone rows (number, extension, type, description, languages).",
    )

    def __str__(self):
        return self.name or self.phone or self.email


class Schedule(models.Model):
    """Opening times: a weekly rule (RFC 5545 subset) with opening and closing times."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedules")
    freq = models.CharField(max_length=10, blank=True, default="WEEKLY")
    byday = models.CharField(max_length=40, blank=True, help_text="e.g. MO,TU")
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    dtstart = models.DateField(null=True, blank=True)
    interval = models.PositiveSmallIntegerField(null=True, blank=True)
    bymonthday = models.CharField(max_length=100, blank=True, help_text="e.g. 1,15")
    description = models.TextField(blank=True)
    schedule_link = models.URLField(blank=True, max_length=500)
    attending_type = models.TextField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["opens_at", "id"]

    def __str__(self):
        return self.description or f"{self.byday} {self.opens_at}-{self.closes_at}"


class SearchWord(models.Model):
    """The words a place's directory uses, for typo-tolerant search (see search.py)."""

    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    word = models.CharField(max_length=60)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["place", "word"], name="searchword_unique")]

    def __str__(self):
        return self.word


class RelatedWords(models.Model):
    """A word or phrase residents use and the words a place's directory uses for it, e.g.
    "lonely" -> "befriending, friendship, social". A search for the phrase also finds
    entries with the related words, ranked below entries with the phrase itself (search.py).
    Each place edits its own list; new places start from search.DEFAULT_RELATED_WORDS."""

    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    phrase = models.CharField(max_length=100)
    related = models.JSONField(default=list, help_text="The related words or phrases.")

    class Meta:
        ordering = ["phrase"]
        constraints = [
            models.UniqueConstraint(fields=["place", "phrase"], name="relatedwords_unique")
        ]

    def __str__(self):
        return self.phrase


class PostcodeLookup(models.Model):
    """One row of ONS's postcode directory (NSPL or ONSPD): postcode to coordinates.

    Reference data shared by every place: a postcode is where it is whichever partnership
    asks. Loaded by `directory.postcodes.load_postcodes` (`manage.py load_postcodes`).
    """

    postcode = models.CharField(max_length=8, primary_key=True, help_text="Upper case, no space.")
    latitude = models.FloatField()
    longitude = models.FloatField()
    lsoa_code = models.CharField(max_length=12, blank=True)
    # Indexed: area profiles (impact.profiles) find a ward's neighbourhoods by it.
    ward_code = models.CharField(max_length=12, blank=True, db_index=True)
    lad_code = models.CharField(
        max_length=9, blank=True, db_index=True, help_text="The local authority (e.g. E08000004)."
    )

    def __str__(self):
        return self.postcode


class ChangeRecord(models.Model):
    """Who changed which directory entry, when, and what changed (field: [before, after])."""

    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=100)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    action = models.CharField(max_length=20, choices=ChangeAction.choices)
    changes = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_type} {self.object_id}"


class Suggestion(models.Model):
    """A new asset or a correction, suggested without an account; reviewed by a coordinator."""

    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    public_id = models.CharField(max_length=12, unique=True)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="suggestions"
    )
    proposed = models.JSONField(help_text="Field name to proposed value.")
    comment = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=SuggestionStatus.choices, default=SuggestionStatus.PENDING
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Suggestion {self.public_id}"


class ConnectionLink(models.Model):
    """Links a resident's connection (people.Connection) to the directory entry it is for."""

    connection = models.OneToOneField(
        "people.Connection", on_delete=models.CASCADE, related_name="directory_link"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="connections")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Connection to {self.service}"


class FollowUp(models.Model):
    """At 3 and 6 months: did the connection take?"""

    link = models.ForeignKey(ConnectionLink, on_delete=models.CASCADE, related_name="follow_ups")
    months = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    outcome = models.CharField(max_length=20, choices=FollowUpOutcome.choices, blank=True)
    why = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["link", "months"], name="followup_unique_months")
        ]

    def __str__(self):
        return f"{self.months}-month follow-up"


class CommunityArea(models.Model):
    """ "The area I consider my community" (the community map drawn in Oldham), given anonymously:
    the neighbourhoods someone chose or the shape they drew, and the activities they named.
    No name, no contact. A drawn shape also counts for the neighbourhoods it covers."""

    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    neighbourhoods = models.ManyToManyField(Neighbourhood, related_name="community_areas")
    geometry = models.JSONField(
        null=True, blank=True, help_text="The drawn area: a GeoJSON Polygon (WGS84)."
    )
    activities = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The ONS cell-key method's record key for this anonymous answer (published counts of
    # people: insights/disclosure). Random, given once, never shown.
    record_key = models.PositiveSmallIntegerField(default=new_record_key, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Community area {self.pk}"


class ServiceReferral(models.Model):
    """A resident referred to a directory service that takes referrals through Commonweave.

    Sent by a caseworker of the organisation that holds the resident, with the resident's
    consent to share their record with the receiving organisation (the ConsentEvent kept
    here); that organisation accepts or declines it.
    """

    public_id = models.CharField(max_length=12, unique=True)
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.CASCADE, related_name="service_referrals"
    )
    link = models.OneToOneField(
        ConnectionLink, on_delete=models.CASCADE, related_name="referral", null=True
    )
    from_organisation = models.ForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    to_organisation = models.ForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    consent_event = models.ForeignKey(
        "people.ConsentEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("Why this service, in the caseworker's words")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(fields=["to_organisation", "status", "sent_at"]),
            models.Index(fields=["service", "status"]),
        ]

    def __str__(self):
        return f"Referral {self.public_id}"


class DirectoryImport(models.Model):
    """A feed uploaded (or named by URL) on the import page, waiting for or run by its job.

    `payload` holds the uploaded bytes until the job has read them, so a worker in another
    process can run it; it is emptied when the import finishes. The directory holds no
    personal data; `report` keeps counts and each rejected record's number, id and reason.
    """

    public_id = models.CharField(max_length=12, unique=True)
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    job = models.OneToOneField(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=10, choices=ImportSource.choices)
    file_name = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=500, blank=True)
    mapping = models.JSONField(default=dict, blank=True, help_text="CSV: our field -> column.")
    payload = models.BinaryField(blank=True, default=b"", editable=False)
    size = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=10, choices=ImportState.choices)
    report = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    complete = models.BooleanField(
        default=False,
        help_text="The whole of its source: entries from the source that it lacks are retired.",
    )
    source_key = models.CharField(
        max_length=300,
        blank=True,
        help_text="The source it imports (the address, or the name given); entries remember it.",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Import {self.public_id}"
