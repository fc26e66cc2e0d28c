"""Social value with a receipt for every pound (issue 18, part 5; docs/impact.md).

`SocialValue` is the library: the shipped open values (no place) and the values a place
loaded itself (licensed ones with who confirmed the licence, and when). `ValueRecipe`
keeps one £ figure: every input, its source, and what came out, so the receipt reads the
same for ever; a change is a new version that names the one before. `ValueTotal` adds
recipes up, keeping the written justification when it counts one cohort's overlapping
values together. Nothing here is ever deleted.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonweave.core.publicid import PublicIdField

from . import deflators
from .enums import ChangeMeasure, IndicatorSource, ValueBasis, ValueKind
from .recipes import Quantity, Result, Uprating, Value


class NeverDeleted(Exception):
    """Values, recipes and totals are kept: a correction is a new version."""


class KeptQuerySet(models.QuerySet):
    def delete(self):
        raise NeverDeleted(f"{self.model.__name__} rows are never deleted")


class Kept(models.Model):
    objects = KeptQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise NeverDeleted(f"{type(self).__name__} rows are never deleted")


def _money(verbose):
    return models.DecimalField(verbose, max_digits=14, decimal_places=2)


def _share(verbose):
    return models.DecimalField(verbose, max_digits=7, decimal_places=6)


class SocialValue(Kept):
    """One value with its unit, price year, range, source and licence."""

    public_id = PublicIdField()
    # None: shipped with Commonweave (values.py); a place: loaded by its admin.
    place = models.ForeignKey(
        "tenancy.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    key = models.SlugField(max_length=80)
    name = models.CharField(_("Name"), max_length=200)
    value = _money(_("Value (£)"))
    low = _money(_("Low end of its range (£)"))
    high = _money(_("High end of its range (£)"))
    unit = models.CharField(_("Unit"), max_length=200)
    basis = models.CharField(_("What one unit is"), max_length=20, choices=ValueBasis.choices)
    kind = models.CharField(_("Use"), max_length=20, choices=ValueKind.choices)
    measure = models.CharField(
        _("Applies only to"), max_length=30, choices=ChangeMeasure.choices, blank=True
    )
    price_year = models.PositiveSmallIntegerField(_("Price year"))
    source_title = models.CharField(_("Source"), max_length=300)
    source_publisher = models.CharField(_("Publisher"), max_length=200)
    source_url = models.URLField(_("Address of the source"), max_length=500, blank=True)
    source_table = models.CharField(_("Table or page"), max_length=300, blank=True)
    source_note = models.TextField(_("Notes on the source"), blank=True)
    licence = models.CharField(_("Licence"), max_length=200)
    may_redistribute = models.BooleanField(_("May be redistributed"), default=False)
    overlap_group = models.SlugField(max_length=40, blank=True)
    # A licensed value: who confirmed that their organisation holds the licence, and when.
    licence_confirmed = models.BooleanField(default=False)
    licence_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    licence_confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("social value")
        ordering = ["place_id", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(place__isnull=True), name="impact_value_shipped_key"
            ),
            models.UniqueConstraint(fields=["place", "key"], name="impact_value_place_key"),
            models.CheckConstraint(
                condition=Q(low__lte=models.F("value")) & Q(value__lte=models.F("high")),
                name="impact_value_range_holds_value",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def shipped(self) -> bool:
        return self.place_id is None

    @property
    def context_only(self) -> bool:
        return self.kind == ValueKind.CONTEXT_ONLY

    def as_value(self) -> Value:
        return Value(
            key=self.key,
            name=self.name,
            amount=self.value,
            low=self.low,
            high=self.high,
            price_year=self.price_year,
            basis=self.basis,
            kind=self.kind,
            measure=self.measure,
            overlap_group=self.overlap_group,
        )


class ValueRecipe(Kept):
    """One £ figure and everything that made it. The value's figures are copied in, so a
    receipt never changes; `previous` is the version this one replaced."""

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("Title"), max_length=200)
    version = models.PositiveIntegerField(default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )

    # The quantity: typed by a person, with its source (not yet read from a cohort).
    cohort_label = models.CharField(_("Cohort"), max_length=200)
    n = models.PositiveIntegerField(_("People in the cohort"))
    mean_change = models.DecimalField(_("Mean change"), max_digits=9, decimal_places=4)
    ci_low = models.DecimalField(_("95% interval: low"), max_digits=9, decimal_places=4)
    ci_high = models.DecimalField(_("95% interval: high"), max_digits=9, decimal_places=4)
    measure = models.CharField(_("Measure"), max_length=30, choices=ChangeMeasure.choices)
    quantity_source = models.TextField(_("Where the quantity comes from"), blank=True)

    # The value, and a copy of the figures used.
    social_value = models.ForeignKey(SocialValue, on_delete=models.PROTECT, related_name="+")
    value_amount = _money(_("Value (£)"))
    value_low = _money(_("Value, low (£)"))
    value_high = _money(_("Value, high (£)"))
    price_year = models.PositiveSmallIntegerField(_("Price year"))

    # The factors, as shares from 0 to 1, each with its source ("" = an assumption by
    # created_by, on created_at: the receipt says so).
    deadweight = _share(_("Deadweight"))
    deadweight_source = models.TextField(blank=True)
    attribution = _share(_("Attribution"))
    attribution_source = models.TextField(blank=True)
    duration_years = models.PositiveSmallIntegerField(_("Duration in years"))
    duration_source = models.TextField(blank=True)
    drop_off = _share(_("Drop-off"))
    drop_off_source = models.TextField(blank=True)

    # Uprating: to which year's prices, with which series and factor (none: price year).
    uprate_to = models.PositiveSmallIntegerField(null=True, blank=True)
    deflator_key = models.CharField(max_length=40, blank=True)
    deflator_citation = models.CharField(max_length=400, blank=True)
    deflator_factor = models.DecimalField(max_digits=12, decimal_places=8, null=True, blank=True)

    # What came out, to the penny.
    central = _money(_("Central"))
    low = _money(_("Low"))
    high = _money(_("High"))
    by_year = models.JSONField(default=list)  # the central figure of each year, "520000.00"
    price_basis = models.CharField(max_length=500)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("social value figure")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["place", "-created_at"], name="impact_recipe_place")]

    def __str__(self):
        return self.title

    @property
    def quantity(self) -> Quantity:
        return Quantity(
            n=self.n,
            mean_change=self.mean_change,
            ci_low=self.ci_low,
            ci_high=self.ci_high,
            measure=self.measure,
            cohort_label=self.cohort_label,
        )

    @property
    def value_used(self) -> Value:
        """The value as it was when the recipe was made (its figures copied in)."""
        base = self.social_value.as_value()
        return Value(
            key=base.key,
            name=base.name,
            amount=self.value_amount,
            low=self.value_low,
            high=self.value_high,
            price_year=self.price_year,
            basis=base.basis,
            kind=base.kind,
            measure=base.measure,
            overlap_group=base.overlap_group,
        )

    @property
    def prices_year(self) -> int:
        return self.uprate_to or self.price_year

    def as_result(self) -> Result:
        return Result(
            central=self.central,
            low=self.low,
            high=self.high,
            by_year=tuple(Decimal(amount) for amount in self.by_year),
            units=self.n * self.mean_change,
            price_year=self.price_year,
            uprating=self.uprating,
        )

    @property
    def uprating(self) -> Uprating | None:
        if not self.uprate_to or self.deflator_factor is None:
            return None
        return Uprating(
            series=deflators.SERIES.get(self.deflator_key, deflators.DEFAULT),
            from_year=self.price_year,
            to_year=self.uprate_to,
            factor=self.deflator_factor,
        )


class ValueTotal(Kept):
    """Recipes added up. When it counts one cohort's overlapping values together (its
    WELLBYs and its loneliness value), the justification, who wrote it and when."""

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("Title"), max_length=200)
    recipes = models.ManyToManyField(ValueRecipe, related_name="totals")
    central = _money(_("Central"))
    low = _money(_("Low"))
    high = _money(_("High"))
    prices_year = models.PositiveSmallIntegerField()
    overlaps = models.JSONField(default=list)  # [[recipe title, recipe title], ...]
    justification = models.TextField(blank=True)
    justified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    justified_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("social value total")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title


# --- The theory of change (issue 18, part 3; docs/impact.md, "Theory of change") ----------


class TheoryOfChange(Kept):
    """A place's theory of change: one row per place, holding the number of its newest
    version. Saving a version locks this row and checks the number (core/versioning.py),
    so two people saving at once never make two versions of one number."""

    place = models.OneToOneField("tenancy.Place", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=0)  # 0: nothing saved yet
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("theory of change")

    def __str__(self):
        return f"{self.place_id}: v{self.version}"


class TheoryVersion(Kept):
    """One saved version of a place's theory of change: never changed once saved. The next
    version is built whole from what was submitted, with a note of what changed and why."""

    theory = models.ForeignKey(TheoryOfChange, on_delete=models.PROTECT, related_name="versions")
    place = models.ForeignKey("tenancy.Place", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("Version"))
    area_analysis = models.TextField(_("Our shared analysis of the area"))
    change_note = models.TextField(_("What changed and why"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("theory of change version")
        ordering = ["place_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["place", "number"], name="impact_theory_place_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="impact_theory_number_from_1"),
        ]

    def __str__(self):
        return f"v{self.number}"


class Outcome(Kept):
    """An outcome the partnership works towards, in one version (number: its order)."""

    version = models.ForeignKey(TheoryVersion, on_delete=models.PROTECT, related_name="outcomes")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(_("Outcome"), max_length=200)
    description = models.TextField(_("Description"), blank=True)

    class Meta:
        verbose_name = _("outcome")
        ordering = ["version_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="impact_outcome_number")
        ]

    def __str__(self):
        return self.title


class Activity(Kept):
    """What the partnership does, meant to lead to one or more outcomes of its version."""

    version = models.ForeignKey(TheoryVersion, on_delete=models.PROTECT, related_name="activities")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(_("Activity"), max_length=200)
    outcomes = models.ManyToManyField(Outcome, related_name="activities")

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["version_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="impact_activity_number")
        ]

    def __str__(self):
        return self.title


class Assumption(Kept):
    """Something the theory takes to be true: about one outcome, one activity, or the
    whole theory (neither)."""

    version = models.ForeignKey(TheoryVersion, on_delete=models.PROTECT, related_name="assumptions")
    number = models.PositiveSmallIntegerField()
    text = models.TextField(_("Assumption"))
    outcome = models.ForeignKey(
        Outcome, null=True, blank=True, on_delete=models.PROTECT, related_name="assumptions"
    )
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="assumptions"
    )

    class Meta:
        verbose_name = _("assumption")
        ordering = ["version_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="impact_assumption_number"),
            models.CheckConstraint(
                condition=Q(outcome__isnull=True) | Q(activity__isnull=True),
                name="impact_assumption_one_subject",
            ),
        ]

    def __str__(self):
        return self.text[:60]


class Indicator(Kept):
    """What shows progress towards an outcome: a name, one of the numbers the dashboards
    compute (IndicatorSource), and an optional target in words."""

    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="indicators")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(_("Indicator"), max_length=200)
    source = models.CharField(
        _("Where it comes from"), max_length=40, choices=IndicatorSource.choices
    )
    target = models.CharField(_("Target"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("indicator")
        ordering = ["outcome_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["outcome", "number"], name="impact_indicator_number"),
            models.CheckConstraint(
                condition=Q(source__in=IndicatorSource.values), name="impact_indicator_source"
            ),
        ]

    def __str__(self):
        return self.name
