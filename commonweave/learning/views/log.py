"""The learning log: searching it and adding to it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from .. import rules, selectors, services
from ..enums import EntryKind
from ..forms import (
    LogEntryForm,
    apply_errors,
)
from ..models import Barrier
from ._common import paginate, staff


@login_required
def log_list(request):
    viewer = staff(request)
    q = request.GET.get("q", "").strip()[:200]
    tag = request.GET.get("tag", "").strip()[:60]
    kind = request.GET.get("kind", "") if request.GET.get("kind") in EntryKind.values else ""
    context = paginate(
        request,
        selectors.log_search(viewer, q=q, tag=tag, kind=kind),
        {"q": q, "tag": tag, "kind": kind},
    )
    context.update(
        q=q,
        tag=tag,
        kind=kind,
        kinds=EntryKind.choices,
        changeable={e.pk for e in context["page"] if rules.can_change_entry(viewer, e)},
    )
    return render(request, "learning/log_list.html", context)


@login_required
def log_new(request):
    viewer = staff(request)
    barriers = Barrier.objects.active().filter(place=viewer.place).order_by("-updated_at")[:30]
    barriers = Barrier.objects.filter(pk__in=[b.pk for b in barriers]).order_by("title")
    form = LogEntryForm(request.POST or None, barriers=barriers)
    if request.method == "POST" and form.is_valid():
        try:
            services.log_entry_create(viewer=viewer, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Added to the learning log")
            return redirect("learning:log")
    return render(
        request, "learning/log_new.html", {"form": form}, status=400 if form.errors else 200
    )
