"""Reading the value library and the place's recipes. Each read takes the viewer; a
viewer without a valuing role, or a recipe of another place, is a 404. Recipes hold
aggregate figures only, never a person, so reading one is not audited."""

from django.db.models import Q, QuerySet
from django.http import Http404

from . import rules
from .models import SocialValue, ValueRecipe


def _valuer(viewer):
    if not rules.may_value(viewer):
        raise Http404
    return viewer


def values_for(viewer) -> QuerySet[SocialValue]:
    """The shipped values and the place's own, context-only ones included (shown, never
    offered for multiplying)."""
    viewer = _valuer(viewer)
    return SocialValue.objects.filter(Q(place__isnull=True) | Q(place=viewer.place)).order_by(
        "place_id", "name", "pk"
    )


def values_for_export(viewer) -> QuerySet[SocialValue]:
    """The values whose figures and sources may leave the place (exports, reports, their
    methods appendix): a licensed value with may_redistribute off never does."""
    return values_for(viewer).filter(may_redistribute=True)


def value_get(viewer, key_or_id: str) -> SocialValue:
    """A value the viewer's place may use, by public id or key; otherwise a 404."""
    found = values_for(viewer).filter(Q(public_id=key_or_id) | Q(key=key_or_id)).first()
    if found is None:
        raise Http404
    return found


def recipes_of(viewer) -> QuerySet[ValueRecipe]:
    viewer = _valuer(viewer)
    return ValueRecipe.objects.filter(place=viewer.place).select_related(
        "social_value__licence_confirmed_by", "previous"
    )


def recipe_open(viewer, public_id: str) -> ValueRecipe:
    recipe = recipes_of(viewer).filter(public_id=public_id).first()
    if recipe is None:
        raise Http404
    return recipe
