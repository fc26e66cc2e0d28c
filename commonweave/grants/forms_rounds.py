"""Forms for participatory rounds (rounds.py). Amounts are typed as text and checked by the
services, so a bad value is named beside its field and kept as typed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commonweave.web.forms import GovukForm

from .enums import ApplicationChannel, BallotChannel, RoundState
from .voting import RULE_CHOICES

HONEYPOT_FIELD = "website"


def _amount(label, help_text=""):
    return forms.CharField(
        label=label,
        max_length=20,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={"required": _("Enter an amount in pounds")},
    )


class RoundForm(GovukForm):
    name = forms.CharField(label=_("Name"), max_length=160)
    budget = _amount(_("Budget"), _("In whole pounds"))
    rule = forms.ChoiceField(label=_("Counting rule"), choices=RULE_CHOICES)
    max_choices = forms.IntegerField(
        label=_("Most projects a voter may choose"), required=False, min_value=1, max_value=99
    )
    points = forms.IntegerField(
        label=_("Points each voter shares out"), required=False, min_value=1, max_value=1000
    )
    opens_on = forms.DateField(label=_("Opens on"), required=False)
    closes_on = forms.DateField(label=_("Closes on"), required=False)
    vote_open = forms.BooleanField(label=_("Residents vote"), required=False, initial=True)
    anonymise_applicants = forms.BooleanField(
        label=_("Anonymise applicants on the public log"), required=False
    )


class ApplyForm(GovukForm):
    group_name = forms.CharField(label=_("Your group's name"), max_length=200)
    contact_name = forms.CharField(label=_("Your name"), max_length=200)
    contact_email = forms.CharField(
        label=_("Your email address"),
        max_length=254,
        required=False,
        help_text=_("Only the people running the round see it"),
    )
    title = forms.CharField(label=_("Your project's title"), max_length=200)
    what_for = forms.CharField(
        label=_("What the money is for"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    amount = _amount(_("How much you are asking for"), _("In pounds"))


class RecordForm(ApplyForm):
    channel = forms.ChoiceField(
        label=_("How it came in"),
        choices=[
            (ApplicationChannel.NOMINATION, ApplicationChannel.NOMINATION.label),
            (ApplicationChannel.CONVERSATION, ApplicationChannel.CONVERSATION.label),
        ],
    )


class ScreenForm(GovukForm):
    application = forms.CharField(widget=forms.HiddenInput)
    eligible = forms.ChoiceField(
        label=_("Eligible?"), choices=[("yes", _("Eligible")), ("no", _("Not eligible"))]
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class PanellistForm(GovukForm):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("Their account's email"),
        required=False,
        help_text=_("For a worker who scores as themselves; leave empty for a resident panellist"),
    )
    hourly_rate = _amount(_("Paid per hour"), _("In pounds; empty if unpaid"))
    hourly_rate.required = False
    resident = forms.CharField(
        label=_("Their resident record"),
        max_length=12,
        required=False,
        help_text=_(
            "For a paid resident panellist: the code at the end of their record's web address"
        ),
    )


class PanelTimeForm(GovukForm):
    panellist = forms.IntegerField(label=_("Panellist number"), min_value=1)
    hours = forms.CharField(
        label=_("Hours"),
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={"required": _("Enter the hours, like 2 or 2.5")},
    )


class ConflictForm(GovukForm):
    panellist = forms.CharField(widget=forms.HiddenInput, required=False)
    application = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("The conflict"), max_length=300, required=False)


class BallotForm(GovukForm):
    ref = forms.CharField(label=_("Ballot reference"), max_length=40)
    channel = forms.ChoiceField(label=_("How it came in"), choices=BallotChannel.choices)
    choices = forms.CharField(
        label=_("Choices"),
        max_length=2000,
        required=False,
        help_text=_("Projects ticked, like P001, P003; or points, like P001=3 P002=2"),
    )


class OverrideForm(GovukForm):
    application = forms.CharField(label=_("Application reference"), max_length=20)
    action = forms.ChoiceField(
        label=_("Change"),
        choices=[("add", _("Add as a winner")), ("remove", _("Remove as a winner"))],
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        help_text=_("Published on the public decision log"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MoveForm(GovukForm):
    state = forms.ChoiceField(
        label=_("Move the round to"),
        choices=[c for c in RoundState.choices if c[0] != RoundState.DECIDED],
    )


class ScoreForm(GovukForm):
    application = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, rubric, **kwargs):
        super().__init__(*args, **kwargs)
        for index, criterion in enumerate(rubric):
            self.fields[f"mark_{index}"] = forms.CharField(
                label=criterion,
                max_length=2,
                help_text=_("0 to 5"),
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric", "class": "govuk-input govuk-input--width-2"}
                ),
            )
        self.rubric = rubric

    def marks(self):
        return {c: self.cleaned_data.get(f"mark_{i}") for i, c in enumerate(self.rubric)}
