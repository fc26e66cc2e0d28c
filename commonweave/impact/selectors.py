"""Reading the value library and the place's recipes. Each read takes the viewer; a
viewer without a valuing role, or a recipe of another place, is a 404. Recipes hold
aggregate figures only, never a person, so reading one is not audited."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from . import rules
from .models import (
    Activity,
    Assumption,
    Indicator,
    Outcome,
    SocialValue,
    TheoryVersion,
    ValueRecipe,
)


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


# --- The theory of change: for everyone rules.may_read_theory lets in; holds no one's
# data, so reading it is not audited.


def _theory_reader(viewer):
    if not rules.may_read_theory(viewer):
        raise Http404
    return viewer


def theory_versions(viewer) -> QuerySet[TheoryVersion]:
    """The place's versions, newest first (without their contents)."""
    viewer = _theory_reader(viewer)
    return TheoryVersion.objects.filter(place=viewer.place).order_by("-number")


def _with_contents(versions: QuerySet[TheoryVersion]) -> QuerySet[TheoryVersion]:
    return versions.prefetch_related(
        Prefetch(
            "outcomes",
            queryset=Outcome.objects.order_by("number").prefetch_related(
                Prefetch("indicators", queryset=Indicator.objects.order_by("number")),
                Prefetch("activities", queryset=Activity.objects.order_by("number")),
            ),
        ),
        Prefetch(
            "activities",
            queryset=Activity.objects.order_by("number").prefetch_related(
                Prefetch("outcomes", queryset=Outcome.objects.order_by("number"))
            ),
        ),
        Prefetch(
            "assumptions",
            queryset=Assumption.objects.order_by("number").select_related("outcome", "activity"),
        ),
    )


def theory_current(viewer) -> TheoryVersion | None:
    """The place's newest version with its contents, or None before the first."""
    return _with_contents(theory_versions(viewer)).first()


def theory_version_open(viewer, number: int) -> TheoryVersion:
    """One version of the place's theory, with its contents; otherwise a 404."""
    if not 1 <= number <= 2_147_483_647:
        raise Http404
    found = _with_contents(theory_versions(viewer).filter(number=number)).first()
    if found is None:
        raise Http404
    return found


@dataclass(frozen=True)
class ActivityShown:
    activity: Activity
    assumptions: list[Assumption]


@dataclass(frozen=True)
class OutcomeShown:
    outcome: Outcome
    indicators: list[Indicator]
    activities: list[ActivityShown]
    assumptions: list[Assumption]


def theory_outline(version: TheoryVersion) -> tuple[list[OutcomeShown], list[Assumption]]:
    """The version as it reads: each outcome in order with its indicators, the activities
    meant to lead to it (each with its assumptions) and its own assumptions; then the
    assumptions about the whole theory. Uses the prefetched contents only."""
    assumptions = list(version.assumptions.all())
    by_outcome: dict[int, list[Assumption]] = {}
    by_activity: dict[int, list[Assumption]] = {}
    general = []
    for assumption in assumptions:
        if assumption.outcome_id is not None:
            by_outcome.setdefault(assumption.outcome_id, []).append(assumption)
        elif assumption.activity_id is not None:
            by_activity.setdefault(assumption.activity_id, []).append(assumption)
        else:
            general.append(assumption)
    outcomes = [
        OutcomeShown(
            outcome=outcome,
            indicators=list(outcome.indicators.all()),
            activities=[
                ActivityShown(activity, by_activity.get(activity.pk, []))
                for activity in outcome.activities.all()
            ],
            assumptions=by_outcome.get(outcome.pk, []),
        )
        for outcome in version.outcomes.all()
    ]
    return outcomes, general
