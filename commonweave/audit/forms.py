"""Searching the audit log. The search travels in the address (GET), so it carries ids
and codes only: a user is chosen from a list and sent as their id, never their email."""

import re
from typing import Any, cast

from django import forms

from commonweave.web.forms import GovukDateField, GovukForm

from .actors import Actor
from .enums import Action, Purpose
from .models import AuditEvent
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


class UserChoiceField(forms.ModelChoiceField[Any]):  # of users (accounts is above audit)
    def label_from_instance(self, obj: Any) -> str:
        return obj.name or f"User {obj.pk}"


class AuditSearchForm(GovukForm):
    date_from = GovukDateField(label="From", required=False, help_text="For example, 27 3 2025")
    date_to = GovukDateField(label="To", required=False, help_text="For example, 28 3 2025")
    action = forms.ChoiceField(label="What was done", required=False)
    purpose = forms.ChoiceField(label="Why", required=False)
    organisation = forms.ModelChoiceField[Any](label="Organisation", required=False, queryset=None)
    actor = UserChoiceField(label="Who", required=False, queryset=None, empty_label="Anyone")
    resident = forms.CharField(
        label="Resident's reference",
        required=False,
        max_length=12,
        help_text="The 12-character reference from the address of their record",
        error_messages={"max_length": BAD_REFERENCE},
    )
    object_type = forms.ChoiceField(label="Kind of record", required=False)

    def __init__(self, *args: Any, viewer: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        cast(forms.ChoiceField, fields["action"]).choices = [("", "Anything"), *Action.choices]
        cast(forms.ChoiceField, fields["purpose"]).choices = [("", "Any reason"), *Purpose.choices]
        organisation = cast("forms.ModelChoiceField[Any]", fields["organisation"])
        # The organisations an event can name (tenancy's model, reached through the event's
        # own foreign key: tenancy sits above audit).
        organisations = AuditEvent._meta.get_field("organisation").related_model
        organisation.queryset = organisations._default_manager.filter(place=viewer.place).order_by(
            "name"
        )
        organisation.empty_label = "Any organisation"
        cast(UserChoiceField, fields["actor"]).queryset = place_users(viewer)
        cast(forms.ChoiceField, fields["object_type"]).choices = [
            ("", "Any kind"),
            *object_type_labels().items(),
        ]

    def clean_resident(self) -> str:
        value: str = self.cleaned_data["resident"].strip().lower()
        if value and not PUBLIC_ID.match(value):
            raise forms.ValidationError(BAD_REFERENCE)
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The 'to' date must be the same as or after the 'from' date")
        return cleaned

    def filters(self) -> AuditFilters:
        """What to search by: only the fields that are valid (a bad one is shown, not used)."""
        data = getattr(self, "cleaned_data", {})
        values: dict[str, Any] = {name: data.get(name) or _EMPTY[name] for name in FIELDS}
        return AuditFilters(**values)


_OBJECT_FIELDS = ("date_from", "date_to", "organisation", "actor")
_EMPTY = {name: None if name in _OBJECT_FIELDS else "" for name in FIELDS}

# Every GET parameter the search form reads (a date is three boxes).
QUERY_KEYS = tuple(
    f"{name}_{part}" if name.startswith("date_") else name
    for name in FIELDS
    for part in (("day", "month", "year") if name.startswith("date_") else ("",))
)
