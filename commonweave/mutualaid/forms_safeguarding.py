"""Forms of the helper's profile, the safeguarding log and a lone-working window."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonweave.directory.models import Neighbourhood
from commonweave.web.forms import GovukDateField, GovukForm

from .enums import When


def _words(text: str, sep: str | None = None) -> list[str]:
    return [word.strip() for word in (text or "").split(sep) if word.strip()]


class HelperEditForm(GovukForm):
    """A helper's profile, as their organisation keeps it (the checks are on their page)."""

    first_name = forms.CharField(
        label=_("First name"), max_length=80, error_messages={"required": _("Enter a first name")}
    )
    phone = forms.CharField(label=_("Phone number"), max_length=30, required=False)
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        error_messages={"invalid": _("Enter an email address like name@example.org")},
    )
    skills = forms.CharField(
        label=_("Skills"),
        help_text=_("With commas between, for example: driving, Urdu, gardening"),
        max_length=300,
        required=False,
    )
    home = forms.ModelChoiceField(
        label=_("Where do they live?"),
        queryset=Neighbourhood.objects.none(),
        required=False,
        empty_label=_("Not given"),
        error_messages={"invalid_choice": _("Choose an area in this place")},
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Other areas they cover"),
        queryset=Neighbourhood.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose areas in this place")},
    )
    when = forms.ChoiceField(
        label=_("When can they help?"),
        choices=When.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose when they can help")},
    )
    languages = forms.CharField(
        label=_("Languages"),
        help_text=_("Short codes with spaces between, for example: en ur"),
        max_length=60,
        required=False,
    )

    def __init__(self, *args, place, **kwargs):
        super().__init__(*args, **kwargs)
        areas = Neighbourhood.objects.filter(place=place).order_by("name")
        self.fields["home"].queryset = areas
        self.fields["areas"].queryset = areas

    @classmethod
    def initial_for(cls, volunteer) -> dict:
        return {
            "first_name": volunteer.first_name,
            "phone": volunteer.phone,
            "email": volunteer.email,
            "skills": ", ".join(volunteer.skills or []),
            "home": volunteer.home_id,
            "areas": [area.pk for area in volunteer.areas.all()],
            "when": volunteer.when,
            "languages": " ".join(volunteer.languages or []),
        }

    def clean_skills(self):
        return _words(self.cleaned_data["skills"], ",")

    def clean_languages(self):
        return _words(self.cleaned_data["languages"].lower())


class StaffConcernForm(GovukForm):
    text = forms.CharField(
        label=_("What worries you?"),
        help_text=_(
            "Say what you saw or heard, and when. The safeguarding lead reads it today; "
            "if someone is in danger now, call 999."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages={"required": _("Tell us what worries you")},
    )


class CloseForm(GovukForm):
    outcome = forms.CharField(
        label=_("What was done?"),
        help_text=_("The outcome, for the log: who was told, what was agreed."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": _("Say what was done")},
    )


def _time_field(label):
    return forms.TimeField(
        label=label,
        help_text=_("On a 24-hour clock, for example 14:30"),
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
        widget=forms.TimeInput(format="%H:%M", attrs={"class": "govuk-input--width-5"}),
        error_messages={
            "required": _("Enter a time like 14:30"),
            "invalid": _("Enter a time like 14:30"),
        },
    )


class LoneWorkingForm(GovukForm):
    """The window of a home visit: one day, a start and an end time (the place's clock)."""

    day = GovukDateField(label=_("Day of the visit"), help_text=_("For example, 27 3 2026"))
    starts = _time_field(_("Start time"))
    ends = _time_field(_("End time"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].error_messages["required"] = _("Enter the day of the visit")

    @classmethod
    def initial_for(cls, plan) -> dict:
        if plan is None:
            return {}
        starts = timezone.localtime(plan.starts_at)
        ends = timezone.localtime(plan.ends_at)
        return {"day": starts.date(), "starts": starts.time(), "ends": ends.time()}

    def window(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The start and end as aware times on the place's clock."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        starts = datetime.datetime.combine(data["day"], data["starts"], tzinfo=zone)
        ends = datetime.datetime.combine(data["day"], data["ends"], tzinfo=zone)
        return starts, ends
