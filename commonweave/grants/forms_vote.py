"""Forms of the public vote (vote.py) and of the runners' voter-codes page. What a resident
typed is kept on a refused vote; the checks themselves are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from commonweave.web.forms import GovukForm

from . import vote


class VoteForm(GovukForm):
    """A voting code and the resident's choices: ticks (`choices`), or points for each
    project (`points_<ref>`) when the round shares out points."""

    code = forms.CharField(
        label=_("Your voting code"),
        max_length=vote.LONGEST_TYPED,
        help_text=_("It is on your voting card or in your text message. It looks like KX7F-M2QP"),
        error_messages={"required": _("Enter your voting code")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
    )

    def __init__(self, *args, projects, points: int | None, most: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.projects = projects
        self.points = points
        if points:
            for project in projects:
                self.fields[f"points_{project.ref}"] = forms.CharField(
                    label=project.title,
                    required=False,
                    max_length=6,
                    widget=forms.TextInput(
                        attrs={
                            "inputmode": "numeric",
                            "class": "govuk-input govuk-input--width-3",
                            "autocomplete": "off",
                        }
                    ),
                )
        else:
            label = (
                ngettext_lazy(
                    "Choose up to %(most)d project", "Choose up to %(most)d projects", most
                )
                % {"most": most}
                if most
                else _("Choose every project you want to see happen")
            )
            self.fields["choices"] = forms.MultipleChoiceField(
                label=label,
                required=False,
                choices=[(p.ref, p.title) for p in projects],
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": _("Choose from the projects on this page")},
            )

    def point_fields(self):
        return [(p, self[f"points_{p.ref}"]) for p in self.projects]

    def clean(self):
        data = super().clean()
        if self.points:
            for project in self.projects:
                name = f"points_{project.ref}"
                value = (data.get(name) or "").strip()
                if value and not (value.isascii() and value.isdigit()):
                    self.add_error(name, _("Write a whole number, like 3, or leave it empty"))
        return data

    def ballot(self) -> list[str] | dict[str, int]:
        """The choices as the vote service takes them."""
        if not self.points:
            return list(self.cleaned_data.get("choices") or [])
        given = {}
        for project in self.projects:
            value = (self.cleaned_data.get(f"points_{project.ref}") or "").strip()
            if value.isascii() and value.isdigit() and int(value):
                given[project.ref] = int(value)
        return given


class CodesForm(GovukForm):
    how_many = forms.CharField(
        label=_("How many codes to make"),
        max_length=6,
        help_text=_("Between 1 and 2000. Each code votes once."),
        error_messages={"required": _("Say how many codes to make")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": "govuk-input--width-4", "autocomplete": "off"}
        ),
    )
