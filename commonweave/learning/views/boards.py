"""Keep / Amplify / Discard / Create boards: the list, a board and its cards, votes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .. import rules, selectors, services
from ..forms import (
    BoardForm,
    CardForm,
    apply_errors,
)
from ._common import staff


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
