from django import forms

from commonweave.web.forms import GovukForm

from . import geo
from .enums import AssetKind, FollowUpOutcome
from .models import Neighbourhood, TaxonomyTerm

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
        self.fields["category"].choices = [("", "Any category")] + [
            (str(t.id), t.name) for t in TaxonomyTerm.objects.filter(place=place).order_by("name")
        ]
        hoods = Neighbourhood.objects.filter(place=place).order_by("name")
        self.fields["neighbourhood"].choices = [("", "Anywhere")] + [
            (str(n.pk), n.name) for n in hoods
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
