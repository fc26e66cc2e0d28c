import dataclasses
from dataclasses import dataclass

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from commonweave.web.forms import GovukDateField, GovukForm

from . import scoring
from .cohort import filter_errors
from .enums import IndicatorKind, LinkChannel


def area_field(area):
    return f"area_{area.key}"


def better_field(area):
    return f"better_{area.key}"


def measure_field(code, item):
    return f"m_{code}__{item}"


def point_words(area, point):
    if area.kind == IndicatorKind.TRAFFIC_LIGHT:
        return f"{point['label']}: {point.get('description', '')}"
    return point["label"]


class CheckInForm(GovukForm):
    """One question per area (points with words), a 'what would make it better' note per
    area, the person's own words, and the optional measures. Built from the check-in's own
    life map version, so it always shows the words it will be stored with."""

    def __init__(self, *args, areas, instruments, **kwargs):
        self.areas = list(areas)
        self.instruments = list(instruments)
        # An instance attribute shadows the class's: GovukForm then styles every field.
        self.base_fields = self._build_fields()
        super().__init__(*args, **kwargs)

    def _build_fields(self):
        fields = {}
        for area in self.areas:
            fields[area_field(area)] = forms.TypedChoiceField(
                label=area.name,
                help_text=area.question,
                required=False,
                coerce=int,
                choices=[(p["value"], point_words(area, p)) for p in area.points],
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": f"{area.name}: choose one of the answers"},
            )
            fields[better_field(area)] = forms.CharField(
                label=f"{area.name}: what would make it better?",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        fields["own_words"] = forms.CharField(
            label="Anything you want to say in your own words",
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 4}),
        )
        for instrument in self.instruments:
            for item in instrument.definition["items"]:
                label = item.get("label", item["code"])
                fields[measure_field(instrument.code, item["code"])] = forms.TypedChoiceField(
                    label=item["text"],
                    help_text=item.get("hint", ""),
                    required=False,
                    coerce=int,
                    choices=scoring.item_choices(item),
                    widget=forms.RadioSelect,
                    error_messages={"invalid_choice": f"{label}: choose one of the answers"},
                )
        return fields

    def area_sections(self):
        return [(area, self[area_field(area)], self[better_field(area)]) for area in self.areas]

    def measure_sections(self):
        return [
            (
                instrument,
                [
                    self[measure_field(instrument.code, item["code"])]
                    for item in instrument.definition["items"]
                ],
            )
            for instrument in self.instruments
        ]

    def answers(self):
        data = self.cleaned_data
        ratings = {a.key: data.get(area_field(a)) for a in self.areas}
        better = {a.key: data.get(better_field(a), "") for a in self.areas}
        measures = {
            i.code: {
                item["code"]: data.get(measure_field(i.code, item["code"]))
                for item in i.definition["items"]
            }
            for i in self.instruments
        }
        return {
            "ratings": {k: v for k, v in ratings.items() if v not in (None, "")},
            "better": {k: v for k, v in better.items() if v},
            "own_words": data.get("own_words", ""),
            "measures": measures,
        }

    def add_service_errors(self, error):
        """Put a service's errors (API field names) next to the matching form fields."""
        for name, messages in error.message_dict.items():
            target = None
            parts = name.split(".")
            if parts[0] == "ratings" and len(parts) == 2:
                target = f"area_{parts[1]}"
            elif parts[0] == "better" and len(parts) == 2:
                target = f"better_{parts[1]}"
            elif parts[0] == "measures" and len(parts) == 3:
                target = measure_field(parts[1], parts[2])
            elif name == "own_words":
                target = "own_words"
            self.add_error(target if target in self.fields else None, messages)


# --- a resident's check-in, a few questions at a time ------------------------------------

AREAS_PER_STEP = 4

# What a resident sees instead of a measure's name: measures are grouped by what they ask
# about, each group under a heading and a line of help in plain words. The names of the
# measures and how they are scored stay on the staff pages.
MEASURE_GROUPS = {"ons4": "feelings", "ons_loneliness": "people", "ucla3": "people"}
GROUP_WORDS = {
    "feelings": (
        _("How you have been feeling"),
        _(
            "There are no right or wrong answers. Pick the number that fits best. "
            "0 means not at all. 10 means completely."
        ),
    ),
    "people": (
        _("Time with other people"),
        _("These questions are about feeling lonely. Pick the answer that fits best."),
    ),
}
OTHER_MEASURE_WORDS = (_("A few more questions"), _("Pick the answer that fits best."))


@dataclass
class CheckInStep:
    """One page of a resident's check-in: some areas, some measures, or their own words."""

    title: str | Promise  # translated when shown
    intro: str | Promise
    areas: list = dataclasses.field(default_factory=list)
    instruments: list = dataclasses.field(default_factory=list)
    own_words: bool = False

    def field_names(self) -> list[str]:
        names = []
        for area in self.areas:
            names += [area_field(area), better_field(area)]
        for instrument in self.instruments:
            names += [
                measure_field(instrument.code, item["code"])
                for item in instrument.definition["items"]
            ]
        if self.own_words:
            names.append("own_words")
        return names


def checkin_steps(areas, instruments) -> list[CheckInStep]:
    """The check-in in a few steps: the areas of life four at a time, the measures by what
    they ask about, then the person's own words."""
    areas, steps = list(areas), []
    for start in range(0, len(areas), AREAS_PER_STEP):
        title = _("How things are going") if start == 0 else _("More about how things are going")
        intro = _("Pick the answer that fits best. You can skip any question.")
        steps.append(CheckInStep(title, intro, areas=areas[start : start + AREAS_PER_STEP]))
    groups = {}
    for instrument in instruments:
        group = MEASURE_GROUPS.get(instrument.code, f"other:{instrument.code}")
        if group not in groups:
            title, intro = GROUP_WORDS.get(group, OTHER_MEASURE_WORDS)
            groups[group] = CheckInStep(title, intro)
        groups[group].instruments.append(instrument)
    known = list(GROUP_WORDS)  # feelings first, then people, then any others as offered
    steps += [
        groups[group]
        for group in sorted(groups, key=lambda g: known.index(g) if g in known else len(known))
    ]
    steps.append(
        CheckInStep(
            _("Anything else?"),
            _("You can tell us anything else in your own words. You can leave this empty."),
            own_words=True,
        )
    )
    return steps


class CheckInStepForm(CheckInForm):
    """One step of a resident's check-in: only that step's questions, in plain words."""

    def __init__(self, *args, step, **kwargs):
        self.step = step
        super().__init__(*args, **kwargs)

    def _build_fields(self):
        fields = super()._build_fields()
        names = self.step.field_names()
        fields = {name: fields[name] for name in names}
        if "own_words" in fields:
            fields["own_words"].label = _("Anything you want to tell us")
        return fields

    def area_sections(self):
        return [
            (area, self[area_field(area)], self[better_field(area)]) for area in self.step.areas
        ]

    def measure_fields(self):
        return [
            self[measure_field(instrument.code, item["code"])]
            for instrument in self.step.instruments
            for item in instrument.definition["items"]
        ]


class SendLinkForm(GovukForm):
    channel = forms.ChoiceField(
        label="How should we send the link?",
        choices=LinkChannel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose text message or email"},
    )


class PriorityForm(GovukForm):
    area = forms.ChoiceField(
        label="Which area of life?", error_messages={"required": "Choose an area of life"}
    )
    why_now = forms.CharField(
        label="Why it matters now",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why it matters now"},
    )
    will_do = forms.CharField(
        label="What they will do",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what they will do"},
    )
    by_when = GovukDateField(label="By when", required=False, help_text="For example, 27 3 2026")

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "Choose an area")] + [(a.key, a.name) for a in areas]


# A date with a box left empty (Django's own words would be "Enter a complete value").
INCOMPLETE_DATE = {"incomplete": "Enter a day, month and year"}


class CohortForm(GovukForm):
    """Which people to compare: by front door, by when they were referred, and over which
    period (first and latest check-in within it). Dates that end before they start are
    an error next to the field."""

    front_door = forms.ChoiceField(label="Front door", required=False)
    referred_from = GovukDateField(
        label="Referred on or after", required=False, error_messages=INCOMPLETE_DATE
    )
    referred_to = GovukDateField(
        label="Referred on or before", required=False, error_messages=INCOMPLETE_DATE
    )
    period_from = GovukDateField(
        label="Check-ins on or after",
        required=False,
        help_text="Compare each person's first and latest check-in in a period, for "
        "example 1 4 2025",
        error_messages=INCOMPLETE_DATE,
    )
    period_to = GovukDateField(
        label="Check-ins on or before",
        required=False,
        help_text="For example, 30 6 2025",
        error_messages=INCOMPLETE_DATE,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from commonweave.people.enums import FrontDoor

        self.fields["front_door"].choices = [("", "Every front door"), *FrontDoor.choices]

    def clean(self):
        data = super().clean()
        for field, message in filter_errors(data).items():
            self.add_error(field, message)
        return data

    def filters(self):
        """The chosen filters; empty when nothing was chosen or the form has errors (the
        page then shows the errors, not numbers for a group nobody asked for)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "front_door": data.get("front_door") or "",
            "referred_from": data.get("referred_from"),
            "referred_to": data.get("referred_to"),
            "period_from": data.get("period_from"),
            "period_to": data.get("period_to"),
        }


class AreaForm(GovukForm):
    """One area of the life map in plain words. Changing it publishes a new version of
    the map; earlier check-ins keep the words they were answered with."""

    name = forms.CharField(label="Name of the area", max_length=80)
    question = forms.CharField(
        label="The question to ask",
        max_length=200,
        required=False,
        help_text="For example, How do you feel about where you live?",
    )
    kind = forms.ChoiceField(
        label="How is it rated?",
        choices=IndicatorKind.choices,
        widget=forms.RadioSelect,
        initial=IndicatorKind.SCALE,
    )
    points = forms.CharField(
        label="Words for each point on the scale",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One per line, from the hardest to the best, 2 to 11 lines.",
    )
    red = forms.CharField(label="What red means", required=False, max_length=200)
    amber = forms.CharField(label="What amber means", required=False, max_length=200)
    green = forms.CharField(label="What green means", required=False, max_length=200)

    def __init__(self, *args, fixed_points=None, fixed_kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_points = fixed_points
        self.fixed_kind = fixed_kind
        if fixed_kind:
            self.fields["kind"].disabled = True
            self.fields["kind"].initial = fixed_kind

    def clean(self):
        data = super().clean()
        kind = self.fixed_kind or data.get("kind")
        if kind == IndicatorKind.SCALE:
            lines = [line.strip() for line in (data.get("points") or "").splitlines()]
            lines = [line for line in lines if line]
            if not 2 <= len(lines) <= 11:
                self.add_error("points", "Give between 2 and 11 points, one per line")
            elif self.fixed_points and len(lines) != self.fixed_points:
                self.add_error(
                    "points",
                    f"Keep {self.fixed_points} points so earlier check-ins stay comparable; "
                    "to use a different scale, add a new area",
                )
            data["point_list"] = [
                {"value": n, "label": line[:100]} for n, line in enumerate(lines, start=1)
            ]
        elif kind == IndicatorKind.TRAFFIC_LIGHT:
            for colour in ("red", "amber", "green"):
                if not (data.get(colour) or "").strip():
                    self.add_error(colour, f"Say in plain words what {colour} means")
            data["point_list"] = [
                {
                    "value": n,
                    "colour": colour,
                    "label": colour.capitalize(),
                    "description": (data.get(colour) or "").strip(),
                }
                for n, colour in enumerate(("red", "amber", "green"), start=1)
            ]
        return data

    def area(self, key):
        data = self.cleaned_data
        return {
            "key": key,
            "name": data["name"].strip(),
            "question": (data.get("question") or "").strip(),
            "kind": self.fixed_kind or data["kind"],
            "points": data["point_list"],
        }

    @classmethod
    def initial_for(cls, area):
        initial = {"name": area.name, "question": area.question, "kind": area.kind}
        if area.kind == IndicatorKind.SCALE:
            initial["points"] = "\n".join(p["label"] for p in area.points)
        else:
            for point in area.points:
                initial[point.get("colour", "")] = point.get("description", "")
        return initial
