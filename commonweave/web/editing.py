"""Showing an edit conflict: what is saved now beside what this person typed.

Every edit form with an optimistic version uses these, so a conflict reads the same on a
resident's record and on a learning barrier: labels, dates in words, choices by their label.
"""

import datetime

from django.forms import ModelChoiceField
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

# What an edit page says when someone else saved first (the form keeps what was typed).
EDIT_CONFLICT_MESSAGE = _(
    "Someone else saved changes to this while you were working. Nothing of yours is saved "
    "yet: check what they changed, then save again."
)
REMOVE_CONFLICT_MESSAGE = _(
    "Someone else changed this after you opened this page. Check it is still what you "
    "want to remove, then confirm again."
)


def shown(form, name, value):
    """A value as a person reads it: a choice's label, a date in words, empty as empty."""
    field = form.fields.get(name)
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.date):
        return f"{value:%-d %B %Y}"
    choices = getattr(field, "choices", None)
    if choices is not None and not isinstance(field, ModelChoiceField):
        return str(dict(choices).get(value, value))
    return str(value)


def conflict_rows(form, current, names):
    """Fields where what is saved now differs from what this person typed (for
    web/_conflict.html)."""
    rows = []
    for name in names:
        saved = shown(form, name, getattr(current, name))
        yours = shown(form, name, form.cleaned_data.get(name))
        if saved != yours:
            rows.append({"label": form.fields[name].label, "saved": saved, "yours": yours})
    return rows


def versioned_initial(obj, fields, **extra):
    """An edit form's starting values: the object's `fields` (foreign keys as ids) and the
    version the edit starts from, which the save checks."""
    return {**model_to_dict(obj, fields=[*fields, "version"]), **extra}
