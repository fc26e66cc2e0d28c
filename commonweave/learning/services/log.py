"""The learning log (reflections, test-and-learn cycles) and Keep / Amplify / Discard /
Create boards with votes. About how the partnership works, not about residents: not
audited per write; edits are guarded by version."""

from django.core.exceptions import ValidationError
from django.db import transaction

from commonweave.core.versioning import check_version, guarded_update

from .. import rules
from ..enums import Column, EntryKind
from ..models import Board, Card, LogEntry, Tag, Vote
from ..selectors import require_staff
from ._common import allowed, clean, own_place, required


def _tags(place, raw):
    """Themes from "a, b" (a form) or ["a", "b"] (the API): trimmed, lower case, once each."""
    parts = (raw or "").split(",") if isinstance(raw, str) else raw
    names = []
    for part in parts:
        name = " ".join(part.split()).lower()[:60]
        if name and name not in names:
            names.append(name)
    return [Tag.objects.get_or_create(place=place, name=name)[0] for name in names]


def _check_entry(viewer, kind, title, texts, barriers):
    if kind not in EntryKind.values:
        raise ValidationError({"kind": "Choose a reflection or a test-and-learn cycle"})
    required(title=title)
    if kind == EntryKind.REFLECTION:
        required(body=texts["body"])
    else:
        required(tried=texts["tried"], learnt=texts["learnt"])
    for barrier in barriers:
        own_place(viewer, barrier)


@transaction.atomic
def log_entry_create(
    *,
    viewer,
    kind,
    title,
    body="",
    tried="",
    happened="",
    learnt="",
    will_change="",
    tags="",
    barriers=(),
) -> LogEntry:
    require_staff(viewer)
    texts = {"body": body, "tried": tried, "happened": happened, "learnt": learnt}
    texts["will_change"] = will_change
    _check_entry(viewer, kind, title, texts, barriers)
    entry = LogEntry.objects.create(
        place=viewer.place,
        kind=kind,
        title=title.strip(),
        **{name: clean(value) for name, value in texts.items()},
        organisation_id=viewer.primary_org_id,
        created_by=viewer.user,
    )
    entry.tags.set(_tags(viewer.place, tags))
    entry.barriers.set(barriers)
    return entry


@transaction.atomic
def log_entry_update(
    *,
    viewer,
    entry,
    version,
    kind,
    title,
    body="",
    tried="",
    happened="",
    learnt="",
    will_change="",
    tags="",
    barriers=(),
) -> LogEntry:
    """Rewrite an entry, its themes and barriers; guarded by `version`. Only its author,
    their organisation or a place admin."""
    require_staff(viewer)
    own_place(viewer, entry)
    allowed(rules.can_change_entry, viewer, entry)
    texts = {"body": body, "tried": tried, "happened": happened, "learnt": learnt}
    texts["will_change"] = will_change
    _check_entry(viewer, kind, title, texts, barriers)
    guarded_update(
        entry,
        version,
        kind=kind,
        title=title.strip(),
        **{name: clean(value) for name, value in texts.items()},
    )
    entry.tags.set(_tags(viewer.place, tags))
    entry.barriers.set(barriers)
    return entry


@transaction.atomic
def log_entry_delete(*, viewer, entry, version) -> None:
    require_staff(viewer)
    own_place(viewer, entry)
    allowed(rules.can_change_entry, viewer, entry)
    check_version(entry, version)
    entry.delete()


@transaction.atomic
def board_create(*, viewer, title, session=None) -> Board:
    require_staff(viewer)
    required(title=title)
    if session is not None:
        own_place(viewer, session)
    return Board.objects.create(
        place=viewer.place, title=title.strip(), session=session, created_by=viewer.user
    )


def _check_card(column, text):
    if column not in Column.values:
        raise ValidationError({"column": "Choose Keep, Amplify, Discard or Create"})
    required(text=text)
    if len(text.strip()) > 500:
        raise ValidationError({"text": "Use 500 characters or fewer"})


@transaction.atomic
def card_add(*, viewer, board, column, text) -> Card:
    require_staff(viewer)
    own_place(viewer, board)
    _check_card(column, text)
    return Card.objects.create(
        board=board, column=column, text=text.strip(), created_by=viewer.user
    )


@transaction.atomic
def card_update(*, viewer, card, version, column, text) -> dict:
    """Move a card or change its words (its author or a place admin). New words clear its
    votes: people voted for what it said. Returns {"votes_cleared": n}."""
    require_staff(viewer)
    own_place(viewer, card.board)
    allowed(rules.can_change_card, viewer, card)
    _check_card(column, text)
    new_words = text.strip() != card.text
    guarded_update(card, version, column=column, text=text.strip())
    cleared = Vote.objects.filter(card=card).delete()[0] if new_words else 0
    return {"votes_cleared": cleared}


@transaction.atomic
def card_delete(*, viewer, card, version) -> None:
    require_staff(viewer)
    own_place(viewer, card.board)
    allowed(rules.can_change_card, viewer, card)
    check_version(card, version)
    card.delete()


@transaction.atomic
def card_vote(*, viewer, card, vote=None) -> bool:
    """Vote for a card (`vote=True`), take the vote back (False) or toggle it (None).
    One vote per person per card; returns True if they now vote for it."""
    require_staff(viewer)
    own_place(viewer, card.board)
    if viewer.user is None:
        raise ValidationError({"card": "Votes come from people, not systems"})
    mine = Vote.objects.filter(card=card, user=viewer.user)
    if vote is None:
        vote = not mine.exists()
    if not vote:
        mine.delete()
    else:
        Vote.objects.get_or_create(card=card, user=viewer.user)
    return vote
