"""What the directory's API modules share: who may do what (a 404 otherwise, as on the
pages), a page's form errors as the API's 400, and small output helpers."""

from django.http import Http404

from commonweave.core.api.errors import InvalidInput

from .. import referrals, services

# A form's "not one of the choices" message repeats what was sent; ours names the field.
CHOICE_MESSAGES = {
    "invalid_choice": "Choose one of the place's own values for this",
    "invalid_pk_value": "Choose one of the place's own values for this",
}


def editor(viewer):
    """A coordinator or place admin (the directory's editors), else 404 as on the pages."""
    if not services.can_edit(viewer):
        raise Http404
    return viewer


def caseworker(viewer):
    """A catalyst or coordinator: may connect and refer residents their organisation holds."""
    if not viewer.can_do_casework:
        raise Http404
    return viewer


def receiver(viewer):
    """Someone whose organisation may receive referrals through Commonweave."""
    if not referrals.receiving_org_ids(viewer):
        raise Http404
    return viewer


def raise_form_errors(form, rename=None):
    """A page's invalid form -> 400 naming the API's fields (never echoing the input)."""
    rename = rename or {}
    errors = []
    for name, problems in form.errors.as_data().items():
        field = "__all__" if name == "__all__" else rename.get(name, name)
        for problem in problems:
            message = CHOICE_MESSAGES.get(problem.code) or " ".join(problem.messages)
            errors.append((field, message))
    raise InvalidInput(errors)


def named(obj):
    """{"id", "name"} of an entry, an organisation or a partner, or None."""
    return None if obj is None else {"id": obj.pk, "name": str(obj.name)}
