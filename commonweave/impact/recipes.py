"""A £ figure as a recipe: quantity × value × (1 − deadweight) × attribution × duration with
drop-off, uprated to a chosen year's prices with a named deflator. Pure arithmetic on
`Decimal`, no database: the models keep what went in and what came out (models.py), the
services check who may (services.py).

    units     = n × mean change              (WELLBYs, or people who made the change)
    year k    = units × value × (1 − deadweight) × attribution × (1 − drop-off)^(k − 1)
    central   = (year 1 + … + year D) × deflator(to) / deflator(price year)

The low and high figures take the confidence interval of the mean change and the value's
own range: the smallest and largest of the four corner products (units low or high × value
low or high), then the same factors. A bilinear product over a rectangle is extreme at a
corner, so the range always holds the central figure. Rounding is to the penny, once, at
the end.

Guards (docs/impact.md): a context-only value is never multiplied by a count
(`ContextOnly`); a value made for one measure applies to that measure only (a WELLBY to
life satisfaction, `WrongMeasure`); one cohort's values that count the same gain (its
WELLBYs and its loneliness value) are not added into one total without a written
justification (`DoubleCounting`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from . import deflators
from .enums import ChangeMeasure, ValueBasis, ValueKind

PENNY = Decimal("0.01")
ZERO = Decimal("0")
ONE = Decimal("1")
MAX_YEARS = 30
MAX_PEOPLE = 10_000_000
JUSTIFICATION_MIN = 20  # characters: a sentence, not "ok"

# The widest a mean change can be on each measure's scale.
CHANGE_LIMITS = {
    ChangeMeasure.LIFE_SATISFACTION: Decimal("10"),
    ChangeMeasure.SEVERE_LONELINESS: ONE,
}


# --- refusals ----------------------------------------------------------------------------


class RecipeRefused(ValueError):
    """A recipe that cannot be worked out: `errors` maps each input's name to why."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class ContextOnly(RecipeRefused):
    """A context-only value (the EIF's £287 per head) multiplied by a count of people."""


class WrongMeasure(RecipeRefused):
    """A value applied to a change on a measure it was not made for."""


class DoubleCounting(RecipeRefused):
    """One cohort's values that count the same gain, added into one total unjustified."""


# --- inputs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quantity:
    """What changed, for how many: a saved cohort's n, mean change and its 95% interval.

    For a value per point of change (a WELLBY) the change is in points of the measure;
    for a value per person (severe loneliness) it is the share of the cohort who made the
    change, from 0 to 1."""

    n: int
    mean_change: Decimal
    ci_low: Decimal
    ci_high: Decimal
    measure: str
    cohort_label: str


@dataclass(frozen=True)
class Value:
    """What a recipe needs of a library value (models.SocialValue.as_value())."""

    key: str
    name: str
    amount: Decimal
    low: Decimal
    high: Decimal
    price_year: int
    basis: str
    kind: str
    measure: str = ""
    overlap_group: str = ""


@dataclass(frozen=True)
class Factors:
    deadweight: Decimal  # the share that would have happened anyway, 0 to 1
    attribution: Decimal  # the share that is this partnership's doing, 0 to 1
    duration_years: int  # 1 or more
    drop_off: Decimal  # the share lost each year after the first, 0 to 1


@dataclass(frozen=True)
class Uprating:
    series: deflators.DeflatorSeries
    from_year: int
    to_year: int
    factor: Decimal


@dataclass(frozen=True)
class Result:
    central: Decimal
    low: Decimal
    high: Decimal
    by_year: tuple[Decimal, ...]  # the central figure of each year, after drop-off
    units: Decimal  # n × mean change
    price_year: int
    uprating: Uprating | None

    @property
    def prices_year(self) -> int:
        return self.uprating.to_year if self.uprating else self.price_year

    def price_basis(self) -> str:
        """'2019 prices', or 'uprated to 2025 prices with the GDP deflator (source)'."""
        if self.uprating is None:
            return _("%(year)s prices") % {"year": self.price_year}
        return _(
            "%(from)s prices uprated to %(to)s prices with the GDP deflator "
            "(factor %(factor)s; %(source)s)"
        ) % {
            "from": self.uprating.from_year,
            "to": self.uprating.to_year,
            "factor": f"{self.uprating.factor:.4f}",
            "source": self.uprating.series.citation(),
        }


def _round(amount: Decimal) -> Decimal:
    return amount.quantize(PENNY, rounding=ROUND_HALF_UP)


# --- the one place a value meets a count ----------------------------------------------------


def times_count(value: Value, count: Decimal) -> Decimal:
    """`value` × a number of people (or of WELLBYs). Refuses a context-only value: its
    figure is a total divided by a population, not a saving per person helped."""
    if value.kind != ValueKind.MONETISABLE or value.basis == ValueBasis.HEAD:
        raise ContextOnly({"value": context_only_message(value)})
    return value.amount * count


def context_only_message(value: Value | Any) -> str:
    return _(
        "%(name)s is context only: it cannot be multiplied by a number of residents. "
        "Choose a monetisable value."
    ) % {"name": value.name}


# --- checking ----------------------------------------------------------------------------


def _problems(quantity: Quantity, value: Value, factors: Factors) -> dict[str, str]:
    errors: dict[str, str] = {}
    if value.measure and quantity.measure != value.measure:
        errors["measure"] = _(
            "%(name)s applies only to %(measure)s: choose that measure or another value"
        ) % {"name": value.name, "measure": ChangeMeasure(value.measure).label}
    if not 1 <= quantity.n <= MAX_PEOPLE:
        errors["n"] = _("Enter a number of people from 1 to %(most)s") % {"most": f"{MAX_PEOPLE:,}"}
    if quantity.measure not in ChangeMeasure.values:
        errors["measure"] = _("Choose the measure the change is on")
    limit: Decimal | None = None
    if value.basis == ValueBasis.PERSON:
        limit = ONE
    elif quantity.measure in CHANGE_LIMITS:
        limit = CHANGE_LIMITS[ChangeMeasure(quantity.measure)]
    if limit is not None and abs(quantity.mean_change) > limit:
        errors["mean_change"] = (
            _("For a value per person, enter the share who made the change, from -1 to 1")
            if value.basis == ValueBasis.PERSON
            else _("A change on this measure is at most %(limit)s points either way")
            % {"limit": limit}
        )
    if quantity.ci_low > quantity.mean_change:
        errors["ci_low"] = _("The interval's low end must be at or below the mean change")
    if quantity.ci_high < quantity.mean_change:
        errors["ci_high"] = _("The interval's high end must be at or above the mean change")
    for name, share in (
        ("deadweight", factors.deadweight),
        ("attribution", factors.attribution),
        ("drop_off", factors.drop_off),
    ):
        if not ZERO <= share <= ONE:
            errors[name] = _("Enter a share between 0 and 100 per cent")
    if not 1 <= factors.duration_years <= MAX_YEARS:
        errors["duration_years"] = _("Enter a number of years from 1 to %(most)s") % {
            "most": MAX_YEARS
        }
    if not value.low <= value.amount <= value.high:
        errors["value"] = _("This value's range does not hold its central figure")
    return errors


def check(quantity: Quantity, value: Value, factors: Factors) -> None:
    """Raises ContextOnly, WrongMeasure or RecipeRefused (every problem, by input)."""
    if value.kind != ValueKind.MONETISABLE or value.basis == ValueBasis.HEAD:
        raise ContextOnly({"value": context_only_message(value)})
    errors = _problems(quantity, value, factors)
    if "measure" in errors:
        raise WrongMeasure(errors)
    if errors:
        raise RecipeRefused(errors)


# --- working it out ----------------------------------------------------------------------


def kept_in_year(k: int, drop_off: Decimal) -> Decimal:
    """(1 − d)^(k − 1): what is left of the first year's change in year k. Year 1 keeps
    all of it, even with a drop-off of 100% (Decimal refuses 0 ** 0)."""
    return ONE if k == 1 else (ONE - drop_off) ** (k - 1)


def duration_multiplier(years: int, drop_off: Decimal) -> Decimal:
    """1 + (1 − d) + (1 − d)² + … over `years` years."""
    return sum((kept_in_year(k, drop_off) for k in range(1, years + 1)), ZERO)


def uprating(
    price_year: int, to_year: int | None, series: deflators.DeflatorSeries = deflators.DEFAULT
) -> Uprating | None:
    """None when the figure stays in its price year; raises RecipeRefused naming
    `uprate_to` when the series has no index for a year."""
    if to_year is None or to_year == price_year:
        return None
    try:
        factor = series.factor(price_year, to_year)
    except deflators.NoDeflator as error:
        raise RecipeRefused({"uprate_to": str(error)}) from None
    return Uprating(series=series, from_year=price_year, to_year=to_year, factor=factor)


def value_of(
    quantity: Quantity,
    value: Value,
    factors: Factors,
    *,
    uprate_to: int | None = None,
    series: deflators.DeflatorSeries = deflators.DEFAULT,
) -> Result:
    """The recipe's central figure, range and years, in the value's price year or uprated
    to `uprate_to` with `series`. Raises ContextOnly, WrongMeasure or RecipeRefused."""
    check(quantity, value, factors)
    uprate = uprating(value.price_year, uprate_to, series)
    deflate = uprate.factor if uprate else ONE
    share = (ONE - factors.deadweight) * factors.attribution
    n = Decimal(quantity.n)
    units = n * quantity.mean_change
    first_year = times_count(value, units) * share
    by_year = tuple(
        _round(first_year * kept_in_year(k, factors.drop_off) * deflate)
        for k in range(1, factors.duration_years + 1)
    )
    years = duration_multiplier(factors.duration_years, factors.drop_off)
    spread = years * share * deflate
    corners = [
        units_end * value_end
        for units_end in (n * quantity.ci_low, n * quantity.ci_high)
        for value_end in (value.low, value.high)
    ]
    return Result(
        central=_round(first_year * years * deflate),
        low=_round(min(corners) * spread),
        high=_round(max(corners) * spread),
        by_year=by_year,
        units=units,
        price_year=value.price_year,
        uprating=uprate,
    )


# --- adding recipes up -------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One recipe in a total: whose change it values, with which value, and its result."""

    label: str
    cohort_label: str
    value: Value
    result: Result


@dataclass(frozen=True)
class Total:
    central: Decimal
    low: Decimal
    high: Decimal
    prices_year: int
    overlaps: tuple[tuple[str, str], ...]  # pairs of parts' labels counted together
    justification: str


def _cohort(label: str) -> str:
    return " ".join(label.casefold().split())


def overlaps_in(parts: Sequence[Part]) -> list[tuple[str, str]]:
    """Pairs of parts for the same cohort whose values count the same gain."""
    found = []
    for i, first in enumerate(parts):
        for second in parts[i + 1 :]:
            same_cohort = _cohort(first.cohort_label) == _cohort(second.cohort_label)
            group = first.value.overlap_group
            same_gain = first.value.key == second.value.key or (
                bool(group) and group == second.value.overlap_group
            )
            if same_cohort and same_gain:
                found.append((first.label, second.label))
    return found


def total_of(parts: Sequence[Part], *, justification: str = "") -> Total:
    """The sum of the parts' figures, all in one year's prices. Refuses parts in different
    years' prices, and (DoubleCounting) one cohort's overlapping values unless
    `justification` says, in a sentence or more, why they do not count the same gain."""
    if len(parts) < 2:
        raise RecipeRefused({"recipes": _("Choose at least two recipes to add up")})
    years = {part.result.prices_year for part in parts}
    if len(years) > 1:
        raise RecipeRefused(
            {"recipes": _("These recipes are in different years' prices: uprate them to one year")}
        )
    overlaps = overlaps_in(parts)
    justification = " ".join((justification or "").split())
    if overlaps and len(justification) < JUSTIFICATION_MIN:
        pairs = "; ".join(f"{a} + {b}" for a, b in overlaps)
        raise DoubleCounting(
            {
                "justification": _(
                    "These value the same people's gain twice (%(pairs)s): a cohort's "
                    "loneliness value is itself a wellbeing value. Leave one out, or write "
                    "why they do not overlap (at least %(least)s characters)."
                )
                % {"pairs": pairs, "least": JUSTIFICATION_MIN}
            }
        )
    return Total(
        central=sum((p.result.central for p in parts), ZERO),
        low=sum((p.result.low for p in parts), ZERO),
        high=sum((p.result.high for p in parts), ZERO),
        prices_year=years.pop(),
        overlaps=tuple(overlaps),
        justification=justification if overlaps else "",
    )
