"""The form that saves a new version of the theory of change, without JavaScript: one page
with a fixed number of rows (outcomes, each with its indicators; activities; assumptions),
filled in from the current version. A blank row is left out; a row half filled in is named
beside its field. Activities name the outcomes they lead to by their row numbers ("1, 3").
What was typed is kept when anything is wrong."""

import re
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from commonweave.web.forms import GovukForm

from . import services_theory as theory
from .enums import IndicatorSource


@dataclass(frozen=True)
class Rows:
    """How many rows of each kind the form has: enough for the current version, and room
    for more (never more than a version may hold)."""

    outcomes: int = 8
    indicators: int = 4  # per outcome
    activities: int = 8
    assumptions: int = 6

    @classmethod
    def for_version(cls, version) -> "Rows":
        if version is None:
            return cls()
        outcomes = list(version.outcomes.all())
        most_indicators = max((len(o.indicators.all()) for o in outcomes), default=0)
        return cls(
            outcomes=min(max(cls.outcomes, len(outcomes) + 1), theory.MAX_OUTCOMES),
            indicators=min(max(cls.indicators, most_indicators + 1), theory.MAX_INDICATORS),
            activities=min(
                max(cls.activities, len(version.activities.all()) + 1), theory.MAX_ACTIVITIES
            ),
            assumptions=min(
                max(cls.assumptions, len(version.assumptions.all()) + 1), theory.MAX_ASSUMPTIONS
            ),
        )


def _char(label, *, long=False, max_length=theory.SHORT, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        max_length=theory.LONG if long else max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}) if long else forms.TextInput(),
    )


def _numbers(text: str) -> list[int]:
    return [int(part) for part in re.findall(r"\d+", text or "")]


class TheoryForm(GovukForm):
    version = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    area_analysis = forms.CharField(
        label=_("Our shared analysis of the area"),
        max_length=theory.LONG,
        help_text=_(
            "In the partnership's own words: the area, its people's needs and strengths, "
            "and what the area profile shows"
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Describe the area as the partnership sees it")},
    )
    change_note = forms.CharField(
        label=_("What changed and why"),
        required=False,
        max_length=theory.LONG,
        help_text=_("Needed from the second version on: it is kept in the history"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, rows: Rows | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows or Rows()
        self._names: dict[str, str] = {}  # the service's input names -> this form's fields
        add = self._add
        for o in range(1, self.rows.outcomes + 1):
            add(f"outcome_{o}_title", _char(_("Outcome")))
            add(f"outcome_{o}_description", _char(_("Description"), long=True))
            for i in range(1, self.rows.indicators + 1):
                at = f"outcome_{o}_indicator_{i}"
                add(f"{at}_name", _char(_("Indicator")))
                add(
                    f"{at}_source",
                    forms.ChoiceField(
                        label=_("Where it comes from"),
                        required=False,
                        choices=[("", _("Choose a number the dashboards show"))]
                        + list(IndicatorSource.choices),
                        error_messages={
                            "invalid_choice": _("Choose where the indicator comes from")
                        },
                    ),
                )
                add(f"{at}_target", _char(_("Target"), help_text=_("For example: 60% by 2028")))
        for a in range(1, self.rows.activities + 1):
            add(f"activity_{a}_title", _char(_("Activity")))
            add(
                f"activity_{a}_outcomes",
                _char(
                    _("Outcomes it leads to"),
                    max_length=100,
                    help_text=_("Their numbers above, for example: 1, 3"),
                ),
            )
            self.fields[f"activity_{a}_outcomes"].widget.attrs["class"] = "govuk-input--width-10"
        about = (
            [("", _("The whole theory"))]
            + [
                (f"outcome-{o}", _("Outcome %(n)s") % {"n": o})
                for o in range(1, self.rows.outcomes + 1)
            ]
            + [
                (f"activity-{a}", _("Activity %(n)s") % {"n": a})
                for a in range(1, self.rows.activities + 1)
            ]
        )
        for s in range(1, self.rows.assumptions + 1):
            add(f"assumption_{s}_text", _char(_("Assumption"), long=True))
            add(
                f"assumption_{s}_about",
                forms.ChoiceField(
                    label=_("About"),
                    required=False,
                    choices=about,
                    error_messages={"invalid_choice": _("Choose an outcome or an activity")},
                ),
            )

    def _add(self, name, field):
        # GovukForm styles the fields it is built with; rows are added after, so here.
        kind = {forms.Textarea: "govuk-textarea", forms.Select: "govuk-select"}.get(
            type(field.widget), "govuk-input"
        )
        field.widget.attrs["class"] = (field.widget.attrs.get("class", "") + " " + kind).strip()
        field.widget.attrs.setdefault("id", f"id_{self.add_prefix(name)}")
        if field.help_text:
            field.widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}-hint"
        self.fields[name] = field

    # --- what the page shows ------------------------------------------------------------

    def outcome_rows(self):
        """[(number, title, description, [(number, name, source, target), ...], open)]"""
        rows = []
        blank_shown = False  # the first blank row starts open, to fill in
        for o in range(1, self.rows.outcomes + 1):
            indicators = [
                (
                    i,
                    self[f"outcome_{o}_indicator_{i}_name"],
                    self[f"outcome_{o}_indicator_{i}_source"],
                    self[f"outcome_{o}_indicator_{i}_target"],
                )
                for i in range(1, self.rows.indicators + 1)
            ]
            rows.append(
                (
                    o,
                    self[f"outcome_{o}_title"],
                    self[f"outcome_{o}_description"],
                    indicators,
                    self._open(f"outcome_{o}_", first_blank=not blank_shown),
                )
            )
            blank_shown = blank_shown or not self._holds(f"outcome_{o}_")
        return rows

    def _simple_rows(self, kind: str, count: int, parts: tuple[str, str]):
        rows, blank_shown = [], False
        for n in range(1, count + 1):
            prefix = f"{kind}_{n}_"
            holds = self._holds(prefix)
            rows.append(
                (n, self[prefix + parts[0]], self[prefix + parts[1]], holds or not blank_shown)
            )
            blank_shown = blank_shown or not holds
        return rows

    def activity_rows(self):
        """[(number, title, outcomes, open)]"""
        return self._simple_rows("activity", self.rows.activities, ("title", "outcomes"))

    def assumption_rows(self):
        """[(number, text, about, open)]"""
        return self._simple_rows("assumption", self.rows.assumptions, ("text", "about"))

    def _holds(self, prefix: str) -> bool:
        names = [name for name in self.fields if name.startswith(prefix)]
        return any(self[name].errors or str(self[name].value() or "").strip() for name in names)

    def _open(self, prefix: str, *, first_blank: bool) -> bool:
        """Whether a row starts open: it holds something or an error, or it is the first
        blank one."""
        return first_blank or self._holds(prefix)

    # --- checking ------------------------------------------------------------------------

    def _value(self, name: str) -> str:
        return (self.cleaned_data.get(name) or "").strip()

    def _filled(self, *names: str) -> bool:
        return any(self._value(name) for name in names)

    def clean(self):
        data = super().clean()
        filled_outcomes = set()
        for o in range(1, self.rows.outcomes + 1):
            indicators_filled = False
            for i in range(1, self.rows.indicators + 1):
                at = f"outcome_{o}_indicator_{i}"
                if not self._filled(f"{at}_name", f"{at}_source", f"{at}_target"):
                    continue
                indicators_filled = True
                where = {"i": i, "o": o}
                if not self._value(f"{at}_name"):
                    self.add_error(f"{at}_name", _("Name indicator %(i)s of outcome %(o)s") % where)
                if not self._value(f"{at}_source") and f"{at}_source" not in self.errors:
                    self.add_error(
                        f"{at}_source",
                        _("Choose where indicator %(i)s of outcome %(o)s comes from") % where,
                    )
            if indicators_filled or self._filled(f"outcome_{o}_title", f"outcome_{o}_description"):
                filled_outcomes.add(o)
                if not self._value(f"outcome_{o}_title"):
                    self.add_error(f"outcome_{o}_title", _("Name outcome %(o)s") % {"o": o})
        if not filled_outcomes and "outcome_1_title" not in self.errors:
            self.add_error(
                "outcome_1_title", _("Name at least one outcome the partnership works towards")
            )
        filled_activities = set()
        for a in range(1, self.rows.activities + 1):
            title, leads = f"activity_{a}_title", f"activity_{a}_outcomes"
            if not self._filled(title, leads):
                continue
            filled_activities.add(a)
            if not self._value(title):
                self.add_error(title, _("Name activity %(a)s") % {"a": a})
            numbers = _numbers(self._value(leads))
            if not numbers:
                self.add_error(
                    leads,
                    _("Say which outcomes activity %(a)s leads to, by number, like 1, 3")
                    % {"a": a},
                )
            elif any(n not in filled_outcomes for n in numbers):
                self.add_error(
                    leads,
                    _("Activity %(a)s names an outcome that is not filled in above") % {"a": a},
                )
        for s in range(1, self.rows.assumptions + 1):
            text, about = f"assumption_{s}_text", f"assumption_{s}_about"
            if not self._filled(text, about):
                continue
            if not self._value(text):
                self.add_error(text, _("Write assumption %(s)s") % {"s": s})
            kind, _sep, number = self._value(about).partition("-")
            if number and int(number) not in (
                filled_outcomes if kind == "outcome" else filled_activities
            ):
                self.add_error(
                    about,
                    _("Assumption %(s)s is about a row that is not filled in") % {"s": s},
                )
        if (data.get("version") or 0) >= 1 and not self._value("change_note"):
            self.add_error(
                "change_note",
                _("Say what changed since version %(n)s, and why") % {"n": data["version"]},
            )
        return data

    def content(self) -> theory.TheoryIn:
        """The version the form holds, blank rows left out and renumbered in order; keeps
        where each input came from, to show the service's errors beside it."""
        names = self._names = {
            "area_analysis": "area_analysis",
            "change_note": "change_note",
            "outcomes": "outcome_1_title",
        }
        outcome_index: dict[int, int] = {}
        outcomes: list[theory.OutcomeIn] = []
        for o in range(1, self.rows.outcomes + 1):
            indicators: list[theory.IndicatorIn] = []
            for i in range(1, self.rows.indicators + 1):
                at = f"outcome_{o}_indicator_{i}"
                if not self._filled(f"{at}_name", f"{at}_source", f"{at}_target"):
                    continue
                key = f"outcomes.{len(outcomes)}.indicators.{len(indicators)}"
                for part in ("name", "source", "target"):
                    names[f"{key}.{part}"] = f"{at}_{part}"
                indicators.append(
                    theory.IndicatorIn(
                        name=self._value(f"{at}_name"),
                        source=self._value(f"{at}_source"),
                        target=self._value(f"{at}_target"),
                    )
                )
            if not indicators and not self._filled(
                f"outcome_{o}_title", f"outcome_{o}_description"
            ):
                continue
            key = f"outcomes.{len(outcomes)}"
            names[f"{key}.title"] = f"outcome_{o}_title"
            names[f"{key}.description"] = f"outcome_{o}_description"
            names[f"{key}.indicators"] = f"outcome_{o}_indicator_1_name"
            outcome_index[o] = len(outcomes) + 1
            outcomes.append(
                theory.OutcomeIn(
                    title=self._value(f"outcome_{o}_title"),
                    description=self._value(f"outcome_{o}_description"),
                    indicators=tuple(indicators),
                )
            )
        activity_index: dict[int, int] = {}
        activities: list[theory.ActivityIn] = []
        for a in range(1, self.rows.activities + 1):
            title, leads = f"activity_{a}_title", f"activity_{a}_outcomes"
            if not self._filled(title, leads):
                continue
            names[f"activities.{len(activities)}.title"] = title
            names[f"activities.{len(activities)}.outcomes"] = leads
            activity_index[a] = len(activities) + 1
            activities.append(
                theory.ActivityIn(
                    title=self._value(title),
                    outcomes=tuple(outcome_index.get(n, 0) for n in _numbers(self._value(leads))),
                )
            )
        assumptions: list[theory.AssumptionIn] = []
        for s in range(1, self.rows.assumptions + 1):
            text, about = f"assumption_{s}_text", f"assumption_{s}_about"
            if not self._filled(text, about):
                continue
            for part in ("outcome", "activity"):
                names[f"assumptions.{len(assumptions)}.{part}"] = about
            names[f"assumptions.{len(assumptions)}.text"] = text
            kind, _sep, number = self._value(about).partition("-")
            index = (outcome_index if kind == "outcome" else activity_index).get(
                int(number) if number else 0, 0
            )
            assumptions.append(
                theory.AssumptionIn(
                    text=self._value(text),
                    outcome=index if number and kind == "outcome" else None,
                    activity=index if number and kind == "activity" else None,
                )
            )
        return theory.TheoryIn(
            area_analysis=self._value("area_analysis"),
            outcomes=tuple(outcomes),
            activities=tuple(activities),
            assumptions=tuple(assumptions),
            change_note=self._value("change_note"),
        )

    def add_service_errors(self, error: ValidationError) -> None:
        """The service names inputs as the API does ("outcomes.0.title"): shown beside
        the row they came from."""
        if hasattr(error, "error_dict"):
            error = ValidationError(
                {
                    self._names.get(name, name): problems
                    for name, problems in error.message_dict.items()
                }
            )
        super().add_service_errors(error)

    @staticmethod
    def initial_from(version) -> dict:
        """What the form starts with: the version it will follow, row by row."""
        if version is None:
            return {"version": 0}
        initial: dict = {
            "version": version.number,
            "area_analysis": version.area_analysis,
        }
        for outcome in version.outcomes.all():
            o = outcome.number
            initial[f"outcome_{o}_title"] = outcome.title
            initial[f"outcome_{o}_description"] = outcome.description
            for indicator in outcome.indicators.all():
                at = f"outcome_{o}_indicator_{indicator.number}"
                initial[f"{at}_name"] = indicator.name
                initial[f"{at}_source"] = indicator.source
                initial[f"{at}_target"] = indicator.target
        for activity in version.activities.all():
            a = activity.number
            initial[f"activity_{a}_title"] = activity.title
            initial[f"activity_{a}_outcomes"] = ", ".join(
                str(outcome.number) for outcome in activity.outcomes.all()
            )
        for assumption in version.assumptions.all():
            s = assumption.number
            initial[f"assumption_{s}_text"] = assumption.text
            if assumption.outcome is not None:
                initial[f"assumption_{s}_about"] = f"outcome-{assumption.outcome.number}"
            elif assumption.activity is not None:
                initial[f"assumption_{s}_about"] = f"activity-{assumption.activity.number}"
        return initial
