"""The learning home page and each organisation's actions: the list and their status."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from commonweave.core.versioning import Conflict

from .. import rules, selectors, services
from ..enums import ActionStatus
from ..forms import (
    ActionStatusForm,
)
from ._common import paginate, staff


@login_required
def home(request):
    viewer = staff(request)
    mine = [o for o in selectors.actions_by_organisation(viewer) if o.pk in viewer.member_org_ids]
    return render(request, "learning/home.html", {"mine": mine})


@login_required
def action_list(request):
    viewer = staff(request)
    organisations = selectors.actions_by_organisation(viewer)
    wanted = request.GET.get("organisation", "")
    chosen = next((o for o in organisations if str(o.pk) == wanted), None)
    if chosen is None:
        chosen = next((o for o in organisations if o.pk == viewer.primary_org_id), None)
    only_open = request.GET.get("all") != "1"
    actions = selectors.actions_for(
        viewer, organisation_id=chosen.pk if chosen else None, only_open=only_open
    )
    context = paginate(
        request,
        actions,
        {"organisation": chosen.pk if chosen else "", "all": "" if only_open else "1"},
        per_page=25,  # each action is a card with its own status form
    )
    context.update(
        organisations=organisations,
        chosen=chosen,
        only_open=only_open,
        today=timezone.localdate(),
        rights=_rights(viewer, context["page"]),
        statuses=ActionStatus.choices,
    )
    return render(request, "learning/action_list.html", context)


def _rights(viewer, actions):
    return {
        a.pk: (rules.can_change_action(viewer, a), rules.can_delete_action(viewer, a))
        for a in actions
    }


@require_POST
@login_required
def action_status(request, public_id):
    """Change an action's status. With htmx only that action's card is swapped, carrying
    the outcome; without JavaScript the list page is shown again with a message."""
    viewer = staff(request)
    action = selectors.action_get(viewer, public_id)
    form = ActionStatusForm(request.POST)
    note, ok = "Choose a status", False
    if form.is_valid():
        try:
            services.action_set_status(viewer=viewer, action=action, **form.cleaned_data)
        except Conflict as conflict:
            action = selectors.action_get(viewer, conflict.current.public_id)
            note = (
                "Someone else changed this action while you were looking. Its status now is "
                f"“{action.get_status_display()}”: change it again if you need to."
            )
        else:
            note, ok = "Action updated", True
    if request.htmx:
        return render(
            request,
            "learning/action_list.html#action",
            {
                "action": action,
                "rights": _rights(viewer, [action]),
                "statuses": ActionStatus.choices,
                "note": note,
                "ok": ok,
            },
        )
    (messages.success if ok else messages.error)(request, note)
    return redirect(f"/learning/actions/?organisation={action.owner_organisation_id}")
