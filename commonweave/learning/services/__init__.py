"""Writes for the learning app: verbs with keyword-only arguments and the viewer.

Bad input raises django ValidationError naming the field; nothing is half-saved (each
service is one transaction). Edits name the version they started from and raise Conflict
(core.versioning) when someone saved first, so a stale edit never overwrites anyone's
work. Who may change or remove what is in `learning.rules`; a rule that says no is a 404.
"""

from ._common import NO_STORY_CONSENT
from .actions import (
    action_create,
    action_delete,
    action_reminders_send,
    action_set_status,
    action_update,
    can_change_action,
)
from .barriers import (
    barrier_create,
    barrier_link_story,
    barrier_set_level,
    barrier_update,
    barrier_withdraw,
)
from .log import (
    board_create,
    card_add,
    card_delete,
    card_update,
    card_vote,
    log_entry_create,
    log_entry_delete,
    log_entry_update,
)
from .partnership import organisations_in, partnership_set_phase, partnership_update
from .sessions import (
    KEEP,
    attendee_add,
    attendee_remove,
    session_create,
    session_delete,
    session_record,
    session_update,
    story_add,
    story_delete,
    story_update,
)

__all__ = [
    "KEEP",
    "NO_STORY_CONSENT",
    "action_create",
    "action_delete",
    "action_reminders_send",
    "action_set_status",
    "action_update",
    "attendee_add",
    "attendee_remove",
    "barrier_create",
    "barrier_link_story",
    "barrier_set_level",
    "barrier_update",
    "barrier_withdraw",
    "board_create",
    "can_change_action",
    "card_add",
    "card_delete",
    "card_update",
    "card_vote",
    "log_entry_create",
    "log_entry_delete",
    "log_entry_update",
    "organisations_in",
    "partnership_set_phase",
    "partnership_update",
    "session_create",
    "session_delete",
    "session_record",
    "session_update",
    "story_add",
    "story_delete",
    "story_update",
]
