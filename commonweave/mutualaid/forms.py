"""Mutual-aid forms: the public "ask for help" form, and the small forms on staff pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commonweave.directory.models import Neighbourhood
from commonweave.web.forms import GovukDateField, GovukForm

from .enums import AidUrgency, DbsType, When
from .models import Category

HONEYPOT_FIELD = "website"


class AskForm(GovukForm):
    """Ask for help, without an account. Plain words; everything but the first name, the
    kind of help and what is needed can be left out."""

    first_name = forms.CharField(label=_("Your first name"), max_length=80)
    category = forms.ModelChoiceField(
        label=_("What kind of help do you need?"),
        queryset=Category.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose the kind of help")},
    )
    what = forms.CharField(
        label=_("Tell us what you need"),
        help_text=_("For example: milk and bread from the shop on Friday."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": _("Tell us what you need")},
    )
    neighbourhood = forms.ModelChoiceField(
        label=_("Which area do you live in?"),
        queryset=Neighbourhood.objects.none(),
        required=False,
        empty_label=_("I am not sure"),
    )
    when = forms.ChoiceField(
        label=_("When is best?"), choices=When.choices, initial=When.ANY, widget=forms.RadioSelect
    )
    urgency = forms.ChoiceField(
        label=_("How soon?"),
        choices=AidUrgency.choices,
        initial=AidUrgency.ROUTINE,
        widget=forms.RadioSelect,
    )
    language = forms.CharField(
        label=_("Which language would you like to speak?"),
        help_text=_("Leave this empty for English."),
        max_length=30,
        required=False,
    )
    phone = forms.CharField(
        label=_("Your phone number"),
        help_text=_("Only the helper you agree to will see it, and only after you both say yes."),
        max_length=30,
        required=False,
    )
    address = forms.CharField(
        label=_("Your address"),
        help_text=_("Only the helper you agree to will see it, and only after you both say yes."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        required=False,
    )

    def __init__(self, *args, place, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(place=place, active=True)
        self.fields["neighbourhood"].queryset = Neighbourhood.objects.filter(place=place)
        if not self.fields["neighbourhood"].queryset.exists():
            del self.fields["neighbourhood"]

    def clean(self):
        data = super().clean()
        if not (data.get("phone") or "").strip() and not (data.get("address") or "").strip():
            self.add_error("phone", _("Give us a phone number or an address so we can reach you"))
        return data


class ThanksForm(GovukForm):
    thanks = forms.CharField(
        label=_("Their thank-you, in their words"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
    )


class ConcernForm(GovukForm):
    text = forms.CharField(
        label=_("What worries you?"),
        help_text=_("Tell us what you saw or heard. Our safeguarding lead will read it today."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": _("Tell us what worries you")},
    )
    match = forms.CharField(required=False, widget=forms.HiddenInput)


class VolunteerForm(GovukForm):
    """A new helper. For a resident who is becoming a helper, only the area and skills:
    their name and phone come from their record."""

    first_name = forms.CharField(label=_("First name"), max_length=80)
    phone = forms.CharField(label=_("Phone number"), max_length=30, required=False)
    email = forms.EmailField(label=_("Email address"), required=False)
    home = forms.ModelChoiceField(
        label=_("Where do they live?"), queryset=Neighbourhood.objects.none(), required=False
    )
    when = forms.ChoiceField(
        label=_("When can they help?"),
        choices=When.choices,
        initial=When.ANY,
        widget=forms.RadioSelect,
    )
    languages = forms.CharField(
        label=_("Languages"),
        help_text=_("Short codes with spaces between, for example: en ur"),
        max_length=60,
        required=False,
        initial="en",
    )

    def __init__(self, *args, place, from_resident=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home"].queryset = Neighbourhood.objects.filter(place=place)
        if from_resident:
            for name in ("first_name", "phone", "email"):
                del self.fields[name]

    def clean_languages(self):
        return [code for code in self.cleaned_data["languages"].lower().split() if code]


class ChecksForm(GovukForm):
    """A helper's safeguarding checks: restricted, shown to the holding coordinators only."""

    dbs_type = forms.ChoiceField(
        label=_("DBS certificate"), choices=DbsType.choices, required=False
    )
    dbs_issued_on = GovukDateField(label=_("DBS certificate date"), required=False, past_only=True)
    barred_list_checked_on = GovukDateField(
        label=_("Barred list checked on"), required=False, past_only=True
    )
    update_service_checked_on = GovukDateField(
        label=_("Update Service status checked on"), required=False, past_only=True
    )
    references_checked_on = GovukDateField(
        label=_("References checked on"), required=False, past_only=True
    )
    training_completed_on = GovukDateField(
        label=_("Safeguarding training done on"), required=False, past_only=True
    )
    recheck_due_on = GovukDateField(label=_("Recheck due on"), required=False)
