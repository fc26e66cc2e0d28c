"""What each access level sees of mutual-aid records (the field policy,
commonweave/core/visibility.py).

Levels, as mutual aid uses them:

* full: the holding organisation's coordinators and catalysts;
* shared: a matched helper once both sides accepted (the other side's contact details);
* pseudonymous: a helper alerted to a need, or anyone listing needs: the first name, the
  neighbourhood and what is needed. Never an address or a phone number.

Contact details and safeguarding checks are in their own tables and never join a list.
"""

from commonweave.core.visibility import declare

NEED_FOR_HELPER = (
    "public_id",
    "kind",
    "category",
    "what",
    "skills",
    "neighbourhood",
    "community_area",
    "when",
    "language",
    "urgency",
    "first_name",
    "status",
    "created_at",
)

REQUEST = declare(
    "mutualaid.Request",
    full=NEED_FOR_HELPER
    + (
        "place",
        "organisation",
        "front_door",
        "resident",
        "volunteer",
        "due_at",
        "first_proposed_at",
        "created_by",
    ),
    shared=NEED_FOR_HELPER,
    pseudonymous=NEED_FOR_HELPER,
    internal=("id", "record_key"),
)

REQUEST_CONTACT = declare(
    "mutualaid.RequestContact",
    full=("request", "address", "phone"),
    shared=("request", "address", "phone"),
    internal=(),
)

HELPER_PUBLIC = ("public_id", "first_name", "home", "skills", "when", "languages")

VOLUNTEER = declare(
    "mutualaid.Volunteer",
    full=HELPER_PUBLIC
    + (
        "place",
        "organisation",
        "resident",
        "phone",
        "email",
        "areas",
        "available",
        "last_alerted_at",
        "created_by",
        "created_at",
    ),
    shared=HELPER_PUBLIC + ("phone",),
    pseudonymous=HELPER_PUBLIC,
    internal=("id", "link_token_hash", "record_key"),
)

VOLUNTEER_CHECKS = declare(
    "mutualaid.VolunteerChecks",
    full=(
        "volunteer",
        "dbs_type",
        "dbs_issued_on",
        "barred_list_checked_on",
        "update_service_checked_on",
        "references_checked_on",
        "training_completed_on",
        "recheck_due_on",
        "recorded_by",
        "recorded_at",
    ),
    internal=(),
)

MATCH = declare(
    "mutualaid.Match",
    full=(
        "public_id",
        "place",
        "need",
        "offer",
        "volunteer",
        "status",
        "proposed_at",
        "proposed_by",
        "need_accepted_at",
        "helper_accepted_at",
        "accepted_at",
        "done_at",
        "thanked_at",
        "thanks",
        "declined_at",
        "declined_by",
        "cancelled_at",
    ),
    shared=(
        "public_id",
        "need",
        "volunteer",
        "status",
        "proposed_at",
        "need_accepted_at",
        "helper_accepted_at",
        "accepted_at",
        "done_at",
        "thanked_at",
        "thanks",
    ),
    internal=("id",),
    derived={"both_accepted": ("accepted_at",)},
)

# Which helper was told about which need, and their answer: for the coordinators only.
ALERT = declare(
    "mutualaid.Alert",
    full=("place", "need", "volunteer", "created_at", "delivered_at", "answered_at", "answer"),
    internal=("id",),
)

LONE_WORKING = declare(
    "mutualaid.LoneWorking",
    full=("match", "place", "starts_at", "ends_at", "on_my_way_at", "safe_at", "escalated_at"),
    shared=("match", "starts_at", "ends_at", "on_my_way_at", "safe_at"),
    internal=("id",),
)

SAFEGUARDING_NOTE = declare(
    "mutualaid.SafeguardingNote",
    full=(
        "public_id",
        "place",
        "kind",
        "match",
        "text",
        "raised_by",
        "lead",
        "need",
        "volunteer",
        "created_at",
        "delivered_at",
        "acknowledged_at",
        "acknowledged_by",
        "closed_at",
        "closed_by",
        "outcome",
    ),
    internal=("id",),
)

# What the two sides of an accepted match said to each other, passed on without numbers.
RELAY_MESSAGE = declare(
    "mutualaid.RelayMessage",
    full=("match", "place", "from_side", "text", "created_at", "delivered_at"),
    shared=("match", "from_side", "text", "created_at"),
    internal=("id",),
)
