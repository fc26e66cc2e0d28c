"""A recipe's receipt: each factor, its value and its source, in the order they multiply.
The page's table and the API's `receipt` are both these rows, so they always agree.

A factor without a source is shown as what it is: an assumption, by whom and when. The
quantity is typed by a person in this slice (not read from a cohort), and the receipt
says so beside it.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from .enums import ValueBasis
from .models import SocialValue, ValueRecipe

HUNDRED = Decimal("100")


@dataclass(frozen=True)
class Row:
    key: str
    factor: str
    value: str
    source: str
    url: str = ""


def pounds(amount: Decimal, places: int = 0) -> str:
    """£520,000 (or £520,000.50 with places=2); a negative figure as −£1,000."""
    text = f"£{abs(amount):,.{places}f}"
    return f"−{text}" if amount < 0 else text


def percent(share: Decimal) -> str:
    return f"{(share * HUNDRED).normalize():f}%"


def assumption(recipe: ValueRecipe) -> str:
    when = formats.date_format(recipe.created_at, "j F Y")
    return _("Assumption by %(who)s, %(when)s") % {
        "who": recipe.created_by_label or _("a former user"),
        "when": when,
    }


def value_source(value: SocialValue) -> str:
    parts = [value.source_publisher, value.source_title]
    if value.source_table:
        parts.append(value.source_table)
    parts.append(_("Licence: %(licence)s") % {"licence": value.licence})
    if value.licence_confirmed and value.licence_confirmed_at:
        parts.append(
            _("licence confirmed by %(who)s on %(when)s")
            % {
                "who": getattr(value.licence_confirmed_by, "email", "") or _("a former user"),
                "when": formats.date_format(value.licence_confirmed_at, "j F Y"),
            }
        )
    return ". ".join(part for part in parts if part)


def _change(recipe: ValueRecipe) -> str:
    return _("%(mean)s (95%% interval %(low)s to %(high)s), %(measure)s") % {
        "mean": f"{recipe.mean_change.normalize():+f}",
        "low": f"{recipe.ci_low.normalize():+f}",
        "high": f"{recipe.ci_high.normalize():+f}",
        "measure": recipe.get_measure_display(),
    }


def rows(recipe: ValueRecipe, *, for_export: bool = False) -> list[Row]:
    """The receipt. `for_export` withholds a value whose licence does not allow it to
    leave the place (its name, figures and source)."""
    value = recipe.social_value
    quantity_source = recipe.quantity_source or assumption(recipe)
    typed = _("Typed in by %(who)s, not read from a published cohort") % {
        "who": recipe.created_by_label or _("a former user")
    }
    per = (
        _("WELLBYs or points of change × people")
        if value.basis == ValueBasis.POINT_CHANGE
        else _("people who made the change")
    )
    withheld = for_export and not value.may_redistribute
    value_text = (
        _("Withheld: a licensed value that may not be redistributed")
        if withheld
        else _("%(value)s %(unit)s (range %(low)s to %(high)s), %(year)s prices")
        % {
            "value": pounds(recipe.value_amount),
            "unit": value.unit,
            "low": pounds(recipe.value_low),
            "high": pounds(recipe.value_high),
            "year": recipe.price_year,
        }
    )
    duration = _("%(years)s year(s), %(drop)s drop-off each year after the first") % {
        "years": recipe.duration_years,
        "drop": percent(recipe.drop_off),
    }
    return [
        Row("n", _("People in the cohort"), f"{recipe.n:,}", f"{quantity_source}. {typed}"),
        Row("change", _("Mean change"), _change(recipe), f"{quantity_source}. {typed}"),
        Row(
            "units",
            _("Quantity valued (%(per)s)") % {"per": per},
            f"{(recipe.n * recipe.mean_change).normalize():f}",
            _("People × mean change"),
        ),
        Row(
            "value",
            value.name if not withheld else _("Licensed value"),
            value_text,
            "" if withheld else value_source(value),
            "" if withheld else value.source_url,
        ),
        Row(
            "deadweight",
            _("Deadweight"),
            _("× (1 − %(share)s)") % {"share": percent(recipe.deadweight)},
            recipe.deadweight_source or assumption(recipe),
        ),
        Row(
            "attribution",
            _("Attribution"),
            f"× {percent(recipe.attribution)}",
            recipe.attribution_source or assumption(recipe),
        ),
        Row(
            "duration",
            _("Duration and drop-off"),
            duration,
            " / ".join(
                (
                    recipe.duration_source or assumption(recipe),
                    recipe.drop_off_source or assumption(recipe),
                )
            ),
        ),
        Row(
            "prices",
            _("Prices"),
            recipe.price_basis,
            recipe.deflator_citation or _("The value's own price year: not uprated"),
        ),
    ]


def years(recipe: ValueRecipe) -> list[tuple[int, str]]:
    """(year number, central figure that year) after drop-off."""
    return [(k, pounds(Decimal(amount))) for k, amount in enumerate(recipe.by_year, start=1)]
