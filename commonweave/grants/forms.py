"""Forms for the ledger's pages. Amounts are typed as text ("25", "£25.50", "1,250") and
checked by services.money, so a bad amount is named beside its field and kept as typed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commonweave.web.forms import GovukForm

from . import codes
from .enums import Decision, PaymentMethod


def _amount(label, help_text=""):
    return forms.CharField(
        label=label,
        max_length=20,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={"required": _("Enter an amount in pounds")},
    )


def _codes(codelist, blank):
    return [("", blank)] + [(code, title) for code, (title, _d) in codelist.items()]


class FundForm(GovukForm):
    name = forms.CharField(label=_("Name"), max_length=160)
    programme = forms.CharField(label=_("Programme"), max_length=160, required=False)
    funders = forms.CharField(
        label=_("Funders"),
        max_length=500,
        required=False,
        help_text=_("One per line, as they wish to be credited"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    pot = _amount(_("Money in to start with"), _("In pounds. You can add more later."))
    source = forms.CharField(label=_("Where the money came from"), max_length=200, required=False)
    approval_threshold = _amount(
        _("Two approvers from"),
        _("Awards of this amount or more need two different people to approve them"),
    )
    personal = forms.BooleanField(label=_("Personal grants to residents"), required=False)
    community = forms.BooleanField(label=_("Community grants to groups"), required=False)
    mutual_aid = forms.BooleanField(label=_("Mutual-aid costs"), required=False)
    open_call = forms.BooleanField(label=_("Open call: anyone may apply"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pot"].required = False
        self.fields["approval_threshold"].initial = "100"
        self.fields["personal"].initial = True

    def clean_funders(self):
        text = self.cleaned_data.get("funders") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class GrantRequestForm(GovukForm):
    """A small good thing, asked for from the resident's page: under two minutes."""

    fund = forms.ChoiceField(label=_("Fund"))
    title = forms.CharField(
        label=_("What is it?"),
        max_length=200,
        help_text=_("For example: a mobility scooter battery, a photo ID, a bus pass"),
        error_messages={"required": _("Say what the money is for")},
    )
    why = forms.CharField(
        label=_("Why does it matter to them?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    goal = forms.ChoiceField(label=_("Which of their goals does it help?"), required=False)
    amount = _amount(_("How much?"), _("In pounds"))
    supplier = forms.CharField(label=_("Supplier"), max_length=200, required=False)
    purpose_code = forms.ChoiceField(label=_("What kind of thing is it?"), required=False)
    reason_code = forms.ChoiceField(label=_("Why is it needed?"), required=False)

    def __init__(self, *args, funds, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].choices = [(f.public_id, f.name) for f in funds]
        self.fields["goal"].choices = [("", _("None of them"))] + [
            (str(g.pk), g.text) for g in goals
        ]
        self.fields["purpose_code"].choices = _codes(codes.purposes(), _("Choose one"))
        self.fields["reason_code"].choices = _codes(codes.reasons(), _("Choose one"))


class CommunityGrantForm(GovukForm):
    """A community grant to a local group or organisation, asked for by a fund's runner."""

    group_name = forms.CharField(
        label=_("Group or organisation"),
        max_length=200,
        error_messages={"required": _("Give the group's name")},
    )
    charity_number = forms.CharField(
        label=_("Charity number"), max_length=20, required=False, help_text=_("If it has one")
    )
    company_number = forms.CharField(
        label=_("Company number"), max_length=20, required=False, help_text=_("If it has one")
    )
    title = forms.CharField(
        label=_("What is the money for?"),
        max_length=200,
        error_messages={"required": _("Say what the money is for")},
    )
    why = forms.CharField(
        label=_("What difference will it make?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    amount = _amount(_("How much?"), _("In pounds"))


class MoneyInForm(GovukForm):
    amount = _amount(_("Amount"))
    source = forms.CharField(label=_("Where it came from"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class DecideForm(GovukForm):
    decision = forms.ChoiceField(
        label=_("Your decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    amount = _amount(_("Amount to award"), _("Leave as it is to award what was asked for"))
    evidence = forms.CharField(
        label=_("What did you base it on?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].required = False


class PaymentForm(GovukForm):
    amount = _amount(_("Amount paid"))
    method = forms.ChoiceField(label=_("How was it paid?"), choices=PaymentMethod.choices)
    paid_on = forms.DateField(
        label=_("Date paid"),
        help_text=_("For example, 27-03-2026"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d %m %Y"],
        error_messages={"invalid": _("Enter a real date, for example 27-03-2026")},
    )
    receipt = forms.FileField(
        label=_("Receipt or invoice"),
        required=False,
        help_text=_("A PDF, PNG or JPEG, at most 5 MB"),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ReverseForm(GovukForm):
    reason = forms.CharField(
        label=_("Why is it being reversed?"),
        max_length=300,
        error_messages={"required": _("Say why it is being reversed")},
    )


class MadePossibleForm(GovukForm):
    made_possible = forms.CharField(
        label=_("What did it make possible? In their own words"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what it made possible, in their words")},
    )
    shareable = forms.BooleanField(
        label=_("They agree it can be shared as a story"), required=False
    )
