"""Forms for the value library and recipes. Shares (deadweight, attribution, drop-off) are
typed as percentages and kept as typed when anything is wrong; the services check the
recipe as a whole and their errors are shown beside the field they name."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from commonweave.web.forms import GovukForm

from .enums import ChangeMeasure, ValueBasis
from .recipes import MAX_PEOPLE, MAX_YEARS

HUNDRED = Decimal("100")


def _number(label, help_text="", *, places=4, digits=9):
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        max_digits=digits,
        decimal_places=places,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter a number"),
            "invalid": _("Enter a number, like 0.5 or -1.25"),
        },
    )


def _percent(label, help_text=""):
    field = _number(label, help_text, places=2, digits=5)
    field.widget.attrs["class"] = "govuk-input--width-4"
    field.error_messages["invalid"] = _("Enter a percentage, like 20")
    return field


def _source(label):
    return forms.CharField(
        label=label,
        required=False,
        max_length=1000,
        help_text=_("Leave blank to record it as your own assumption, today"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _whole(label, help_text="", *, least=1, most):
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=least,
        max_value=most,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-10"}),
        error_messages={
            "required": _("Enter a whole number"),
            "invalid": _("Enter a whole number"),
            "min_value": _("Enter a number from %(limit_value)s"),
            "max_value": _("Enter a number up to %(limit_value)s"),
        },
    )


class RecipeForm(GovukForm):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example: Life satisfaction, Connect cohort 2025"),
        error_messages={"required": _("Give the figure a title")},
    )
    value = forms.ChoiceField(
        label=_("Value"),
        help_text=_(
            "From the value library: its unit, price year and source are shown on the receipt"
        ),
        error_messages={"required": _("Choose a value"), "invalid_choice": _("Choose a value")},
    )
    cohort_label = forms.CharField(
        label=_("Cohort"),
        max_length=200,
        help_text=_("Whose change this is, as the cohort is named where its numbers come from"),
        error_messages={"required": _("Name the cohort")},
    )
    measure = forms.ChoiceField(
        label=_("Measure the change is on"),
        choices=ChangeMeasure.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the measure")},
    )
    n = _whole(_("People in the cohort"), least=1, most=MAX_PEOPLE)
    mean_change = _number(
        _("Mean change"),
        _(
            "In points of the measure; for a value per person, the share who made the "
            "change (0 to 1)"
        ),
    )
    ci_low = _number(_("95% confidence interval: low end"))
    ci_high = _number(_("95% confidence interval: high end"))
    quantity_source = forms.CharField(
        label=_("Where these numbers come from"),
        max_length=1000,
        help_text=_("The published cohort table, its date and its filters"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say where the numbers come from")},
    )
    deadweight = _percent(_("Deadweight (%)"), _("The share that would have happened anyway"))
    deadweight_source = _source(_("Source of the deadweight"))
    attribution = _percent(_("Attribution (%)"), _("The share that is the partnership's doing"))
    attribution_source = _source(_("Source of the attribution"))
    duration_years = _whole(_("Duration in years"), least=1, most=MAX_YEARS)
    duration_source = _source(_("Source of the duration"))
    drop_off = _percent(_("Drop-off each year after the first (%)"))
    drop_off_source = _source(_("Source of the drop-off"))
    # The figure this one corrects (its public id): the new one is its next version.
    previous = forms.CharField(required=False, max_length=12, widget=forms.HiddenInput)
    uprate_to = forms.ChoiceField(
        label=_("Prices"),
        required=False,
        help_text=_("Keep the value's own price year, or uprate with the GDP deflator"),
    )

    def __init__(self, *args, values, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = [("", _("Choose a value"))] + [
            (
                value.public_id,
                f"{value.name} — £{value.value:,.0f} {value.unit}"
                + (f" ({_('context only')})" if value.context_only else ""),
            )
            for value in values
        ]
        self.fields["uprate_to"].choices = [("", _("The value's own price year"))] + [
            (str(year), _("%(year)s prices") % {"year": year}) for year in years
        ]
        self.fields["attribution"].initial = "100"
        self.fields["deadweight"].initial = "0"
        self.fields["drop_off"].initial = "0"
        self.fields["duration_years"].initial = 1

    @staticmethod
    def initial_from(recipe) -> dict:
        """What the form starts with to correct `recipe`: everything it was made from."""

        def as_percent(share):
            return f"{(share * HUNDRED).normalize():f}"

        return {
            "title": recipe.title,
            "value": recipe.social_value.public_id,
            "cohort_label": recipe.cohort_label,
            "measure": recipe.measure,
            "n": recipe.n,
            "mean_change": f"{recipe.mean_change.normalize():f}",
            "ci_low": f"{recipe.ci_low.normalize():f}",
            "ci_high": f"{recipe.ci_high.normalize():f}",
            "quantity_source": recipe.quantity_source,
            "deadweight": as_percent(recipe.deadweight),
            "deadweight_source": recipe.deadweight_source,
            "attribution": as_percent(recipe.attribution),
            "attribution_source": recipe.attribution_source,
            "duration_years": recipe.duration_years,
            "duration_source": recipe.duration_source,
            "drop_off": as_percent(recipe.drop_off),
            "drop_off_source": recipe.drop_off_source,
            "uprate_to": str(recipe.uprate_to or ""),
            "previous": recipe.public_id,
        }

    def clean(self):
        data = super().clean()
        for name in ("deadweight", "attribution", "drop_off"):
            if data.get(name) is not None and not 0 <= data[name] <= HUNDRED:
                self.add_error(name, _("Enter a share between 0 and 100 per cent"))
        return data

    def shares(self) -> dict[str, Decimal]:
        data = self.cleaned_data
        return {name: data[name] / HUNDRED for name in ("deadweight", "attribution", "drop_off")}


class LocalValueForm(GovukForm):
    """A value the place loads itself, e.g. from a licensed value bank."""

    name = forms.CharField(label=_("Name"), max_length=200)
    value = _number(_("Value (£)"), places=2, digits=14)
    low = _number(
        _("Low end of its range (£)"),
        _("The value itself if no range is published"),
        places=2,
        digits=14,
    )
    high = _number(
        _("High end of its range (£)"),
        _("The value itself if no range is published"),
        places=2,
        digits=14,
    )
    unit = forms.CharField(
        label=_("Unit"), max_length=200, help_text=_("For example: per person per year")
    )
    basis = forms.ChoiceField(
        label=_("What one unit is"), choices=ValueBasis.choices, widget=forms.RadioSelect
    )
    measure = forms.ChoiceField(
        label=_("Applies only to"),
        required=False,
        choices=[("", _("Any measure"))] + list(ChangeMeasure.choices),
    )
    price_year = _whole(_("Price year"), least=1900, most=2100)
    source_title = forms.CharField(label=_("Source"), max_length=300)
    source_publisher = forms.CharField(label=_("Publisher"), max_length=200)
    source_url = forms.URLField(label=_("Address of the source"), max_length=500, required=False)
    source_table = forms.CharField(label=_("Table or page"), max_length=300, required=False)
    source_note = forms.CharField(
        label=_("Notes on the source"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    licence = forms.CharField(
        label=_("Licence"),
        max_length=200,
        help_text=_("For example: HACT Social Value Bank licence"),
    )
    may_redistribute = forms.BooleanField(
        label=_("Its licence lets us publish it in exports and reports"), required=False
    )
    licence_confirmed = forms.BooleanField(
        label=_("I confirm that our organisation holds the licence to use this value"),
        error_messages={
            "required": _("Confirm that your organisation holds the licence for this value")
        },
    )
