from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from commonweave.core.versioning import check_version
from commonweave.people.enums import ConsentMethod
from commonweave.tenancy.models import Organisation
from commonweave.web.forms import GovukForm

from . import community, geo, selectors, services
from .enums import AssetKind, FollowUpOutcome, ImportSource, ServiceStatus
from .importer.formats import upload_refusal
from .models import Neighbourhood, Organization, TaxonomyTerm

HONEYPOT_FIELD = "website_address"


class SearchForm(GovukForm):
    q = forms.CharField(label="What are you looking for?", required=False, max_length=200)
    postcode = forms.CharField(
        label="Near postcode",
        required=False,
        max_length=10,
        help_text="For example, OL1 1AA",
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-10", "autocomplete": "postal-code"}
        ),
    )
    category = forms.TypedChoiceField(label="Category", required=False, choices=())
    kind = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Any type"), *AssetKind.choices]
    )
    age = forms.IntegerField(
        label="Who it is for: age",
        required=False,
        min_value=0,
        max_value=130,
        help_text="Shows only what people of this age can go to",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
    )
    neighbourhood = forms.TypedChoiceField(label="Neighbourhood", required=False, choices=())
    free = forms.BooleanField(label="Free", required=False)
    open_now = forms.BooleanField(label="Open now", required=False)
    takes_referrals = forms.BooleanField(label="Takes referrals", required=False)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)

    def __init__(self, *args, place, **kwargs):
        super().__init__(*args, **kwargs)
        terms = TaxonomyTerm.objects.filter(place=place).order_by("name").values_list("id", "name")
        self.fields["category"].choices = [("", "Any category")] + [
            (str(pk), name) for pk, name in terms
        ]
        hoods = list(
            Neighbourhood.objects.filter(place=place).order_by("name").values_list("pk", "name")
        )  # not the polygons
        self.fields["neighbourhood"].choices = [("", "Anywhere")] + [
            (str(pk), name) for pk, name in hoods
        ]
        if not hoods:
            del self.fields["neighbourhood"]

    def clean_postcode(self):
        raw = self.cleaned_data["postcode"].strip()
        if not raw:
            return ""
        normal = geo.normalise_postcode(raw)
        if not normal:
            raise forms.ValidationError("Enter a full UK postcode, like OL1 1AA")
        if geo.lookup_postcode(normal) is None:
            raise forms.ValidationError("We could not find that postcode. Check it and try again")
        return normal

    def filters(self):
        """The search this valid form asks for (the pages and the staff API share it)."""
        data = self.cleaned_data
        filters = selectors.Filters(
            text=data.get("q") or "",
            term_ids=[data["category"]] if data.get("category") else [],
            kinds=[data["kind"]] if data.get("kind") else [],
            age=data.get("age"),
            free=data.get("free") or False,
            open_now=data.get("open_now") or False,
            takes_referrals=data.get("takes_referrals") or False,
            neighbourhood_id=int(data["neighbourhood"]) if data.get("neighbourhood") else None,
        )
        if data.get("postcode"):
            filters.near = geo.lookup_postcode(data["postcode"])
        elif data.get("lat") is not None and data.get("lon") is not None:
            filters.near = (data["lat"], data["lon"])
        return filters


class SuggestionForm(GovukForm):
    name = forms.CharField(label="Name", max_length=250)
    kind = forms.ChoiceField(
        label="What is it?", choices=AssetKind.choices, initial="group", widget=forms.RadioSelect
    )
    description = forms.CharField(
        label="What happens there", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    eligibility = forms.CharField(label="Who it is for", required=False, max_length=500)
    how_to_access = forms.CharField(
        label="How to go or get in touch", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    url = forms.URLField(label="Website", required=False, assume_scheme="https")
    is_free = forms.BooleanField(label="It is free", required=False)
    comment = forms.CharField(
        label="Anything else we should know",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Please do not include anyone's personal details",
    )

    def clean_url(self):
        url = self.cleaned_data["url"]
        if url and not url.startswith(("http://", "https://")):
            raise forms.ValidationError("Enter a web address starting with http:// or https://")
        return url


class ReviewForm(GovukForm):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("accept", "Accept and update the entry"), ("reject", "Reject")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason", max_length=500, help_text="Recorded with the decision and in the history"
    )


class FollowUpForm(GovukForm):
    outcome = forms.ChoiceField(
        label="Did the connection take?", choices=FollowUpOutcome.choices, widget=forms.RadioSelect
    )
    why = forms.CharField(
        label="Why", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )


class ConnectForm(GovukForm):
    service = forms.UUIDField(widget=forms.HiddenInput)


class EntryForm(GovukForm):
    """Create or edit an entry (coordinators). Location fields describe its main place.
    The edit page and the staff API both fill it and save through it."""

    # Form field -> field of the entry's main Location.
    LOCATION_FIELDS = {
        "location_name": "name",
        "address_1": "address_1",
        "city": "city",
        "postal_code": "postal_code",
        "confidential": "confidential",
        "area": "area",
    }

    name = forms.CharField(label="Name", max_length=250)
    # The entry's version when the page was opened: a save finding a newer one is refused
    # with both versions shown (the edit page), never a silent overwrite.
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label="What is it?", choices=AssetKind.choices, widget=forms.RadioSelect
    )
    status = forms.ChoiceField(label="Status", choices=ServiceStatus.choices)
    organization = forms.TypedChoiceField(label="Run by", required=False, choices=())
    description = forms.CharField(
        label="What happens there", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    categories = forms.MultipleChoiceField(
        label="Categories", required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )
    eligibility = forms.CharField(label="Who it is for", required=False, max_length=1000)
    minimum_age = forms.IntegerField(
        label="Youngest age", required=False, min_value=0, max_value=130
    )
    maximum_age = forms.IntegerField(label="Oldest age", required=False, min_value=0, max_value=130)
    is_free = forms.BooleanField(label="It is free", required=False)
    fees_description = forms.CharField(label="Cost", required=False, max_length=500)
    how_to_access = forms.CharField(
        label="How to go or get in touch", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    accessibility = forms.CharField(label="Accessibility", required=False, max_length=1000)
    languages = forms.CharField(
        label="Languages",
        required=False,
        max_length=100,
        help_text="Codes, for example: en, ur, pl",
    )
    url = forms.URLField(label="Website", required=False, assume_scheme="https")
    email = forms.EmailField(label="Email", required=False)
    takes_referrals = forms.BooleanField(label="Takes referrals", required=False)
    capacity = forms.CharField(label="Current capacity", required=False, max_length=200)
    referral_organisation = forms.TypedChoiceField(
        label="Partner that receives referrals through Commonweave",
        required=False,
        choices=(),
        help_text="Caseworkers can then send referrals to this service from a resident's page",
    )
    referral_places = forms.IntegerField(
        label="Places free for referrals",
        required=False,
        min_value=0,
        max_value=100000,
        help_text="Leave empty if there is no limit",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
    )
    alert = forms.CharField(label="Alert shown at the top", required=False, max_length=500)
    location_name = forms.CharField(label="Place name", required=False, max_length=250)
    address_1 = forms.CharField(label="Address", required=False, max_length=250)
    city = forms.CharField(label="Town or city", required=False, max_length=120)
    postal_code = forms.CharField(label="Postcode", required=False, max_length=10)
    confidential = forms.BooleanField(
        label="The address is confidential (for example, a refuge)",
        required=False,
        help_text="Only the area below is ever published",
    )
    area = forms.CharField(label="Area to publish instead", required=False, max_length=200)

    def __init__(self, *args, place, **kwargs):
        super().__init__(*args, **kwargs)
        self.place = place
        self.fields["organization"].choices = [("", "No organisation")] + [
            (str(o.id), o.name) for o in Organization.objects.filter(place=place).order_by("name")
        ]
        self.fields["categories"].choices = [
            (str(t.id), t.name) for t in TaxonomyTerm.objects.filter(place=place).order_by("name")
        ]
        self.fields["referral_organisation"].choices = [("", "None")] + [
            (str(o.pk), o.name) for o in Organisation.objects.filter(place=place).order_by("name")
        ]

    def clean_referral_organisation(self):
        value = self.cleaned_data["referral_organisation"]
        return int(value) if value else None

    @classmethod
    def initial_for(cls, service):
        """The form's values for an existing entry."""
        initial = {f: getattr(service, f) for f in services.SERVICE_FIELDS}
        initial["version"] = service.version
        initial["languages"] = ", ".join(service.languages or [])
        initial["organization"] = str(service.organization_id or "")
        initial["referral_organisation"] = str(service.referral_organisation_id or "")
        initial["categories"] = [
            str(t) for t in service.taxonomy_terms.values_list("id", flat=True)
        ]
        sal = service.at_locations.select_related("location").first()
        if sal:
            for form_name, field in cls.LOCATION_FIELDS.items():
                initial[form_name] = getattr(sal.location, field)
        return initial

    @transaction.atomic
    def save(self, viewer, service=None, *, version=None):
        """The entry (new when service is None) and its main location, together or not at
        all. Call only on a valid form. With `version`, raises Conflict (nothing saved) if
        the entry changed since that version."""
        data = self.cleaned_data
        if service is not None and version is not None:
            service = check_version(service, version)
        organization = None
        if data["organization"]:
            # The field's choices are this place's organisations, so this exists.
            organization = Organization.objects.get(place=self.place, pk=data["organization"])
        location = None
        loc_data = {field: data[name] for name, field in self.LOCATION_FIELDS.items()}
        if any(loc_data[k] for k in ("name", "address_1", "postal_code")):
            sal = service.at_locations.select_related("location").first() if service else None
            location = services.location_save(
                viewer=viewer,
                place=self.place,
                data=loc_data,
                location=sal.location if sal else None,
            )
        values = {k: data[k] for k in services.SERVICE_FIELDS if k in data}
        values["referral_organisation_id"] = data["referral_organisation"]
        return services.service_save(
            viewer=viewer,
            place=self.place,
            data=values,
            service=service,
            organization=organization,
            term_ids=data["categories"],
            location=location,
        )

    def clean_url(self):
        url = self.cleaned_data["url"]
        if url and not url.startswith(("http://", "https://")):
            raise forms.ValidationError("Enter a web address starting with http:// or https://")
        return url

    def clean_languages(self):
        codes = [c.strip().lower() for c in self.cleaned_data["languages"].split(",") if c.strip()]
        if any(not c.isalpha() or len(c) > 3 for c in codes):
            raise forms.ValidationError("Enter language codes separated by commas, like en, ur")
        return sorted(set(codes))

    def clean_postal_code(self):
        raw = self.cleaned_data["postal_code"].strip()
        if raw and not geo.normalise_postcode(raw):
            raise forms.ValidationError("Enter a full UK postcode, like OL1 1AA")
        return geo.normalise_postcode(raw)

    def clean(self):
        data = super().clean()
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error(
                "maximum_age", "The oldest age must be the same as or more than the youngest"
            )
        if data.get("confidential") and not data.get("area"):
            self.add_error("area", "Enter the area to publish instead of the address")
        if data.get("referral_organisation") and not data.get("takes_referrals"):
            self.add_error(
                "takes_referrals", "Tick this if referrals can be sent to the partner you chose"
            )
        return data


class CommunityAreaForm(GovukForm):
    """Choose neighbourhoods (works without JavaScript) or draw an area on the map, or both."""

    neighbourhoods = forms.MultipleChoiceField(
        label="Which areas do you consider your community?",
        help_text="Choose all that apply",
        widget=forms.CheckboxSelectMultiple,
        choices=(),
        required=False,
    )
    drawn = forms.CharField(
        required=False,
        max_length=community.MAX_INPUT_CHARS,
        widget=forms.HiddenInput(attrs={"id": "drawn-value"}),
    )
    activities = forms.CharField(
        label="What happens in your community that matters to you?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, groups, places people meet, things neighbours do. "
        "Please do not include anyone's name",
    )

    def __init__(self, *args, place, **kwargs):
        super().__init__(*args, **kwargs)
        self.place = place
        self.fields["neighbourhoods"].choices = [
            (str(pk), name)
            for pk, name in Neighbourhood.objects.filter(place=place)
            .order_by("name")
            .values_list("pk", "name")
        ]

    def clean_drawn(self):
        raw = self.cleaned_data["drawn"].strip()
        return community.clean_drawn_area(raw, place=self.place) if raw else None

    def clean(self):
        data = super().clean()
        if not data.get("neighbourhoods") and not data.get("drawn") and "drawn" not in self.errors:
            self.add_error("neighbourhoods", "Choose at least one area, or draw yours on the map")
        return data


class ReferralForm(GovukForm):
    """Send a referral to a service, with the resident's consent to share their record."""

    reason = forms.CharField(
        label="Why would this service help them?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The service will read this. Write only what they need to know",
        error_messages={"required": "Say why this service would help them"},
    )
    consent = forms.BooleanField(
        label="They agreed to their record being shared for this referral",
        required=False,
    )
    method = forms.ChoiceField(
        label="How did they tell you?",
        choices=[c for c in ConsentMethod.choices if c[0] != ConsentMethod.REFERRER],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how they told you"},
    )

    def __init__(self, *args, receiver_name="", **kwargs):
        super().__init__(*args, **kwargs)
        if receiver_name:
            self.fields[
                "consent"
            ].label = (
                f"They agreed to their record being shared with {receiver_name} for this referral"
            )

    def clean_consent(self):
        if not self.cleaned_data["consent"]:
            raise forms.ValidationError(
                "You can only send a referral when they have agreed to their record being shared"
            )
        return True


class ReferralDecisionForm(GovukForm):
    decision = forms.ChoiceField(
        label="Your answer",
        choices=[("accept", "Accept the referral"), ("decline", "Decline the referral")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select accept or decline"},
    )
    note = forms.CharField(
        label="Note for the caseworker",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when you decline: say why, and what might help instead",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "decline" and not (data.get("note") or "").strip():
            self.add_error("note", "Say why you are declining")
        return data


MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # every upload has a size limit


class ImportForm(GovukForm):
    """Upload an ORUK/HSDS JSON file or a CSV, or name an ORUK feed's web address."""

    source = forms.ChoiceField(
        label="What are you importing?",
        choices=ImportSource.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what you are importing"},
    )
    file = forms.FileField(
        label="File",
        required=False,
        allow_empty_file=True,  # clean() refuses it, saying what was expected for the source
        help_text=_(
            "A .json file in the Open Referral UK layout (version 3.0 or 1), a .geojson file "
            "of points, an HSDS datapackage (.zip with datapackage.json and its CSV files), or "
            "a .csv file with a header row (UTF-8, or Excel's Windows-1252). Up to 50 MB"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.geojson,.zip,.csv,.txt"}),
    )
    url = forms.URLField(
        label="Web address of the feed",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="For example, https://example.org/oruk/services. Only if this server can "
        "reach it",
    )

    complete = forms.BooleanField(
        label=_("This is the whole feed from this source"),
        required=False,
        help_text=_(
            "Entries imported earlier from the same source that are not in this one are "
            "marked inactive (never deleted), and come back if a later import has them. Leave "
            "this unticked for a file of additions or changes"
        ),
    )
    source_name = forms.CharField(
        label=_("Name of the source (optional)"),
        required=False,
        max_length=300,
        help_text=_(
            "Use the same name each time you import from this source. Left empty, the feed's "
            "web address or the file's name is used"
        ),
    )

    def clean_source_name(self):
        return " ".join(self.cleaned_data["source_name"].split())

    def import_options(self) -> dict:
        """What the importer takes from this form beyond the feed itself."""
        return {
            "complete": self.cleaned_data.get("complete", False),
            "source_name": self.cleaned_data.get("source_name", ""),
        }

    def clean_url(self):
        url = self.cleaned_data["url"]
        if url and not url.startswith(("http://", "https://")):
            raise forms.ValidationError("Enter a web address starting with http:// or https://")
        return url

    def clean(self):
        data = super().clean()
        source, upload = data.get("source"), data.get("file")
        if source == ImportSource.URL:
            if not data.get("url") and "url" not in self.errors:
                self.add_error("url", "Enter the web address of the feed")
            return data
        if source and not upload:
            self.add_error("file", "Choose the file to import")
            return data
        if not upload:
            return data
        if upload.size > MAX_UPLOAD_BYTES:
            self.add_error("file", "The file must be smaller than 50 MB")
            return data
        raw = upload.read()
        upload.seek(0)
        why = upload_refusal(raw, upload.name or "", source)
        if why:
            self.add_error("file", why)
        return data


class CsvMappingForm(GovukForm):
    """Which column of the CSV holds each of our fields (guessed from the header row)."""

    LABELS = {
        "id": _("Id or reference, such as a charity number (keeps entries the same on re-import)"),
        "name": _("Name"),
        "description": _("Description"),
        "status": _("Status, or an active yes/no column"),
        "organization": _("Organisation"),
        "organization_url": _("Organisation website"),
        "url": _("Website"),
        "email": _("Email"),
        "phone": _("Phone"),
        "opening_hours": _("Opening hours"),
        "fees": _("Cost"),
        "eligibility": _("Who it is for"),
        "minimum_age": _("Youngest age"),
        "maximum_age": _("Oldest age"),
        "languages": _("Languages"),
        "accessibility": _("Accessibility"),
        "address_1": _("Address"),
        "city": _("Town or city"),
        "postcode": _("Postcode"),
        "latitude": _("Latitude"),
        "longitude": _("Longitude"),
        "category": _("Categories"),
    }
    HINTS = {
        "status": _(
            "Inactive, Closed or No keeps a service off the public directory; Temporarily "
            "closed shows it as closed"
        ),
        "phone": _(
            "Kept as the service's contact phone number; UK numbers are written the usual "
            "way, such as 0161 123 4567"
        ),
        "opening_hours": _(
            "Kept as written; weekly times such as Mon-Fri 9am-5pm, or several sessions such "
            "as Mon 9am-12pm, Wed 1-4pm, are also read as days and times"
        ),
        "fees": _("Free, £0 or No charge marks the service as free"),
        "languages": _("Names or codes, separated by commas"),
        "accessibility": _("Kept with the address"),
        "category": _("Names from this place's categories, separated by commas"),
    }

    def __init__(self, *args, headers, fields, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Not in this file"))] + [(h, h) for h in headers]
        for name in fields:
            self.fields[name] = forms.ChoiceField(
                label=self.LABELS.get(name, name),
                help_text=self.HINTS.get(name, ""),
                choices=choices,
                required=name == "name",
            )
            self.fields[name].error_messages["required"] = _("Choose the column that holds names")
        # The constructor of GovukFormMixin ran before these fields existed.
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("class", "govuk-select")
            field.widget.attrs.setdefault("id", f"id_{self.add_prefix(name)}")
