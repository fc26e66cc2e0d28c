"""Mutual-aid forms: the public "ask for help" form, and the small forms on staff pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commonweave.accounts.models import User
from commonweave.directory.models import CommunityArea, Neighbourhood
from commonweave.web.forms import GovukDateField, GovukForm

from .enums import AidFrontDoor, AidUrgency, DbsType, When
from .models import Category, Volunteer

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


# The front doors a caseworker records a need through (the web form is the public one).
STAFF_FRONT_DOORS = [
    (door.value, door.label)
    for door in (AidFrontDoor.PHONE, AidFrontDoor.CATALYST, AidFrontDoor.TEXT)
]


def _skills(text: str) -> list[str]:
    return [word.strip() for word in (text or "").split(",") if word.strip()]


class _RequestFields(GovukForm):
    """What a need and an offer share: the kind of help, what, skills, area, when, language."""

    category = forms.ModelChoiceField(
        label=_("Kind of help"),
        queryset=Category.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose the kind of help"),
            "invalid_choice": _("Choose the kind of help"),
        },
    )
    skills = forms.CharField(
        label=_("Skills"),
        help_text=_("With commas between, for example: driving, Urdu, gardening"),
        max_length=300,
        required=False,
    )
    neighbourhood = forms.ModelChoiceField(
        label=_("Neighbourhood"),
        queryset=Neighbourhood.objects.none(),
        required=False,
        empty_label=_("Not known"),
        error_messages={"invalid_choice": _("Choose an area in this place")},
    )
    community_area = forms.ModelChoiceField(
        label=_("Or an area drawn on the community map"),
        queryset=CommunityArea.objects.none(),
        required=False,
        empty_label=_("None"),
        error_messages={"invalid_choice": _("Choose an area in this place")},
    )
    when = forms.ChoiceField(
        label=_("When is best?"), choices=When.choices, initial=When.ANY, widget=forms.RadioSelect
    )
    language = forms.CharField(
        label=_("Language"),
        help_text=_("A short code such as ur or pl. Leave this empty for English."),
        max_length=10,
        required=False,
    )

    def __init__(self, *args, place, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(place=place, active=True)
        self.fields["neighbourhood"].queryset = Neighbourhood.objects.filter(place=place)
        areas = CommunityArea.objects.filter(place=place)
        self.fields["community_area"].queryset = areas
        if not areas.exists():
            del self.fields["community_area"]

    def clean_skills(self):
        return _skills(self.cleaned_data["skills"])

    def clean_language(self):
        return self.cleaned_data["language"].strip().lower()

    def clean(self):
        data = super().clean()
        if data.get("neighbourhood") is not None and data.get("community_area") is not None:
            self.add_error("community_area", _("Choose a neighbourhood or a drawn area, not both"))
        return data


class NeedForm(_RequestFields):
    """A need recorded by staff: a phone call, a text, or on someone's behalf. The address
    and phone are kept apart (RequestContact) and shown only on request, audited."""

    field_order = [
        "front_door",
        "first_name",
        "category",
        "what",
        "skills",
        "neighbourhood",
        "community_area",
        "when",
        "urgency",
        "language",
        "phone",
        "address",
    ]

    front_door = forms.ChoiceField(
        label=_("How did they ask?"),
        choices=STAFF_FRONT_DOORS,
        initial=AidFrontDoor.PHONE,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say how they asked")},
    )
    first_name = forms.CharField(
        label=_("Their first name"),
        max_length=80,
        error_messages={"required": _("Enter their first name")},
    )
    what = forms.CharField(
        label=_("What do they need?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": _("Say what help is needed")},
    )
    urgency = forms.ChoiceField(
        label=_("How soon?"),
        choices=AidUrgency.choices,
        initial=AidUrgency.ROUTINE,
        widget=forms.RadioSelect,
    )
    phone = forms.CharField(
        label=_("Their phone number"),
        help_text=_("Kept apart: shown only to the helper they agree to, after both say yes."),
        max_length=30,
        required=False,
    )
    address = forms.CharField(
        label=_("Their address"),
        help_text=_("Kept apart: shown only to the helper they agree to, after both say yes."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        required=False,
    )


class OfferForm(_RequestFields):
    """An offer of help, recorded by a caseworker for one of their helpers. No address or
    phone: an offer never carries them."""

    field_order = [
        "helper",
        "category",
        "what",
        "skills",
        "neighbourhood",
        "community_area",
        "when",
        "language",
    ]

    helper = forms.ModelChoiceField(
        label=_("Which helper?"),
        queryset=Volunteer.objects.none(),
        to_field_name="public_id",
        error_messages={
            "required": _("Choose the helper"),
            "invalid_choice": _("Choose one of your helpers"),
        },
    )
    what = forms.CharField(
        label=_("What can they offer?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": _("Say what they can offer")},
    )

    def __init__(self, *args, helpers=None, **kwargs):
        """`helpers`: the viewer's helpers to choose from, or None when the helper is known."""
        super().__init__(*args, **kwargs)
        if helpers is None:
            del self.fields["helper"]
        else:
            self.fields["helper"].queryset = helpers


class PlaceSettingsForm(GovukForm):
    """How the place runs mutual aid (its place admins)."""

    alerts_per_need = forms.IntegerField(
        label=_("How many helpers each new need alerts"),
        help_text=_("From 1 to 20. Fewer means fewer texts for each helper."),
        min_value=1,
        max_value=20,
    )
    promise_hours = forms.IntegerField(
        label=_("Promise: a helper proposed within this many hours"),
        min_value=1,
        max_value=168,
    )
    urgent_promise_hours = forms.IntegerField(
        label=_("Promise for needs that are for today, in hours"),
        min_value=1,
        max_value=72,
    )
    reach_km = forms.FloatField(
        label=_("How far helpers travel, in kilometres"),
        help_text=_("Helpers further away are alerted only when nobody nearer can help."),
        min_value=0.1,
        max_value=50,
    )
    peer_to_peer = forms.BooleanField(
        label=_("Helpers may take a need themselves"),
        help_text=_(
            "When a helper says yes to an alert, they are proposed straight away. A "
            "coordinator still checks the person asking agrees. Otherwise the coordinator "
            "is told and proposes the helper."
        ),
        required=False,
    )
    safeguarding_lead = forms.ModelChoiceField(
        label=_("Safeguarding lead"),
        help_text=_("Hears about missed check-ins and reads concerns."),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody yet"),
        error_messages={"invalid_choice": _("Choose someone who works in this place")},
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["safeguarding_lead"].queryset = members
