"""Making social value figures: a recipe, a local (licensed) value, a total of recipes.

Every function checks who may act (rules.py), works the figure out with recipes.py (whose
refusals become a ValidationError naming the input), writes in one transaction, and
records one audit event. Nothing is ever changed or deleted: a corrected recipe is a new
version naming the one it replaces.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.publicid import new_public_id

from . import deflators, recipes, rules
from .enums import ValueBasis, ValueKind
from .models import SocialValue, ValueRecipe, ValueTotal


def _refusal(error: recipes.RecipeRefused) -> ValidationError:
    return ValidationError({field: [message] for field, message in error.errors.items()})


def _usable(viewer, value: SocialValue) -> None:
    if value.place_id is not None and value.place_id != viewer.place.pk:
        raise Http404


def _person_label(viewer) -> str:
    user = getattr(viewer, "user", None)
    if user is not None:
        return user.get_full_name() or user.email
    token = getattr(viewer, "token", None)
    return _("API token %(prefix)s") % {"prefix": token.prefix} if token is not None else ""


def _audit(viewer, action, obj, detail):
    audit_record(viewer=viewer, action=action, purpose=Purpose.ADMIN, obj=obj, detail=detail)


@transaction.atomic
def recipe_create(
    *,
    viewer,
    title: str,
    value: SocialValue,
    quantity: recipes.Quantity,
    factors: recipes.Factors,
    quantity_source: str = "",
    sources: dict[str, str] | None = None,
    uprate_to: int | None = None,
    previous: ValueRecipe | None = None,
) -> ValueRecipe:
    """Work out and keep one £ figure. `sources` gives each factor's source by name
    (deadweight, attribution, duration, drop_off); a blank one is recorded as an assumption
    by the viewer, today. `previous` (a recipe of the place) makes this its next version.

    Raises ValidationError naming the input for a context-only value, a value applied to a
    measure it was not made for, and any input out of range. Side effects: a ValueRecipe,
    one audit event."""
    if not rules.may_value(viewer):
        raise Http404
    _usable(viewer, value)
    if previous is not None and not rules.in_place(viewer, previous):
        raise Http404
    if previous is not None and ValueRecipe.objects.filter(previous=previous).exists():
        raise ValidationError(_("That figure already has a newer version: correct the newest"))
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Give the figure a title")})
    try:
        result = recipes.value_of(quantity, value.as_value(), factors, uprate_to=uprate_to)
    except recipes.RecipeRefused as error:
        raise _refusal(error) from None
    sources = {name: (text or "").strip() for name, text in (sources or {}).items()}
    uprating = result.uprating
    recipe = ValueRecipe.objects.create(
        place=viewer.place,
        title=title[:200],
        version=previous.version + 1 if previous is not None else 1,
        previous=previous,
        cohort_label=quantity.cohort_label.strip()[:200],
        n=quantity.n,
        mean_change=quantity.mean_change,
        ci_low=quantity.ci_low,
        ci_high=quantity.ci_high,
        measure=quantity.measure,
        quantity_source=(quantity_source or "").strip(),
        social_value=value,
        value_amount=value.value,
        value_low=value.low,
        value_high=value.high,
        price_year=value.price_year,
        deadweight=factors.deadweight,
        deadweight_source=sources.get("deadweight", ""),
        attribution=factors.attribution,
        attribution_source=sources.get("attribution", ""),
        duration_years=factors.duration_years,
        duration_source=sources.get("duration", ""),
        drop_off=factors.drop_off,
        drop_off_source=sources.get("drop_off", ""),
        uprate_to=uprating.to_year if uprating else None,
        deflator_key=uprating.series.key if uprating else "",
        deflator_citation=uprating.series.citation()[:400] if uprating else "",
        deflator_factor=uprating.factor.quantize(Decimal("0.00000001")) if uprating else None,
        central=result.central,
        low=result.low,
        high=result.high,
        by_year=[str(amount) for amount in result.by_year],
        price_basis=result.price_basis()[:500],
        created_by=getattr(viewer, "user", None),
        created_by_label=_person_label(viewer)[:200],
    )
    _audit(
        viewer,
        Action.CREATE,
        recipe,
        {
            "value": value.key,
            "central": str(result.central),
            "prices": result.prices_year,
            "version": recipe.version,
        },
    )
    return recipe


@transaction.atomic
def local_value_add(
    *,
    viewer,
    name: str,
    value: Decimal,
    low: Decimal,
    high: Decimal,
    unit: str,
    basis: str,
    price_year: int,
    source_title: str,
    source_publisher: str,
    licence: str,
    licence_confirmed: bool,
    measure: str = "",
    source_url: str = "",
    source_table: str = "",
    source_note: str = "",
    may_redistribute: bool = False,
) -> SocialValue:
    """A value the place loads itself, such as one from a licensed value bank. The place
    admin must confirm that their organisation holds the licence: who and when are kept.
    It is never shipped to other places; with `may_redistribute` off (the default) it stays
    out of exports and report metadata (selectors.values_for_export).

    Side effects: a SocialValue, one audit event."""
    if not rules.may_load_values(viewer):
        raise Http404
    user = getattr(viewer, "user", None)
    errors = {}
    if user is None:
        errors["licence_confirmed"] = _("Confirming a licence needs a person signed in")
    elif not licence_confirmed:
        errors["licence_confirmed"] = _(
            "Confirm that your organisation holds the licence for this value"
        )
    if not low <= value <= high:
        errors["low"] = _("The range must hold the value: low at or below it, high at or above")
    if basis not in ValueBasis.values:
        errors["basis"] = _("Choose what one unit of the value is")
    if not 1900 <= price_year <= timezone.localdate().year:
        errors["price_year"] = _("Enter the year the value's prices are for")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    row = SocialValue.objects.create(
        place=viewer.place,
        key=f"local-{slugify(name)[:50]}-{new_public_id()[:6]}",
        name=name.strip(),
        value=value,
        low=low,
        high=high,
        unit=unit.strip(),
        basis=basis,
        # Only a value per head of population is context only; anything else loaded
        # locally is a value per change or per person.
        kind=ValueKind.CONTEXT_ONLY if basis == ValueBasis.HEAD else ValueKind.MONETISABLE,
        measure=measure,
        price_year=price_year,
        source_title=source_title.strip(),
        source_publisher=source_publisher.strip(),
        source_url=source_url.strip(),
        source_table=source_table.strip(),
        source_note=source_note.strip(),
        licence=licence.strip(),
        may_redistribute=may_redistribute,
        licence_confirmed=True,
        licence_confirmed_by=user,
        licence_confirmed_at=now,
        created_at=now,
    )
    _audit(
        viewer, Action.CREATE, row, {"licence_confirmed": True, "redistribute": may_redistribute}
    )
    return row


@transaction.atomic
def total_create(
    *, viewer, title: str, recipes_in: list[ValueRecipe], justification: str = ""
) -> ValueTotal:
    """Add the place's recipes into one total. One cohort's values that count the same
    gain (its WELLBYs and its loneliness value) are refused unless `justification` says
    why they do not overlap; then it is kept with who wrote it and when.

    Side effects: a ValueTotal, one audit event."""
    if not rules.may_value(viewer):
        raise Http404
    if any(not rules.in_place(viewer, recipe) for recipe in recipes_in):
        raise Http404
    parts = [
        recipes.Part(
            label=recipe.title,
            cohort_label=recipe.cohort_label,
            value=recipe.value_used,
            result=recipe.as_result(),
        )
        for recipe in recipes_in
    ]
    try:
        total = recipes.total_of(parts, justification=justification)
    except recipes.RecipeRefused as error:
        raise _refusal(error) from None
    justified = bool(total.overlaps)
    row = ValueTotal.objects.create(
        place=viewer.place,
        title=" ".join((title or "").split())[:200] or _("Total"),
        central=total.central,
        low=total.low,
        high=total.high,
        prices_year=total.prices_year,
        overlaps=[list(pair) for pair in total.overlaps],
        justification=total.justification,
        justified_by=getattr(viewer, "user", None) if justified else None,
        justified_at=timezone.now() if justified else None,
        created_by=getattr(viewer, "user", None),
    )
    row.recipes.set(recipes_in)
    _audit(
        viewer,
        Action.CREATE,
        row,
        {"recipes": len(recipes_in), "central": str(total.central), "justified": justified},
    )
    return row


def deflator_years() -> list[int]:
    return deflators.DEFAULT.years
