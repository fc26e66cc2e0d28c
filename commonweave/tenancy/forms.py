"""Forms for place administration. Organisation choices are always the viewer's place."""

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from commonweave.web.forms import GovukForm

from .enums import OrganisationKind, Role
from .models import Organisation, Place

# A partner system acts for its organisation; it never administers the place.
TOKEN_ROLES = [(value, label) for value, label in Role.choices if value != Role.PLACE_ADMIN]


class OrganisationChoiceField(forms.ModelChoiceField[Organisation]):
    def label_from_instance(self, obj: Organisation) -> str:
        return obj.name


def _limit_choices[M: Place | Organisation](
    form: forms.Form, name: str, queryset: QuerySet[M]
) -> None:
    """Set a model choice field's choices (declared with none: each form's viewer's place)."""
    cast("forms.ModelChoiceField[M]", form.fields[name]).queryset = queryset


def _organisation_field(label: str = "Organisation") -> OrganisationChoiceField:
    # The queryset is the viewer's place, set in each form's __init__.
    return OrganisationChoiceField(
        queryset=Organisation.objects.none(),
        label=label,
        empty_label="Choose an organisation",
        error_messages={
            "required": "Choose an organisation",
            "invalid_choice": "Choose an organisation",
        },
    )


def _role_field(
    choices: list[tuple[str, str]] = Role.choices, label: str = "Role"
) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a role", "invalid_choice": "Choose a role"},
    )


class OrganisationForm(GovukForm):
    name = forms.CharField(
        label="Name",
        max_length=160,
        error_messages={"required": "Enter the organisation's name"},
    )
    kind = forms.ChoiceField(
        label="Kind of organisation",
        choices=OrganisationKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of organisation it is"},
    )

    def __init__(
        self, *args: Any, place: Place, instance: Organisation | None = None, **kwargs: Any
    ) -> None:
        self.place = place
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", {"name": instance.name, "kind": instance.kind})
        super().__init__(*args, **kwargs)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError("Enter the organisation's name")
        others = Organisation.objects.filter(place=self.place, name__iexact=name)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError("There is already an organisation with that name in this place")
        return name


class AddRoleForm(GovukForm):
    organisation = _organisation_field()
    role = _role_field()

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_choices(self, "organisation", organisations)


class InvitationForm(GovukForm):
    email = forms.EmailField(
        label="Email address",
        help_text="We will send the invitation link to this address. It works for 7 days.",
        max_length=254,
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    organisation = _organisation_field()
    role = _role_field()

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_choices(self, "organisation", organisations)


class ApiTokenForm(GovukForm):
    organisation = _organisation_field(label="Organisation the token acts for")
    name = forms.CharField(
        label="What will use this token?",
        help_text="For example, the council's referral system. This helps you recognise it.",
        max_length=100,
        error_messages={"required": "Enter what will use this token"},
    )
    role = _role_field(TOKEN_ROLES, label="What the token may do")

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_choices(self, "organisation", organisations)

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError("Enter what will use this token")
        return name


class SwitchPlaceForm(GovukForm):
    place = forms.ModelChoiceField[Place](
        queryset=Place.objects.none(),
        label="Which place do you want to work in?",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Choose a place",
            "invalid_choice": "Choose one of your places",
        },
    )

    def __init__(self, *args: Any, places: QuerySet[Place], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _limit_choices(self, "place", places)


class TwoFactorRequirementForm(GovukForm):
    """Whether everyone with a role in the place must use two-factor sign-in."""

    required = forms.ChoiceField(
        label=_("Must everyone who works in this place use two-factor sign-in?"),
        help_text=_(
            "When it is required, anyone without an authenticator app is asked to set one "
            "up before they can do anything else in this place."
        ),
        choices=[
            ("yes", _("Yes, require two-factor sign-in")),
            ("no", _("No, let each person choose")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether two-factor sign-in is required"),
            "invalid_choice": _("Choose whether two-factor sign-in is required"),
        },
    )

    def __init__(self, *args: Any, place: Place, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"required": "yes" if place.require_two_factor else "no"})
        super().__init__(*args, **kwargs)

    @property
    def is_required(self) -> bool:
        return bool(self.cleaned_data["required"] == "yes")


class ConfirmForm(GovukForm):
    """A yes-or-no question before something that cannot be undone here, so that a
    button pressed with nothing chosen does nothing."""

    confirm = forms.ChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose yes or no"),
            "invalid_choice": _("Choose yes or no"),
        },
    )

    def __init__(self, *args: Any, question: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = question

    @property
    def confirmed(self) -> bool:
        return bool(self.cleaned_data["confirm"] == "yes")
