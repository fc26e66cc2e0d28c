"""Input for the text pages: a place's set-up (whose automatic replies must each fit one
text), a worker's reply, and a practice text "from a resident"."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commonweave.tenancy.enums import OrganisationKind
from commonweave.web.forms import GovukForm, GovukModelForm

from . import phones, wording
from .enums import ProviderName
from .models import MessagingSetup

# Kinds of organisation that are public sector bodies, and so may use GOV.UK Notify.
PUBLIC_BODIES = frozenset(
    {
        OrganisationKind.COUNCIL,
        OrganisationKind.NHS,
        OrganisationKind.POLICE,
        OrganisationKind.SCHOOL,
    }
)

WEEKDAYS = [
    ("1", _("Monday")),
    ("2", _("Tuesday")),
    ("3", _("Wednesday")),
    ("4", _("Thursday")),
    ("5", _("Friday")),
    ("6", _("Saturday")),
    ("7", _("Sunday")),
]


class SetupForm(GovukModelForm):
    open_days = forms.MultipleChoiceField(
        label=_("Open days"),
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Outside these days and hours, the automatic reply says when you open."),
    )

    class Meta:
        model = MessagingSetup
        fields = (
            "provider",
            "urgent_words",
            "acknowledgement",
            "acknowledgement_out_of_hours",
            "opens_at",
            "closes_at",
            "open_days",
        )
        widgets = {
            "provider": forms.RadioSelect,
            "urgent_words": forms.Textarea(attrs={"rows": 6}),
            "acknowledgement": forms.Textarea(attrs={"rows": 3}),
            "acknowledgement_out_of_hours": forms.Textarea(attrs={"rows": 3}),
            "opens_at": forms.TimeInput(format="%H:%M"),
            "closes_at": forms.TimeInput(format="%H:%M"),
        }

    def __init__(self, *args, place, **kwargs):
        self.place = place
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", _("This installation's default"))] + list(
            ProviderName.choices
        )
        self.initial["open_days"] = list(self.instance.open_days)

    def clean_provider(self):
        provider = self.cleaned_data.get("provider") or ""
        if (
            provider == ProviderName.NOTIFY
            and not self.place.organisations.filter(kind__in=PUBLIC_BODIES).exists()
        ):
            raise forms.ValidationError(
                _(
                    "GOV.UK Notify is only for public sector bodies, and no organisation in "
                    "this partnership is one. Choose another provider."
                )
            )
        return provider

    def clean_open_days(self):
        return "".join(sorted(self.cleaned_data.get("open_days") or []))

    def _one_text(self, name):
        template = (self.cleaned_data.get(name) or "").strip()
        if not template:
            return ""
        problems = wording.template_errors(template)
        if problems:
            raise forms.ValidationError(problems)
        warning = wording.segment_warning(
            wording.longest_filling(template, place_name=self.place.name)
        )
        if warning:
            raise forms.ValidationError(warning)
        return template

    def clean_acknowledgement(self):
        return self._one_text("acknowledgement")

    def clean_acknowledgement_out_of_hours(self):
        return self._one_text("acknowledgement_out_of_hours")

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and opens >= closes:
            self.add_error("closes_at", _("Closing time must be after opening time"))
        return data


class ReplyForm(GovukForm):
    body = forms.CharField(
        label=_("Your text"),
        max_length=612,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One text holds 160 characters, or 70 if it uses characters such as emoji. "
            "Longer texts are sent in parts and cost more."
        ),
        error_messages={"required": _("Enter the text to send")},
    )


class PracticeTextForm(GovukForm):
    phone = forms.CharField(
        label=_("Their phone number"),
        max_length=30,
        help_text=_("A made-up number such as 07700 900123 (reserved for drama)."),
        error_messages={"required": _("Enter the number the text comes from")},
    )
    body = forms.CharField(
        label=_("Their text"),
        max_length=918,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Enter the text they send")},
    )

    def clean_phone(self):
        number = phones.normalise(self.cleaned_data["phone"])
        if len(number.lstrip("+")) < 8:
            raise forms.ValidationError(_("Enter a phone number, like 07700 900123"))
        return number
