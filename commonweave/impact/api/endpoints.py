"""The value library and recipes. `request.auth` is the Viewer; the rules are
impact/rules.py, the same as the pages'. A recipe the services refuse (a context-only
value, a value on the wrong measure, an input out of range) is a 400 naming the field."""

from dataclasses import asdict
from decimal import Decimal, InvalidOperation

from django.http import Http404
from django.utils.translation import gettext as _
from ninja.responses import Status

from commonweave.core.api.errors import InvalidInput, service_errors
from commonweave.core.api.pagination import PageParams, paginate
from commonweave.core.api.schemas import Detail, Errors

from .. import receipt, recipes, rules, selectors, services
from ..models import SocialValue, ValueRecipe
from . import router
from .schemas import ImpactRecipeIn, ImpactRecipeOut, ImpactRecipePage, SocialValuePage

CHANGE = {400: Errors, 404: Detail}


def _valuer(request):
    viewer = request.auth
    if not rules.may_value(viewer):
        raise Http404
    return viewer


def value_out(value: SocialValue) -> dict:
    return {
        "id": value.public_id,
        "key": value.key,
        "name": value.name,
        "value": str(value.value),
        "low": str(value.low),
        "high": str(value.high),
        "unit": value.unit,
        "basis": value.basis,
        "kind": value.kind,
        "measure": value.measure or None,
        "price_year": value.price_year,
        "may_redistribute": value.may_redistribute,
        "shipped": value.shipped,
        "source": {
            "title": value.source_title,
            "publisher": value.source_publisher,
            "url": value.source_url,
            "table": value.source_table,
            "note": value.source_note,
            "licence": value.licence,
        },
    }


def recipe_out(recipe: ValueRecipe) -> dict:
    return {
        "id": recipe.public_id,
        "title": recipe.title,
        "version": recipe.version,
        "previous": recipe.previous.public_id if recipe.previous is not None else None,
        "cohort_label": recipe.cohort_label,
        "value": recipe.social_value.key,
        "central": str(recipe.central),
        "low": str(recipe.low),
        "high": str(recipe.high),
        "by_year": [str(amount) for amount in recipe.by_year],
        "prices_year": recipe.prices_year,
        "price_basis": recipe.price_basis,
        "receipt": [asdict(row) for row in receipt.rows(recipe)],
        "created_at": recipe.created_at,
    }


def _decimal(text: str, field: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise InvalidInput({field: _("Enter a number")}) from None


@router.get("/impact/values", response={200: SocialValuePage, 404: Detail})
def value_list(request, paging: PageParams):
    """The value library: the shipped open values and your place's own, each with its
    unit, price year, range, source and licence. A `context_only` value is listed for
    context and is never multiplied by a count of residents."""
    values = selectors.values_for(_valuer(request))
    rows, envelope = paginate(values, paging)
    return {**envelope, "items": [value_out(value) for value in rows]}


@router.get("/impact/recipes", response={200: ImpactRecipePage, 404: Detail})
def recipe_list(request, paging: PageParams):
    """Your place's social value figures, newest first, each with its receipt."""
    recipes_ = selectors.recipes_of(_valuer(request)).select_related("previous")
    rows, envelope = paginate(recipes_, paging)
    return {**envelope, "items": [recipe_out(recipe) for recipe in rows]}


@router.post("/impact/recipes", response={201: ImpactRecipeOut, **CHANGE})
def recipe_create(request, payload: ImpactRecipeIn):
    """Work out and keep a £ figure: quantity (n, mean change and its 95% interval, typed
    with its source) × value × (1 − deadweight) × attribution × duration with drop-off,
    optionally uprated to `uprate_to` prices with the GDP deflator; `previous` names the
    figure this corrects (kept as it was; this is its next version). A factor without a
    source is recorded as your assumption, today. A context-only value, or a value on a
    measure it was not made for (a WELLBY on anything but life satisfaction), is a 400."""
    viewer = _valuer(request)
    value = selectors.value_get(viewer, payload.value)
    previous = selectors.recipe_open(viewer, payload.previous) if payload.previous else None
    quantity_in = payload.quantity
    quantity = recipes.Quantity(
        n=quantity_in.n,
        mean_change=_decimal(quantity_in.mean_change, "quantity.mean_change"),
        ci_low=_decimal(quantity_in.ci_low, "quantity.ci_low"),
        ci_high=_decimal(quantity_in.ci_high, "quantity.ci_high"),
        measure=quantity_in.measure,
        cohort_label=quantity_in.cohort_label,
    )
    factors = recipes.Factors(
        deadweight=_decimal(payload.deadweight, "deadweight"),
        attribution=_decimal(payload.attribution, "attribution"),
        duration_years=payload.duration_years,
        drop_off=_decimal(payload.drop_off, "drop_off"),
    )
    rename = {
        name: f"quantity.{name}" for name in ("n", "mean_change", "ci_low", "ci_high", "measure")
    }
    with service_errors(**rename):
        recipe = services.recipe_create(
            viewer=viewer,
            title=payload.title,
            value=value,
            quantity=quantity,
            factors=factors,
            quantity_source=quantity_in.source,
            sources={
                "deadweight": payload.deadweight_source,
                "attribution": payload.attribution_source,
                "duration": payload.duration_source,
                "drop_off": payload.drop_off_source,
            },
            uprate_to=payload.uprate_to,
            previous=previous,
        )
    return Status(201, recipe_out(recipe))


@router.get("/impact/recipes/{public_id}", response={200: ImpactRecipeOut, 404: Detail})
def recipe_detail(request, public_id: str):
    """One of your place's figures, with its receipt: each factor, its value, its source."""
    return recipe_out(selectors.recipe_open(_valuer(request), public_id))
