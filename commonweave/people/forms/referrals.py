"""Input for the front doors (public and staff referral forms) and for triage."""

import re

import phonenumbers
from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from commonweave.tenancy.enums import OrganisationKind
from commonweave.tenancy.models import Organisation
from commonweave.web.forms import GovukDateField, GovukForm

from ..enums import ContactMethod, ContactOutcome, ReferralConsent, ReferrerKind, Urgency
from ..services import PersonDetails

# The public form's honeypot: real people never see or fill it (see public_form.html).
HONEYPOT_FIELD = "website"

FOR_MYSELF = "myself"
FOR_SOMEONE_ELSE = "someone_else"

# A staff referral's "who is referring" starts from the kind of organisation they work for.
REFERRER_KIND_FOR_ORGANISATION = {
    OrganisationKind.COUNCIL: ReferrerKind.COUNCIL,
    OrganisationKind.NHS: ReferrerKind.GP,
    OrganisationKind.HOUSING: ReferrerKind.HOUSING,
    OrganisationKind.SCHOOL: ReferrerKind.SCHOOL,
    OrganisationKind.POLICE: ReferrerKind.POLICE,
    OrganisationKind.VCSE: ReferrerKind.COMMUNITY,
    OrganisationKind.COMMUNITY_GROUP: ReferrerKind.COMMUNITY,
    OrganisationKind.OTHER: ReferrerKind.OTHER,
}

NO_CONTACT_ERROR = "Give at least one way to contact them: a phone number, email or address"
URGENCY_HINT = (
    "We will get in touch within 24 hours. If it's urgent, we will get in touch within "
    "3 hours. If someone is in danger now, call 999."
)


# One phone number and nothing else: digits, spaces, brackets, dashes, dots, a leading +.
_PHONE_ONLY = re.compile(r"\+?[\d\s().\-]+")
# Ofcom keeps 07700 900000 to 07700 900999 for drama: never anyone's real number, so the
# demo and the tests use it. libphonenumber does not count it as valid; we do.
_DRAMA_MOBILES = re.compile(r"07700900\d{3}")

PHONE_ERROR = _("Enter a UK phone number, like 07700 900 982 or 0161 496 0123")


def uk_phone(text) -> str | None:
    """A UK number in its national format ("0161 496 0123"), however it was typed
    ("01614960123", "+44 161 496 0123", "(0161) 496-0123"); None when the text is not one
    valid UK number (too short, too long, another country's, or words).

    The same idea as `directory.importer.fields.uk_phone`, which this layer cannot import.
    """
    text = str(text or "").strip()
    if not _PHONE_ONLY.fullmatch(text):
        return None
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return None
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    if number.country_code != 44:
        return None
    if phonenumbers.is_valid_number(number) or _DRAMA_MOBILES.fullmatch(national.replace(" ", "")):
        return national
    return None


class PersonFieldsForm(GovukForm):
    """The person being referred and how to reach them: shared by both referral forms."""

    full_name = forms.CharField(
        label="Their full name",
        max_length=150,
        error_messages={"required": "Enter their full name"},
    )
    preferred_name = forms.CharField(
        label="What they like to be called", max_length=80, required=False
    )
    date_of_birth = GovukDateField(
        label="Date of birth",
        required=False,
        past_only=True,
        help_text="For example, 27 3 1950",
    )
    phone = forms.CharField(label="Phone number", max_length=30, required=False)
    email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={"invalid": "Enter an email address like name@example.com"},
    )
    address = forms.CharField(
        label="Address", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    contact_method = forms.ChoiceField(
        label="How should we contact them?",
        choices=ContactMethod.choices,
        initial=ContactMethod.PHONE,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how we should contact them"},
    )
    contact_when = forms.CharField(
        label="When is a good time to contact them?",
        help_text="For example, weekday mornings, or not after 6pm",
        max_length=200,
        required=False,
    )
    reason = forms.CharField(
        label="Why, in your own words",
        help_text="A short explanation of why you think they'd benefit will do",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Tell us why you are referring them"},
    )
    urgency = forms.ChoiceField(
        label="How soon should we get in touch?",
        help_text=URGENCY_HINT,
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how soon we should get in touch"},
    )

    def clean_postcode(self):
        return " ".join(self.cleaned_data["postcode"].upper().split())

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return ""
        national = uk_phone(phone)
        if national is None:
            raise forms.ValidationError(PHONE_ERROR, code="invalid")
        return national

    def clean(self):
        data = super().clean()
        phone, email = data.get("phone"), data.get("email")
        address, postcode = data.get("address"), data.get("postcode")
        if "email" in self.errors or "phone" in self.errors:
            return data  # they gave an email or phone number, just not a valid one yet
        if not (phone or email or address or postcode):
            self.add_error("phone", NO_CONTACT_ERROR)
            return data
        method = data.get("contact_method")
        if method in (ContactMethod.PHONE, ContactMethod.TEXT) and not phone:
            self.add_error("phone", "Enter a phone number, or choose another way to contact them")
        elif method == ContactMethod.EMAIL and not email:
            self.add_error("email", "Enter an email address, or choose another way to contact them")
        elif method == ContactMethod.VISIT and not (address or postcode):
            self.add_error("address", "Enter their address, or choose another way to contact them")
        return data

    def person_details(self) -> PersonDetails:
        data = self.cleaned_data
        return PersonDetails(
            full_name=data["full_name"].strip(),
            preferred_name=data["preferred_name"].strip(),
            date_of_birth=data["date_of_birth"],
            phone=data["phone"].strip(),
            email=data["email"].strip(),
            address=data["address"].strip(),
            postcode=data["postcode"],
            contact_method=data["contact_method"],
            contact_when=data["contact_when"].strip(),
        )


SOMEONE_ELSE_FIELDS = ("referrer_name", "referrer_contact", "referrer_kind", "consent")


class PublicReferralForm(PersonFieldsForm):
    """Refer yourself or someone you know. No account; plain English throughout."""

    field_order = [
        "for_whom",
        *SOMEONE_ELSE_FIELDS,
        "place",
        "full_name",
        "preferred_name",
        "date_of_birth",
        "phone",
        "email",
        "address",
        "postcode",
        "contact_method",
        "contact_when",
        "reason",
        "urgency",
    ]

    for_whom = forms.ChoiceField(
        label=_("Who is this for?"),
        choices=[(FOR_MYSELF, _("Myself")), (FOR_SOMEONE_ELSE, _("Someone else"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select who this is for")},
    )
    place = forms.ModelChoiceField(
        label="Which area do they live in?",
        queryset=None,
        to_field_name="slug",
        empty_label="Choose an area",
        error_messages={"required": "Choose the area they live in"},
    )
    # Asked only of someone referring another person: revealed under "Someone else" (and
    # shown, saying so in their labels, when there is no JavaScript). Required then, and
    # ignored for "Myself".
    referrer_name = forms.CharField(
        label=_("Your name, if you are referring someone else"),
        max_length=150,
        error_messages={"required": _("Enter your name")},
    )
    referrer_contact = forms.CharField(
        label=_("Your phone number or email, if you are referring someone else"),
        help_text=_("So we can ask you about the referral if we need to"),
        max_length=200,
        error_messages={"required": _("Enter your phone number or email")},
    )
    referrer_kind = forms.ChoiceField(
        label=_("Who are you to them, if you are referring someone else?"),
        choices=[("", _("Choose one"))] + [c for c in ReferrerKind.choices if c[0] != "self"],
        error_messages={"required": _("Select who you are to them")},
    )
    consent = forms.ChoiceField(
        label=_("Do they know you are referring them, if you are referring someone else?"),
        choices=ReferralConsent.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select whether they know you are referring them")},
    )

    def __init__(self, *args, places, place=None, **kwargs):
        super().__init__(*args, **kwargs)
        if place is not None:
            # One place (or a link naming it): the area is implicit.
            del self.fields["place"]
            self.fixed_place = place
        else:
            self.fields["place"].queryset = places
            self.fixed_place = None
        if self.is_bound and self.data.get("for_whom") != FOR_SOMEONE_ELSE:
            # Only "Someone else" needs them; without a choice, that is the one error.
            for name in SOMEONE_ELSE_FIELDS:
                self.fields[name].required = False

    def clean(self):
        data = super().clean()
        if data.get("for_whom") == FOR_MYSELF:
            data["consent"] = ReferralConsent.AGREED
            data["referrer_kind"] = ReferrerKind.SELF
            data["referrer_name"] = data["referrer_contact"] = ""
        return data

    def someone_else_fields(self):
        return [self[name] for name in SOMEONE_ELSE_FIELDS]

    def _anchor(self, name):
        """Where a "Change" link lands: the field's first box or first choice."""
        kind = self.field_kind(name)
        suffix = {"date": "_day", "radio": "_0"}.get(kind, "")
        return f"{self[name].auto_id}{suffix}"

    def summary(self) -> list[dict]:
        """The answers as a check-your-answers page lists them: what was asked (in short),
        the answer in words, and where to change it. Only valid forms have a summary."""
        data = self.cleaned_data

        def words(name):
            return dict(self.fields[name].choices).get(data.get(name), "")

        rows = [(_("Who it is for"), "for_whom", words("for_whom"))]
        if data["for_whom"] == FOR_SOMEONE_ELSE:
            rows += [
                (_("Your name"), "referrer_name", data["referrer_name"]),
                (_("Your phone number or email"), "referrer_contact", data["referrer_contact"]),
                (_("Who you are to them"), "referrer_kind", words("referrer_kind")),
                (_("Do they know you are referring them?"), "consent", words("consent")),
            ]
        if "place" in self.fields:
            rows.append((_("Area"), "place", data["place"].name))
        born = data.get("date_of_birth")
        rows += [
            (_("Full name"), "full_name", data["full_name"]),
            (_("What they like to be called"), "preferred_name", data["preferred_name"]),
            (_("Date of birth"), "date_of_birth", date_format(born, "j F Y") if born else ""),
            (_("Phone number"), "phone", data["phone"]),
            (_("Email address"), "email", data["email"]),
            (_("Address"), "address", data["address"]),
            (_("Postcode"), "postcode", data["postcode"]),
            (_("How to contact them"), "contact_method", words("contact_method")),
            (_("Good time to contact them"), "contact_when", data["contact_when"]),
            (_("Why"), "reason", data["reason"]),
            (_("How soon"), "urgency", words("urgency")),
        ]
        return [
            {"key": key, "name": name, "value": str(value).strip(), "anchor": self._anchor(name)}
            for key, name, value in rows
        ]

    def chosen_place(self):
        return self.fixed_place or self.cleaned_data["place"]

    def referral_details(self) -> dict:
        data = self.cleaned_data
        own = data["for_whom"] == FOR_MYSELF
        return {
            "reason": data["reason"].strip(),
            "urgency": data["urgency"],
            "consent": data["consent"],
            "referrer_kind": data["referrer_kind"],
            "referrer_name": "" if own else data["referrer_name"].strip(),
            "referrer_contact": "" if own else data["referrer_contact"].strip(),
        }


class StaffReferralForm(PersonFieldsForm):
    """A member of staff refers someone on behalf of their organisation."""

    field_order = [
        "referring_organisation",
        "referrer_kind",
        "full_name",
        "preferred_name",
        "date_of_birth",
        "phone",
        "email",
        "address",
        "postcode",
        "contact_method",
        "contact_when",
        "reason",
        "urgency",
        "consent",
    ]

    referring_organisation = forms.ModelChoiceField(
        label="Which organisation are you referring for?",
        queryset=None,
        empty_label="Choose an organisation",
        error_messages={"required": "Choose the organisation you are referring for"},
    )
    referrer_kind = forms.ChoiceField(
        label="What kind of referrer are you?",
        choices=[c for c in ReferrerKind.choices if c[0] != "self"],
        error_messages={"required": "Select what kind of referrer you are"},
    )
    consent = forms.ChoiceField(
        label="Do they know you are referring them?",
        choices=ReferralConsent.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether they know you are referring them"},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = list(organisations)
        if len(organisations) == 1:
            del self.fields["referring_organisation"]
            self.fixed_organisation = organisations[0]
        else:
            self.fields["referring_organisation"].queryset = Organisation.objects.filter(
                pk__in=[o.pk for o in organisations]
            )
            self.fixed_organisation = None
        if organisations and not self.is_bound:
            self.fields["referrer_kind"].initial = REFERRER_KIND_FOR_ORGANISATION.get(
                organisations[0].kind, ReferrerKind.OTHER
            )

    def chosen_organisation(self):
        return self.fixed_organisation or self.cleaned_data["referring_organisation"]

    def referral_details(self) -> dict:
        data = self.cleaned_data
        return {
            "reason": data["reason"].strip(),
            "urgency": data["urgency"],
            "consent": data["consent"],
            "referrer_kind": data["referrer_kind"],
        }


class AssignForm(GovukForm):
    catalyst = forms.ModelChoiceField(
        label="Who will make first contact?",
        queryset=None,
        empty_label="Choose a catalyst",
        error_messages={"required": "Choose who will make first contact"},
    )

    def __init__(self, *args, catalysts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["catalyst"].queryset = catalysts


class FirstContactForm(GovukForm):
    outcome = forms.ChoiceField(
        label="What happened?",
        choices=ContactOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happened when you tried to contact them"},
    )
    note = forms.CharField(
        label="Note",
        help_text="For example, when to try again or what they said they would like",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
