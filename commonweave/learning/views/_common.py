from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from commonweave.core.versioning import Conflict
from commonweave.web.editing import (
    EDIT_CONFLICT_MESSAGE,
    REMOVE_CONFLICT_MESSAGE,
    conflict_rows,
)

from ..forms import ConfirmForm, apply_errors
from ..selectors import require_staff

PER_PAGE = 50


def staff(request):
    """The signed-in viewer, staff of the current place in any role; others get a 404."""
    return require_staff(request.viewer)


def paginate(request, queryset, extra_params=None, *, per_page=PER_PAGE):
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    params = {k: v for k, v in (extra_params or {}).items() if v}
    return {
        "page": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=1)),
        "page_query": urlencode(params) + "&" if params else "",
    }


# --- editing and removing, with optimistic versions -----------------------------------------


def _rebound(form, version):
    """The person's input again, now based on the current version."""
    data = form.data.copy()
    data[form.add_prefix("version")] = str(version)
    again = type(form)(data, **form.init_kwargs)
    again.is_valid()
    return again


def edit_page(request, *, form, obj, save, template, context, success, next_url, compare):
    """GET shows `form` (built with the object's current values and version); a valid POST
    calls save(cleaned_data) and goes to next_url. If someone saved first, the page answers
    409 with what is saved now beside what this person typed, and keeps their input."""
    status, rows = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                save(form.cleaned_data)
            except Conflict as conflict:
                rows = conflict_rows(form, conflict.current, compare)
                form = _rebound(form, conflict.current.version)
                form.add_error(None, EDIT_CONFLICT_MESSAGE)
                status = 409
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, success)
                return redirect(next_url)
    response = render(
        request, template, {**context, "form": form, "conflict_rows": rows}, status=status
    )
    response["Cache-Control"] = "no-store"
    return response


def remove_page(request, *, obj, remove, context, success, next_url):
    """GET asks for confirmation (with the version seen); POST removes. A change made
    meanwhile sends the person back to look again (409); nothing is removed unseen."""
    form = ConfirmForm(request.POST or None, initial={"version": obj.version})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                remove(form.cleaned_data["version"])
            except Conflict as conflict:
                obj = conflict.current
                form = ConfirmForm({"version": obj.version})
                form.is_valid()
                form.add_error(None, REMOVE_CONFLICT_MESSAGE)
                status = 409
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, success)
                return redirect(next_url)
    response = render(
        request,
        "learning/confirm_remove.html",
        {**context, "form": form, "obj": obj},
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response
