"""Searching the audit log. The search travels in the address (GET), so it carries ids
and codes only: a user is chosen from a list and sent as their id, never their email."""

import re

from django import forms

from commonweave.tenancy.models import Organisation
from commonweave.web.forms import GovukDateField, GovukForm

from .enums import Action, Purpose
from .selectors import AuditFilters, object_type_labels, place_users

PUBLIC_ID = re.compile(r"^[a-z0-9]{12}$")
BAD_REFERENCE = "Enter the 12-character reference, like ab3k9mnp2qrs"

FIELDS = (
    "date_from",
    "date_to",
    "action",
    "purpose",
    "organisation",
    "actor",
    "resident",
    "object_type",
)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name or f"User {obj.pk}"


class AuditSearchForm(GovukForm):
    date_from = GovukDateField(label="From", required=False, help_text="For example, 27 3 2025")
    date_to = GovukDateField(label="To", required=False, help_text="For example, 28 3 2025")
    action = forms.ChoiceField(label="What was done", required=False)
    purpose = forms.ChoiceField(label="Why", required=False)
    organisation = forms.ModelChoiceField(
        label="Organisation", required=False, queryset=Organisation.objects.none()
    )
    actor = UserChoiceField(label="Who", required=False, queryset=None, empty_label="Anyone")
    resident = forms.CharField(
        label="Resident's reference",
        required=False,
        max_length=12,
        help_text="The 12-character reference from the address of their record",
        error_messages={"max_length": BAD_REFERENCE},
    )
    object_type = forms.ChoiceField(label="Kind of record", required=False)

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Anything"), *Action.choices]
        self.fields["purpose"].choices = [("", "Any reason"), *Purpose.choices]
        self.fields["organisation"].queryset = Organisation.objects.filter(
            place=viewer.place
        ).order_by("name")
        self.fields["organisation"].empty_label = "Any organisation"
        self.fields["actor"].queryset = place_users(viewer)
        self.fields["object_type"].choices = [("", "Any kind"), *object_type_labels().items()]

    def clean_resident(self):
        value = self.cleaned_data["resident"].strip().lower()
        if value and not PUBLIC_ID.match(value):
            raise forms.ValidationError(BAD_REFERENCE)
        return value

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The 'to' date must be the same as or after the 'from' date")
        return cleaned

    def filters(self) -> AuditFilters:
        """What to search by: only the fields that are valid (a bad one is shown, not used)."""
        data = getattr(self, "cleaned_data", {})
        return AuditFilters(**{name: data.get(name) or _EMPTY[name] for name in FIELDS})


_OBJECT_FIELDS = ("date_from", "date_to", "organisation", "actor")
_EMPTY = {name: None if name in _OBJECT_FIELDS else "" for name in FIELDS}

# Every GET parameter the search form reads (a date is three boxes).
QUERY_KEYS = tuple(
    f"{name}_{part}" if name.startswith("date_") else name
    for name in FIELDS
    for part in (("day", "month", "year") if name.startswith("date_") else ("",))
)
