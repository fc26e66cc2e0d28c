"""The life map (a place's own areas of life, versioned), check-ins, validated measures,
priorities and achievements, and one-time links for residents to check in alone.

Wording is never edited in place: a place publishes a new LifeMapVersion, and every
check-in keeps the version (and so the words) it was answered with. Areas keep a stable
`key` across versions so a life can be followed over time.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonweave.core.publicid import PublicIdField

from .enums import AchievementKind, CheckInStatus, CheckInVia, IndicatorKind, LinkChannel


class LifeMapVersion(models.Model):
    place = models.ForeignKey(
        "tenancy.Place", on_delete=models.CASCADE, related_name="lifemap_versions"
    )
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["place", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["place", "number"], name="wellbeing_lifemap_number")
        ]

    def __str__(self):
        return f"Life map version {self.number}"


class LifeArea(models.Model):
    """An indicator: an area of life rated on points with words, or a traffic light whose
    colours are each described in plain words. `points` is [{value, label, description,
    colour?}] in order from hardest to best."""

    version = models.ForeignKey(LifeMapVersion, on_delete=models.CASCADE, related_name="areas")
    key = models.SlugField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=80)
    question = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=20, choices=IndicatorKind.choices)
    points = models.JSONField()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="wellbeing_area_key")
        ]

    def __str__(self):
        return self.name

    @property
    def values(self):
        return [point["value"] for point in self.points]

    def label_for(self, value):
        for point in self.points:
            if point["value"] == value:
                return point["label"]
        return ""

    def share_of_scale(self, value):
        """0..100: where the value sits on this area's scale, for charts across scales."""
        low, high = min(self.values), max(self.values)
        return round(100 * (value - low) / (high - low), 1)


class Instrument(models.Model):
    """A validated measure as data (see scoring.py). Shipped instruments have no place;
    a place may load its own (e.g. a licensed one) without a code change."""

    place = models.ForeignKey(
        "tenancy.Place", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    code = models.CharField(max_length=40)
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=150)
    definition = models.JSONField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "code", "version"],
                name="wellbeing_instrument_place_code",
                condition=Q(place__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["code", "version"],
                name="wellbeing_instrument_shipped_code",
                condition=Q(place__isnull=True),
            ),
        ]

    def __str__(self):
        return self.name


class CheckIn(models.Model):
    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.CASCADE, related_name="wellbeing_checkins"
    )
    # Indexed with status and completion time below (a version's check-ins in a period).
    version = models.ForeignKey(
        LifeMapVersion, on_delete=models.PROTECT, related_name="checkins", db_index=False
    )
    via = models.CharField(max_length=20, choices=CheckInVia.choices, default=CheckInVia.CATALYST)
    status = models.CharField(
        max_length=20, choices=CheckInStatus.choices, default=CheckInStatus.DRAFT
    )
    own_words = models.TextField("In their own words", blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    # For cohort change over a period (period.py), derived from the answers (packed.py):
    # the ratings, and the measure scores, each packed in one text; `measured` when the
    # completed check-in has any measure response.
    area_values = models.TextField(blank=True, default="", editable=False)
    measure_values = models.TextField(blank=True, default="", editable=False)
    measured = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["resident", "completed_at"]
        indexes = [
            # A resident's check-ins in time order (their page), and for a period each
            # person's first and latest check-in with its packed ratings read from the
            # index alone (period.py). `id` breaks ties in completion time.
            models.Index(
                fields=[
                    "resident",
                    "status",
                    "completed_at",
                    "id",
                    "place",
                    "version",
                    "area_values",
                ],
                name="wellbeing_checkin_period",
            ),
            # Each person's first and latest check-in with measures in a period.
            models.Index(
                fields=[
                    "resident",
                    "measured",
                    "completed_at",
                    "id",
                    "status",
                    "place",
                    "measure_values",
                ],
                name="wellbeing_checkin_measured",
            ),
            models.Index(fields=["place", "status", "completed_at"]),
            # Which life map versions were answered in a period.
            models.Index(fields=["version", "status", "completed_at"], name="wellbeing_version_at"),
        ]

    def __str__(self):
        return f"Check-in {self.public_id}"

    @property
    def is_complete(self):
        return self.status == CheckInStatus.COMPLETE


class AreaRating(models.Model):
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="ratings")
    area = models.ForeignKey(LifeArea, on_delete=models.PROTECT, related_name="+")
    value = models.SmallIntegerField(null=True, blank=True)
    better = models.TextField("What would make it better", blank=True)

    class Meta:
        ordering = ["checkin", "area__position"]
        constraints = [
            models.UniqueConstraint(fields=["checkin", "area"], name="wellbeing_rating_once")
        ]

    def __str__(self):
        return f"{self.area}: {self.value}"


class MeasureResponse(models.Model):
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="measures")
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    answers = models.JSONField(default=dict)
    complete = models.BooleanField(default=False)
    scores = models.JSONField(default=dict)  # metric code -> {value, band, higher_is}
    # Copied from the check-in when it is completed (never changed after), so which
    # instruments were answered in a period, and a person's answers to one, are index
    # reads (period.py).
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkin", "instrument"], name="wellbeing_measure_once")
        ]
        indexes = [
            models.Index(
                fields=["resident", "instrument", "completed_at"], name="wellbeing_measure_resident"
            ),
            models.Index(
                fields=["instrument", "place", "completed_at"], name="wellbeing_instrument_at"
            ),
        ]

    def __str__(self):
        return f"{self.instrument}: {'scored' if self.complete else 'incomplete'}"


class Priority(models.Model):
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.CASCADE, related_name="wellbeing_priorities"
    )
    area_key = models.SlugField(max_length=40)
    area_name = models.CharField(max_length=80)
    why_now = models.TextField("Why it matters now")
    will_do = models.TextField("What they will do")
    by_when = models.DateField("By when", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    met_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["resident", "met_at", "by_when", "created_at"]

    def __str__(self):
        return f"Priority: {self.area_name}"


class Achievement(models.Model):
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.CASCADE, related_name="wellbeing_achievements"
    )
    kind = models.CharField(max_length=20, choices=AchievementKind.choices)
    area_key = models.SlugField(max_length=40)
    description = models.CharField(max_length=300)
    at = models.DateTimeField(default=timezone.now)
    checkin = models.ForeignKey(CheckIn, null=True, blank=True, on_delete=models.CASCADE)
    priority = models.ForeignKey(Priority, null=True, blank=True, on_delete=models.CASCADE)

    class Meta:
        ordering = ["resident", "-at"]

    def __str__(self):
        return self.description


class CheckInLink(models.Model):
    """A one-time link to one check-in. Only a hash of the token is kept."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=10, choices=LinkChannel.choices)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Link for {self.checkin}"


class ScoreTrackQuerySet(models.QuerySet):
    def merge_resident(self, *, duplicate, into):
        """When triage merges a duplicate record into `into` (people.services.referral_merge):
        each first/latest pair both records have becomes one, the earlier first and the
        later latest, their answers added up (what a rebuild from the moved check-ins
        gives); the duplicate's other tracks move. Returns (moved, left behind): (n, 0)."""
        kept = {(t.kind, t.code): t for t in self.filter(resident=into)}
        moving, combined, merged_away = [], [], []
        for track in self.filter(resident=duplicate):
            mine = kept.get((track.kind, track.code))
            if mine is None:
                moving.append(track.pk)
                continue
            if track.first_at < mine.first_at:
                mine.first_value, mine.first_at = track.first_value, track.first_at
            if track.latest_at > mine.latest_at:
                mine.latest_value, mine.latest_at = track.latest_value, track.latest_at
                mine.higher_is = track.higher_is
            mine.answers += track.answers
            mine.paired = mine.answers >= 2
            mine.change = mine.latest_value - mine.first_value
            combined.append(mine)
            merged_away.append(track.pk)
        self.filter(pk__in=merged_away).delete()
        fields = ["first_value", "first_at", "latest_value", "latest_at", "higher_is"]
        self.bulk_update(combined, [*fields, "answers", "paired", "change"])
        moved = self.filter(pk__in=moving).update(resident=into, place=into.place)
        return moved + len(combined), 0


class ScoreTrack(models.Model):
    """A resident's first and latest answer for one area (by key) or one measure metric,
    kept by the check-in services so cohort change is one grouped query, not a walk over
    every rating. `answers` counts check-ins that answered it (paired when >= 2)."""

    AREA = "area"
    MEASURE = "measure"

    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.CASCADE, related_name="wellbeing_tracks"
    )
    kind = models.CharField(max_length=10, choices=[(AREA, "Area"), (MEASURE, "Measure")])
    code = models.CharField(max_length=90)  # area key, or "<instrument>.<metric>"
    higher_is = models.CharField(max_length=6, default="better")
    first_value = models.FloatField()
    latest_value = models.FloatField()
    answers = models.PositiveIntegerField(default=1)
    # Denormalised for one covering, ordered index scan in cohort change:
    paired = models.BooleanField(default=False)  # answers >= 2
    change = models.FloatField(default=0)  # latest_value - first_value
    first_at = models.DateTimeField()
    latest_at = models.DateTimeField()

    objects = ScoreTrackQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "kind", "code"], name="wellbeing_track_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["place", "paired", "kind", "code", "higher_is", "change", "resident"],
                name="wellbeing_track_cohort",
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.code}"

    @classmethod
    def started(cls, *, value, at, **fields):
        """A new track whose first and latest answer is this one."""
        return cls(
            **fields, first_value=value, latest_value=value, answers=1, first_at=at, latest_at=at
        )

    def set_latest(self, value, at, higher_is):
        self.latest_value, self.latest_at, self.higher_is = value, at, higher_is
        self.answers += 1
        self.paired = self.answers >= 2
        self.change = self.latest_value - self.first_value


class ScoresExport(models.Model):
    """The pseudonymous scores CSV for evaluators, built by a background job (exports.py).

    Only the person who asked may download it, once; the file is deleted when it has been
    downloaded or a day after it was asked for, whichever is first. The row stays (the
    filters, the number of rows, when) as the record of what was exported."""

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filters = models.JSONField(default=dict, blank=True)  # dates as ISO text
    file_name = models.CharField(max_length=200, blank=True)  # in the exports storage
    rows = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    downloaded_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["deleted_at", "expires_at"], name="wellbeing_export_expiry")
        ]

    def __str__(self):
        return f"Scores export {self.public_id}"

    @property
    def ready(self) -> bool:
        """Built, and still there to download."""
        return bool(self.file_name) and self.deleted_at is None
