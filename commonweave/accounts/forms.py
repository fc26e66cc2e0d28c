"""Sign-in, two-factor and password forms, styled with the GOV.UK Design System."""

import re

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordMixin
from django.core.exceptions import ValidationError

from commonweave.web.forms import GovukForm, GovukFormMixin

from .models import User

# The same words whether the email is unknown or the password is wrong: no enumeration.
INVALID_LOGIN = "Enter the email address and password for your account"
PASSWORD_HINT = (
    "Use at least 12 characters. A few unrelated words make a strong password that is easy "
    "to remember. Very common passwords are not allowed."
)
CODE_PATTERN = re.compile(r"^\d{6}$")


class SignInForm(GovukFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": INVALID_LOGIN,
        "inactive": INVALID_LOGIN,
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.label = "Email"
        username.error_messages["required"] = "Enter your email address"
        username.widget.attrs.update(
            {"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"}
        )
        username.widget.attrs.pop("autofocus", None)
        password = self.fields["password"]
        password.label = "Password"
        password.error_messages["required"] = "Enter your password"

    def clean_username(self):
        # Accounts are stored with lower-case emails; people type them however they like.
        return self.cleaned_data["username"].strip().lower()

    def clean(self):
        # A wrong email or password is shown next to the email field (and in the summary)
        # rather than as a free-floating message.
        try:
            return super().clean()
        except ValidationError as error:
            if error.code in ("invalid_login", "inactive"):
                self.add_error("username", ValidationError(INVALID_LOGIN, code=error.code))
                return self.cleaned_data
            raise


class CodeForm(GovukForm):
    """A 6-digit code from an authenticator app."""

    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code shown in the app, for example 123456",
        max_length=20,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(
            attrs={
                "class": "govuk-input--width-5",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self):
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not CODE_PATTERN.match(code):
            raise ValidationError("Enter the 6-digit code from your authenticator app")
        return code


class GovukPasswordChangeForm(GovukFormMixin, PasswordChangeForm):
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right. Enter it again.",
        "password_mismatch": "The new passwords do not match",
    }

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = PASSWORD_HINT
        self.fields["new_password1"].widget.attrs["aria-describedby"] = "id_new_password1-hint"
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].label = "Confirm new password"
        self.fields["new_password2"].help_text = ""
        self.fields["new_password2"].widget.attrs.pop("aria-describedby", None)
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"

    def validate_password_for_user(self, user, password_field_name="new_password2"):  # noqa: S107 - a field name, not a password
        # Say what is wrong with a new password next to the box where it was chosen, and
        # only once the two copies match.
        if "new_password2" in self.errors:
            return
        super().validate_password_for_user(user, "new_password1")


class NewAccountForm(GovukForm):
    """Name and password for someone joining through an invitation."""

    name = forms.CharField(
        label="Your full name",
        max_length=150,
        error_messages={"required": "Enter your full name"},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    password1, password2 = SetPasswordMixin.create_password_fields(
        label1="Create a password", label2="Confirm password"
    )

    def __init__(self, *args, email, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = PASSWORD_HINT
        self.fields["password1"].widget.attrs["aria-describedby"] = "id_password1-hint"
        self.fields["password1"].error_messages["required"] = "Create a password"
        self.fields["password2"].help_text = ""
        self.fields["password2"].widget.attrs.pop("aria-describedby", None)
        self.fields["password2"].error_messages["required"] = "Enter the password again"

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError("Enter your full name")
        return name

    def clean(self):
        cleaned = super().clean()
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The passwords do not match")
            return cleaned
        if password1:
            # Validators see the would-be user, so a password like the name is refused.
            candidate = User(email=self.email, name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned
