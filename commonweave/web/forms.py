"""GOV.UK Design System form rendering for Django forms.

Forms inherit GovukForm (or GovukModelForm); templates render
`{% include "web/forms/error_summary.html" %}` once and
`{% include "web/forms/field.html" with field=form.name %}` per field. Each field shows
its label, hint and error message next to it, and keeps what the person typed.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError

_WIDGET_CLASSES = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "radio": "govuk-radios__input",
    "checkbox": "govuk-checkboxes__input",
    "file": "govuk-file-upload",
}


def _kind(widget):
    if isinstance(widget, GovukDateWidget):
        return "date"
    if isinstance(widget, forms.RadioSelect):
        return "radio"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return "file"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    return "input"


class GovukDateWidget(forms.MultiWidget):
    """The GOV.UK date input: separate day, month and year boxes."""

    template_name = "web/forms/date_widget.html"

    def __init__(self, attrs=None):
        part = {"class": "govuk-input govuk-date-input__input", "inputmode": "numeric"}
        widgets = {
            "day": forms.TextInput({**part, "class": part["class"] + " govuk-input--width-2"}),
            "month": forms.TextInput({**part, "class": part["class"] + " govuk-input--width-2"}),
            "year": forms.TextInput({**part, "class": part["class"] + " govuk-input--width-4"}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    widget = GovukDateWidget

    def __init__(self, *, past_only=False, **kwargs):
        self.past_only = past_only
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        day, month, year = (str(part or "").strip() for part in data_list)
        if not (day and month and year):
            raise ValidationError("Enter a day, month and year")
        try:
            value = datetime.date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValidationError("Enter a real date, for example 27 3 1950") from error
        if value.year < 1900:
            raise ValidationError("Enter a year after 1900")
        if self.past_only and value > datetime.date.today():  # noqa: DTZ011 - a calendar date
            raise ValidationError("The date must be in the past")
        return value


class GovukFormMixin:
    """Adds GOV.UK classes to widgets and error modifiers to invalid fields."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            kind = _kind(field.widget)
            css = _WIDGET_CLASSES.get(kind, "govuk-input" if kind == "input" else "")
            if css:
                field.widget.attrs["class"] = (
                    field.widget.attrs.get("class", "") + " " + css
                ).strip()
            # Prefixed, so two forms of one kind on a page never share an id.
            html_id = f"id_{self.add_prefix(name)}"
            field.widget.attrs.setdefault("id", html_id)
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{html_id}-hint"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                kind = _kind(self.fields[name].widget)
                widget = self.fields[name].widget
                if kind in ("input", "textarea", "select", "file"):
                    error_class = f" govuk-{'textarea' if kind == 'textarea' else kind}--error"
                    widget.attrs["class"] = widget.attrs.get("class", "") + error_class
                html_id = f"id_{self.add_prefix(name)}"
                described = f"{html_id}-error"
                if self.fields[name].help_text:
                    described = f"{html_id}-hint " + described
                widget.attrs["aria-describedby"] = described

    def field_kind(self, name):
        return _kind(self.fields[name].widget)

    def add_service_errors(self, error: ValidationError) -> None:
        """A service's ValidationError onto the form: beside its field, or at the top."""
        if hasattr(error, "error_dict"):
            for name, problems in error.message_dict.items():
                self.add_error(name if name in self.fields else None, problems)  # type: ignore[attr-defined]
        else:
            self.add_error(None, error.messages)  # type: ignore[attr-defined]


class GovukForm(GovukFormMixin, forms.Form):
    pass


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    pass
