"""Actions per organisation, the learning log, Keep/Amplify/Discard/Create boards and the
partnership's set-up."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import rules, selectors, services
from ..enums import ActionStatus, EntryKind
from ..forms import (
    ActionStatusForm,
    BoardForm,
    CardForm,
    LogEntryForm,
    PartnershipForm,
    PhaseForm,
    apply_errors,
)
from ..models import Barrier
from ._common import CONFLICT_MESSAGE, paginate, staff


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
        except services.Conflict as conflict:
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


@login_required
def board_list(request):
    viewer = staff(request)
    form = BoardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        board = services.board_create(viewer=viewer, **form.cleaned_data)
        return redirect("learning:board_detail", board.public_id)
    return render(
        request,
        "learning/board_list.html",
        {"boards": selectors.boards_for(viewer), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def board_detail(request, public_id):
    viewer = staff(request)
    board = selectors.board_get(viewer, public_id)
    form = CardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.card_add(viewer=viewer, board=board, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Card added")
            return redirect("learning:board_detail", board.public_id)
    columns = selectors.board_columns(board, viewer)
    return render(
        request,
        "learning/board_detail.html",
        {
            "board": board,
            "columns": columns,
            "form": form,
            "changeable": {
                c.pk for _, cards in columns for c in cards if rules.can_change_card(viewer, c)
            },
        },
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def card_vote(request, public_id, card_id):
    """Vote for a card or take the vote back. With htmx only the card is swapped."""
    viewer = staff(request)
    board = selectors.board_get(viewer, public_id)
    card = selectors.card_get(viewer, board, card_id)
    try:
        services.card_vote(viewer=viewer, card=card)
    except ValidationError:
        raise Http404 from None
    if request.htmx:
        card = selectors.card_with_votes(viewer, card)
        return render(
            request,
            "learning/board_detail.html#card",
            {
                "board": board,
                "card": card,
                "changeable": {card.pk} if rules.can_change_card(viewer, card) else set(),
            },
        )
    return redirect("learning:board_detail", board.public_id)


SETUP_LABELS = {
    "challenge": "Challenge",
    "aims": "Aims",
    "values": "Values",
    "partners": "Partners",
    "governance": "Governance",
}


@login_required
def partnership(request):
    """The set-up and phase for everyone in the place; place admins change them. A set-up
    saved by someone else meanwhile is not overwritten: the form comes back (409) with
    what this person typed, on top of the current version."""
    viewer = staff(request)
    current = selectors.partnership_for(viewer)
    edit_form = phase_form = None
    which = request.POST.get("form")
    status = 200
    if rules.can_change_partnership(viewer):
        edit_form = PartnershipForm(
            request.POST if which == "setup" else None,
            initial={name: getattr(current, name) for name in SETUP_LABELS}
            | {"version": current.version},
            prefix="setup",
        )
        phase_form = PhaseForm(
            request.POST if which == "phase" else None,
            initial={"phase": viewer.place.phase},
            prefix="phase",
        )
    if request.method == "POST":
        if not rules.can_change_partnership(viewer):
            raise Http404
        form = edit_form if which == "setup" else phase_form
        status = 400
        if form.is_valid():
            try:
                if form is edit_form:
                    services.partnership_update(viewer=viewer, **form.cleaned_data)
                else:
                    services.partnership_set_phase(viewer=viewer, **form.cleaned_data)
            except services.Conflict as conflict:
                current = conflict.current
                data = request.POST.copy()
                data[edit_form.add_prefix("version")] = str(current.version)
                edit_form = PartnershipForm(data, prefix="setup")
                edit_form.is_valid()
                edit_form.add_error(None, CONFLICT_MESSAGE)
                status = 409
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Partnership updated")
                return redirect("learning:partnership")
    viewer.place.refresh_from_db(fields=["phase"])
    response = render(
        request,
        "learning/partnership.html",
        {
            "partnership": current,
            "organisations": services.organisations_in(viewer),
            "history": selectors.partnership_history(viewer),
            "labels": SETUP_LABELS,
            "edit_form": edit_form,
            "phase_form": phase_form,
            "place": viewer.place,
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response
