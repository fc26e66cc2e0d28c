from django import forms
from django.utils.translation import gettext_lazy as _

from commonweave.web.forms import GovukModelForm

from .models import GPRegistration
from .validators import nhs_number_digits


class GPRegistrationForm(GovukModelForm):
    # Room for the spaces people type ("943 476 5919"); the digits are checked.
    nhs_number = forms.CharField(
        label=_("NHS number"),
        max_length=14,
        required=False,
        help_text=_("10 digits. Leave it empty if they have not given it."),
    )

    class Meta:
        model = GPRegistration
        fields = ["practice_code", "practice_name", "gp_name", "nhs_number"]
        help_texts = {
            "practice_code": _("On the practice's letters, or in the NHS's ODS register."),
        }
        error_messages = {
            "practice_code": {"required": _("Enter the GP practice's ODS code")},
        }

    def clean_practice_code(self):
        return (self.cleaned_data.get("practice_code") or "").strip().upper()

    def clean_nhs_number(self):
        return nhs_number_digits(self.cleaned_data.get("nhs_number") or "")
