"""Showing an edit conflict: what is saved now beside what this person typed.

Every edit form with an optimistic version uses these, so a conflict reads the same on a
resident's record and on a learning barrier: labels, dates in words, choices by their label.
"""

import datetime

from django.forms import ModelChoiceField
from django.forms.models import model_to_dict


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
