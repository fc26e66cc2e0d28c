"""Saving a version of a place's theory of change (docs/impact.md, "Theory of change").

A version is never changed: `theory_save` builds the whole next version from what was
submitted (the area analysis, the outcomes with their indicators, the activities and the
assumptions), in one transaction, after checking all of it, and audits it. The versions
before stay as they were, to be read as the theory's history.

Errors name the input as the API does: "outcomes.2.indicators.0.source" is the first
indicator of the third outcome (counting from 0, as in the JSON list); the edit form maps
them back to its own rows.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.versioning import check_version

from . import rules
from .enums import IndicatorSource
from .models import (
    Activity,
    Assumption,
    Indicator,
    Outcome,
    TheoryOfChange,
    TheoryVersion,
)
from .services import _person_label

MAX_OUTCOMES = 20
MAX_INDICATORS = 10  # per outcome
MAX_ACTIVITIES = 30
MAX_ASSUMPTIONS = 30
SHORT = 200  # titles, names, targets
LONG = 4000  # the area analysis, descriptions, assumptions, the note of what changed


@dataclass(frozen=True)
class IndicatorIn:
    name: str
    source: str
    target: str = ""


@dataclass(frozen=True)
class OutcomeIn:
    title: str
    description: str = ""
    indicators: tuple[IndicatorIn, ...] = ()


@dataclass(frozen=True)
class ActivityIn:
    title: str
    outcomes: tuple[int, ...] = ()  # the outcomes it leads to, by number (1 is the first)


@dataclass(frozen=True)
class AssumptionIn:
    text: str
    outcome: int | None = None  # by number (1 is the first), or None
    activity: int | None = None


@dataclass(frozen=True)
class TheoryIn:
    """Everything a version holds, as submitted (page or API)."""

    area_analysis: str
    outcomes: tuple[OutcomeIn, ...] = ()
    activities: tuple[ActivityIn, ...] = ()
    assumptions: tuple[AssumptionIn, ...] = ()
    change_note: str = ""


def _text(value: str | None) -> str:
    return (value or "").strip()


def _line(value: str | None) -> str:
    return " ".join((value or "").split())


def _check(content: TheoryIn, number: int) -> dict[str, str]:
    """Every problem with `content` as version `number`, by input name; empty when fine."""
    errors: dict[str, str] = {}

    def need(name: str, value: str, message: str, limit: int) -> None:
        if not value:
            errors[name] = message
        elif len(value) > limit:
            errors[name] = _("Use %(limit)s characters or fewer") % {"limit": limit}

    need(
        "area_analysis",
        _text(content.area_analysis),
        _("Describe the area as the partnership sees it"),
        LONG,
    )
    if number >= 2:
        need(
            "change_note",
            _text(content.change_note),
            _("Say what changed since version %(number)s, and why") % {"number": number - 1},
            LONG,
        )
    elif len(_text(content.change_note)) > LONG:
        errors["change_note"] = _("Use %(limit)s characters or fewer") % {"limit": LONG}
    outcomes = content.outcomes
    if not outcomes:
        errors["outcomes"] = _("Name at least one outcome the partnership works towards")
    elif len(outcomes) > MAX_OUTCOMES:
        errors["outcomes"] = _("Name at most %(most)s outcomes") % {"most": MAX_OUTCOMES}
    for o, outcome in enumerate(outcomes):
        need(f"outcomes.{o}.title", _line(outcome.title), _("Name the outcome"), SHORT)
        if len(_text(outcome.description)) > LONG:
            errors[f"outcomes.{o}.description"] = _("Use %(limit)s characters or fewer") % {
                "limit": LONG
            }
        if len(outcome.indicators) > MAX_INDICATORS:
            errors[f"outcomes.{o}.indicators"] = _("Give at most %(most)s indicators") % {
                "most": MAX_INDICATORS
            }
        for i, indicator in enumerate(outcome.indicators):
            at = f"outcomes.{o}.indicators.{i}"
            need(f"{at}.name", _line(indicator.name), _("Name the indicator"), SHORT)
            if indicator.source not in IndicatorSource.values:
                errors[f"{at}.source"] = _("Choose where the indicator comes from, from the list")
            if len(_line(indicator.target)) > SHORT:
                errors[f"{at}.target"] = _("Use %(limit)s characters or fewer") % {"limit": SHORT}
    if len(content.activities) > MAX_ACTIVITIES:
        errors["activities"] = _("Give at most %(most)s activities") % {"most": MAX_ACTIVITIES}
    for a, activity in enumerate(content.activities):
        need(f"activities.{a}.title", _line(activity.title), _("Name the activity"), SHORT)
        if not activity.outcomes:
            errors[f"activities.{a}.outcomes"] = _(
                "Say which outcomes it is meant to lead to, by number"
            )
        elif any(not 1 <= n <= len(outcomes) for n in activity.outcomes):
            errors[f"activities.{a}.outcomes"] = _(
                "Use the numbers of the outcomes above, from 1 to %(last)s"
            ) % {"last": len(outcomes)}
    if len(content.assumptions) > MAX_ASSUMPTIONS:
        errors["assumptions"] = _("Give at most %(most)s assumptions") % {"most": MAX_ASSUMPTIONS}
    for s, assumption in enumerate(content.assumptions):
        need(f"assumptions.{s}.text", _text(assumption.text), _("Write the assumption"), LONG)
        if assumption.outcome is not None and assumption.activity is not None:
            errors[f"assumptions.{s}.activity"] = _(
                "Link an assumption to one outcome or one activity, not both"
            )
        elif assumption.outcome is not None and not 1 <= assumption.outcome <= len(outcomes):
            errors[f"assumptions.{s}.outcome"] = _("There is no outcome of that number")
        elif assumption.activity is not None and not (
            1 <= assumption.activity <= len(content.activities)
        ):
            errors[f"assumptions.{s}.activity"] = _("There is no activity of that number")
    return errors


@transaction.atomic
def theory_save(*, viewer, content: TheoryIn, based_on: int) -> TheoryVersion:
    """Save `content` as the next version of the viewer's place's theory of change.
    `based_on` is the version the person started from (0 when there was none).

    Checks everything first and raises ValidationError naming every bad input (nothing
    saved); raises core.versioning.Conflict (nothing saved) when someone saved another
    version since `based_on`. Side effects: one TheoryVersion with its Outcomes,
    Indicators, Activities (and their links to outcomes) and Assumptions; the place's
    TheoryOfChange moves to the new number; one audit event."""
    if not rules.may_edit_theory(viewer):
        raise Http404
    theory, _created = TheoryOfChange.objects.get_or_create(place=viewer.place)
    theory = check_version(theory, based_on)  # locked until the transaction ends
    number = theory.version + 1
    errors = _check(content, number)
    if errors:
        raise ValidationError({name: [message] for name, message in errors.items()})

    version = TheoryVersion.objects.create(
        theory=theory,
        place=viewer.place,
        number=number,
        area_analysis=_text(content.area_analysis),
        change_note=_text(content.change_note),
        created_by=getattr(viewer, "user", None),
        created_by_label=_person_label(viewer)[:SHORT],
    )
    outcomes = Outcome.objects.bulk_create(
        Outcome(
            version=version,
            number=o,
            title=_line(outcome.title),
            description=_text(outcome.description),
        )
        for o, outcome in enumerate(content.outcomes, start=1)
    )
    Indicator.objects.bulk_create(
        Indicator(
            outcome=row,
            number=i,
            name=_line(indicator.name),
            source=indicator.source,
            target=_line(indicator.target),
        )
        for row, outcome in zip(outcomes, content.outcomes, strict=True)
        for i, indicator in enumerate(outcome.indicators, start=1)
    )
    activities = Activity.objects.bulk_create(
        Activity(version=version, number=a, title=_line(activity.title))
        for a, activity in enumerate(content.activities, start=1)
    )
    Activity.outcomes.through.objects.bulk_create(
        Activity.outcomes.through(activity_id=row.pk, outcome_id=outcomes[n - 1].pk)
        for row, activity in zip(activities, content.activities, strict=True)
        for n in sorted(set(activity.outcomes))
    )
    Assumption.objects.bulk_create(
        Assumption(
            version=version,
            number=s,
            text=_text(assumption.text),
            outcome=outcomes[assumption.outcome - 1] if assumption.outcome else None,
            activity=activities[assumption.activity - 1] if assumption.activity else None,
        )
        for s, assumption in enumerate(content.assumptions, start=1)
    )
    TheoryOfChange.objects.filter(pk=theory.pk).update(version=number)
    audit_record(
        viewer=viewer,
        action=Action.CREATE,
        purpose=Purpose.ADMIN,
        obj=version,
        detail={
            "version": number,
            "outcomes": len(outcomes),
            "indicators": sum(len(outcome.indicators) for outcome in content.outcomes),
            "activities": len(activities),
            "assumptions": len(content.assumptions),
        },
    )
    return version
