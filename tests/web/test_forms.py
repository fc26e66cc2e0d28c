import datetime

from django import forms
from django.template import Context, Template

from commonweave.web.forms import GovukDateField, GovukForm


class SampleForm(GovukForm):
    name = forms.CharField(label="Full name", help_text="As they would like it written")
    born = GovukDateField(label="Date of birth", required=False, past_only=True)
    urgency = forms.ChoiceField(
        choices=[("routine", "Routine"), ("urgent", "Urgent")], widget=forms.RadioSelect
    )
    notes = forms.CharField(widget=forms.Textarea, required=False)


def render(form):
    return Template(
        "{% include 'web/forms/error_summary.html' %}"
        "{% for field in form %}{% include 'web/forms/field.html' with field=field %}{% endfor %}"
    ).render(Context({"form": form}))


def test_invalid_form_shows_each_error_next_to_its_field_and_keeps_input():
    form = SampleForm(
        data={
            "name": "",
            "born_day": "31",
            "born_month": "2",
            "born_year": "1950",
            "notes": "Lives alone <b>",
        }
    )
    assert not form.is_valid()
    html = render(form)
    assert 'class="govuk-error-summary"' in html
    assert 'id="id_name-error"' in html
    assert "Enter a real date" in html
    assert 'href="#id_born_day"' in html
    assert 'value="31"' in html  # what they typed is kept
    assert "Lives alone &lt;b&gt;" in html  # and escaped
    assert "govuk-input--error" in html


def test_date_field_accepts_a_real_date_and_refuses_the_future():
    ok = SampleForm(
        data={
            "name": "A",
            "urgency": "routine",
            "born_day": "27",
            "born_month": "3",
            "born_year": "1950",
        }
    )
    assert ok.is_valid(), ok.errors
    assert ok.cleaned_data["born"] == datetime.date(1950, 3, 27)
    future = SampleForm(
        data={
            "name": "A",
            "urgency": "routine",
            "born_day": "1",
            "born_month": "1",
            "born_year": str(datetime.date.today().year + 1),
        }
    )
    assert not future.is_valid()
    assert future.errors["born"] == ["The date must be in the past"]


def test_two_prefixed_forms_on_one_page_never_share_an_id():
    first = render(SampleForm(data={"one-name": ""}, prefix="one"))
    second = render(SampleForm(data={"two-name": ""}, prefix="two"))
    assert 'id="id_one-name"' in first and 'id="id_two-name"' in second
    assert 'for="id_one-name"' in first
    assert 'id="id_one-name-error"' in first and 'aria-describedby="id_one-name-hint' in first
