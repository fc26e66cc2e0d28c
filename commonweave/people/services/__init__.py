"""Writes for resident journeys. Each service takes the acting viewer, runs in one
transaction, checks access, and writes its audit event. Nothing happens in save() or signals.

One module per subject; callers use `from commonweave.people import services` and the names
below.
"""

from ._common import (
    CONTACT_CONSENT_BY_REFERRER,
    PROFILE_FIELDS,
    RESPONSE_PROMISE,
    PersonDetails,
)
from .casework import connection_add, conversation_add, goal_add, goal_set_progress
from .consent import consent_record, consent_record_by_resident, organisations_to_share_with
from .journey import (
    allowed_next_stages,
    resident_close,
    resident_graduate,
    resident_move_stage,
    resident_update_profile,
)
from .merge import referral_merge
from .referrals import (
    catalysts_for,
    catalysts_for_orgs,
    referral_assign,
    referral_create,
    referral_mark_urgent,
    referral_record_contact,
)

__all__ = [
    "CONTACT_CONSENT_BY_REFERRER",
    "PROFILE_FIELDS",
    "PersonDetails",
    "RESPONSE_PROMISE",
    "allowed_next_stages",
    "catalysts_for",
    "catalysts_for_orgs",
    "connection_add",
    "consent_record",
    "consent_record_by_resident",
    "conversation_add",
    "goal_add",
    "goal_set_progress",
    "organisations_to_share_with",
    "referral_assign",
    "referral_create",
    "referral_mark_urgent",
    "referral_merge",
    "referral_record_contact",
    "resident_close",
    "resident_graduate",
    "resident_move_stage",
    "resident_update_profile",
]
