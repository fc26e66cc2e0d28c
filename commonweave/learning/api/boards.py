"""Keep / Amplify / Discard / Create review boards: anyone on the staff of the place adds
boards and cards and votes (people vote, not tokens); a card's author or a place admin
moves, rewords or removes it (learning.rules)."""

from django.http import Http404
from ninja.responses import Status

from commonweave.core.api.conflicts import answers_conflict
from commonweave.core.api.errors import InvalidInput, service_errors
from commonweave.core.api.pagination import PageParams, paginate
from commonweave.core.api.schemas import Conflict, Detail, Errors

from .. import rules, selectors, services
from ..models import Session
from . import router
from ._out import board_out, board_summary, card_out
from .schemas import BoardIn, BoardOut, BoardPage, CardIn, CardOut, CardPatch

BAD = {400: Errors, 404: Detail}
CHANGE = {400: Errors, 404: Detail, 409: Conflict}
CARD = "/learning/boards/{public_id}/cards/{card_id}"


def _card(viewer, public_id, card_id):
    board = selectors.board_get(viewer, public_id)
    return board, selectors.card_get(viewer, board, card_id)


def _card_now(viewer, card):
    return card_out(viewer, selectors.card_with_votes(viewer, card))


def _current(request, card):
    return _card_now(request.auth, card)


@router.get("/learning/boards", response={200: BoardPage, 404: Detail})
def board_list(request, paging: PageParams):
    """Review boards in the place, newest first, with how many cards each has."""
    rows, envelope = paginate(selectors.boards_for(request.auth), paging)
    return {**envelope, "items": [board_summary(b) for b in rows]}


@router.post("/learning/boards", response={201: BoardOut, **BAD})
def board_create(request, payload: BoardIn):
    viewer = request.auth
    selectors.require_staff(viewer)
    session = None
    if payload.session_id:
        session = Session.objects.filter(place=viewer.place, public_id=payload.session_id).first()
        if session is None:
            raise InvalidInput({"session_id": "There is no session with that id"})
    with service_errors():
        board = services.board_create(viewer=viewer, title=payload.title, session=session)
    return Status(201, board_out(viewer, selectors.board_get(viewer, board.public_id)))


@router.get("/learning/boards/{public_id}", response={200: BoardOut, 404: Detail})
def board_detail(request, public_id: str):
    """A board's four columns, each card with its votes, most votes first."""
    viewer = request.auth
    return board_out(viewer, selectors.board_get(viewer, public_id))


@router.post("/learning/boards/{public_id}/cards", response={201: CardOut, **BAD})
def card_create(request, public_id: str, payload: CardIn):
    viewer = request.auth
    board = selectors.board_get(viewer, public_id)
    with service_errors():
        card = services.card_add(
            viewer=viewer, board=board, column=payload.column, text=payload.text
        )
    return Status(201, _card_now(viewer, card))


@router.patch(CARD, response={200: CardOut, **CHANGE})
@answers_conflict(_current)
def card_update(request, public_id: str, card_id: int, payload: CardPatch):
    """Move a card to another column or change its words (its author or a place admin).
    New words clear its votes; moving it keeps them."""
    viewer = request.auth
    _, card = _card(viewer, public_id, card_id)
    if not rules.can_change_card(viewer, card):
        raise Http404
    given = payload.model_dump(exclude_unset=True, exclude={"version"})
    with service_errors():
        services.card_update(
            viewer=viewer,
            card=card,
            version=payload.version,
            column=given.get("column", card.column),
            text=given.get("text", card.text),
        )
    return _card_now(viewer, card)


@router.delete(CARD, response={204: None, **CHANGE})
@answers_conflict(_current)
def card_delete(request, public_id: str, card_id: int, version: int):
    viewer = request.auth
    _, card = _card(viewer, public_id, card_id)
    with service_errors():
        services.card_delete(viewer=viewer, card=card, version=version)
    return Status(204, None)


def _vote(request, public_id, card_id, vote):
    viewer = request.auth
    _, card = _card(viewer, public_id, card_id)
    with service_errors(card="card_id"):
        services.card_vote(viewer=viewer, card=card, vote=vote)
    return _card_now(viewer, card)


@router.put(CARD + "/vote", response={200: CardOut, **BAD})
def card_vote(request, public_id: str, card_id: int):
    """Vote for a card (once; voting again changes nothing). Votes come from people: a
    token's call is a 400."""
    return _vote(request, public_id, card_id, True)


@router.delete(CARD + "/vote", response={200: CardOut, **BAD})
def card_unvote(request, public_id: str, card_id: int):
    """Take your vote back (if you had not voted, nothing changes)."""
    return _vote(request, public_id, card_id, False)
