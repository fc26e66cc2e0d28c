"""Forms for what came of the money: a line of a community award's timeline, and a CSV
file of results for a fund. Dates, statuses and percentages are read as people write them
(grants.results), so "3/11/2026", "On track" and "25%" all work, and a problem is named
beside its field with what was typed kept."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from commonweave.web.forms import GovukForm

from . import results
from .enums import ResultStatus


class AwardUpdateForm(GovukForm):
    on = forms.CharField(
        label=_("Date"),
        max_length=40,
        help_text=_("For example, 03/11/2026 or 2026-11-03"),
        error_messages={"required": _("Enter the date of the update")},
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("How does the project stand?"),
        choices=ResultStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the project stands")},
    )
    progress = forms.CharField(
        label=_("How far along is it? (%)"),
        max_length=10,
        required=False,
        help_text=_("A percentage from 0 to 100, like 40"),
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "spellcheck": "false", "class": "govuk-input--width-4"}
        ),
    )
    note = forms.CharField(
        label=_("What happened?"),
        required=False,
        max_length=results.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_on(self):
        day, _warning = results.parse_date(self.cleaned_data["on"])
        return day

    def clean_progress(self):
        percent, _warning = results.parse_progress(self.cleaned_data.get("progress"))
        return percent


class ResultsUploadForm(GovukForm):
    file = forms.FileField(
        label=_("CSV file of results"),
        help_text=_(
            "Columns award, date, status, and if you have them progress and note. Saved from "
            "Excel is fine."
        ),
        error_messages={"required": _("Choose a CSV file to upload")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            return results.read_upload(upload)
        except ValidationError as error:
            raise ValidationError(error.message_dict["file"]) from None
