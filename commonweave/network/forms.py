"""Forms for the network pages. Node choices are always the viewer's place."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from commonweave.web.forms import GovukDateField, GovukForm

from .enums import RELATIONS, Closeness, MemberKind, NodeKind, Sector, TieType
from .models import Node
from .selectors import SIZE_METRICS, Filters, display_label
from .services import MANUAL_NODE_KINDS, STRENGTH_MAX


class FiltersForm(GovukForm):
    as_of = GovukDateField(
        label="Show the network on",
        required=False,
        past_only=False,
        help_text="For example 27 3 2026. Leave empty for today.",
    )
    tie_types = forms.MultipleChoiceField(
        label="Kinds of tie",
        choices=TieType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    kinds = forms.MultipleChoiceField(
        label="Kinds of node",
        choices=NodeKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sectors = forms.MultipleChoiceField(
        label="Organisation sectors",
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    neighbourhood = forms.ChoiceField(label="Neighbourhood", required=False, choices=())
    size_by = forms.ChoiceField(
        label="Size nodes by", choices=list(SIZE_METRICS.items()), required=False
    )

    def __init__(self, *args, place=None, **kwargs):
        super().__init__(*args, **kwargs)
        # the neighbourhoods the place's nodes are in (filled from the directory: locate.py)
        names = (
            Node.objects.filter(place=place).exclude(neighbourhood="").order_by("neighbourhood")
            if place is not None
            else Node.objects.none()
        )
        self.fields["neighbourhood"].choices = [("", "Anywhere")] + [
            (name, name) for name in names.values_list("neighbourhood", flat=True).distinct()
        ]

    def filters(self) -> Filters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return Filters(
            as_of=data.get("as_of") or timezone.localdate(),
            tie_types=tuple(data.get("tie_types") or ()),
            kinds=tuple(data.get("kinds") or ()),
            sectors=tuple(data.get("sectors") or ()),
            neighbourhood=data.get("neighbourhood") or "",
            size_by=data.get("size_by") or "degree",
        )


class NodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return display_label(obj.kind, obj.label, obj.pseudonym)


def _node_field(label):
    return NodeChoiceField(
        queryset=Node.objects.none(),
        label=label,
        empty_label="Choose one",
        error_messages={
            "required": f"Choose the {label.lower()}",
            "invalid_choice": "Choose one from the list",
        },
    )


class TieForm(GovukForm):
    source = _node_field("From")
    target = _node_field("To")
    tie_type = forms.ChoiceField(
        label="Kind of relationship",
        choices=[
            (v, lbl)
            for v, lbl in TieType.choices
            if v
            in (
                TieType.PARTNERSHIP,
                TieType.WORKS_WITH,
                TieType.KNOWS,
                TieType.REFERRAL,
                TieType.HELPS,
            )
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of relationship"},
    )
    strength = forms.FloatField(
        label="Strength",
        initial=1,
        min_value=0.1,
        max_value=STRENGTH_MAX,
        help_text="1 is an ordinary tie; up to 10 for the strongest.",
        error_messages={
            "invalid": "Enter a number from 0.1 to 10",
            "min_value": "Enter a number from 0.1 to 10",
            "max_value": gettext_lazy(
                "Strength is on a scale up to 10 (the strongest; 1 is an ordinary tie): "
                "enter 10 or less"
            ),
        },
    )
    directed = forms.BooleanField(
        label="It goes one way (from the first to the second)", required=False
    )
    started_on = GovukDateField(label="Since", required=False, past_only=True)
    note = forms.CharField(label="Note", required=False, max_length=200)

    def __init__(self, *args, place, **kwargs):
        super().__init__(*args, **kwargs)
        nodes = Node.objects.filter(place=place, kind__in=MANUAL_NODE_KINDS).order_by("label")
        self.fields["source"].queryset = nodes
        self.fields["target"].queryset = nodes


class NodeForm(GovukForm):
    label = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the name"}
    )
    kind = forms.ChoiceField(
        label="What is it",
        widget=forms.RadioSelect,
        choices=[(v, lbl) for v, lbl in NodeKind.choices if v in MANUAL_NODE_KINDS],
        error_messages={"required": "Choose what it is"},
    )
    sector = forms.ChoiceField(
        label="Sector", choices=[("", "Not known")] + list(Sector.choices), required=False
    )


class SurveyUploadForm(GovukForm):
    file = forms.FileField(
        label="Survey file (CSV)",
        help_text="Columns: respondent, contact, relationship, strength, date (YYYY-MM-DD).",
        error_messages={"required": "Choose a CSV file"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError("The file must be smaller than 2 MB")
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The file must be a CSV")
        return upload


class SurveyReviewForm(GovukForm):
    """The review of a survey's names not in the network: one choice per name offered
    (up to survey.REVIEW_NAMES, with likely matches), one choice for the rest, and what
    names added become."""

    unknown = forms.ChoiceField(
        label="Names not in the network that you have not decided one by one",
        choices=[("leave", "Leave out the rows naming them"), ("new", "Add them to the network")],
        widget=forms.RadioSelect,
        initial="leave",
        error_messages={"required": "Choose whether to add these names or leave their rows out"},
    )
    new_kind = forms.ChoiceField(
        label="Names added to the network are",
        choices=[
            (NodeKind.PERSON, "People"),
            (NodeKind.ORGANISATION, "Organisations"),
            (NodeKind.GROUP, "Groups or activities"),
        ],
        widget=forms.RadioSelect,
        initial=NodeKind.PERSON,
        error_messages={"required": "Choose what the names added are"},
    )

    def __init__(self, *args, findings, **kwargs):
        super().__init__(*args, **kwargs)
        self.names = []
        suggestions = findings.get("suggestions", {})
        for index, name in enumerate(findings.get("unknown", [])[: len(suggestions)]):
            choices = [
                ("", "Decide with the others (below)"),
                ("new", "Add them to the network"),
                ("leave", "Leave out the rows naming them"),
            ] + [(public_id, f"The same as {label}") for public_id, label in suggestions[name]]
            key = f"name-{index}"
            self.fields[key] = forms.ChoiceField(label=name, choices=choices, required=False)
            self.names.append((key, name))
        self.more = max(0, len(findings.get("unknown", [])) - len(self.names))

    def name_fields(self):
        return [self[key] for key, _ in self.names]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "names": {
                name: "" if data[key] == "leave" else data[key]
                for key, name in self.names
                if data.get(key)
            },
            "unknown": "" if data["unknown"] == "leave" else data["unknown"],
            "new_kind": data["new_kind"],
        }


class RecomputeForm(GovukForm):
    as_of = GovukDateField(
        label="As it stood on", required=False, past_only=True, help_text="Leave empty for today."
    )


# --- a resident's own network ---------------------------------------------------------------


class MemberForm(GovukForm):
    """Someone or something in the resident's own network. Names stay with the record."""

    name = forms.CharField(
        label="Name",
        max_length=120,
        help_text="A first name, a nickname or a description is enough, e.g. 'Mum' or "
        "'the Tuesday walking group'.",
        error_messages={"required": "Enter a name, a nickname or a description"},
    )
    kind = forms.ChoiceField(
        label="Who or what are they",
        choices=MemberKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who or what they are"},
    )
    relations = forms.MultipleChoiceField(
        label="What is true of them",
        choices=[(name, label) for name, label, _ in RELATIONS],
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose all that apply.",
        error_messages={
            "required": "Choose at least one: they see them, could call on them, or help them"
        },
    )
    closeness = forms.TypedChoiceField(
        label="How close are they",
        choices=Closeness.choices,
        coerce=int,
        widget=forms.RadioSelect,
        help_text="The circle they go in: the inner circle is the closest.",
        error_messages={"required": "Choose how close they are"},
    )

    @classmethod
    def for_member(cls, member, data=None):
        initial = {
            "name": member.name,
            "kind": member.kind,
            "closeness": member.closeness,
            "relations": [name for name, _, _ in RELATIONS if getattr(member, name)],
        }
        return cls(data, initial=initial)

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "kind": data["kind"],
            "closeness": data["closeness"],
            **{name: name in data["relations"] for name, _, _ in RELATIONS},
        }


class DrawAgainForm(GovukForm):
    drawn_on = GovukDateField(
        label="Date of the new drawing",
        required=False,
        past_only=True,
        help_text="Leave empty for today.",
    )
