"""What each access level sees of a resident's text messages (core/visibility.py).

Texts are casework, like conversation notes: only the holding organisation's caseworkers
see them, and consented sharing sees none. The provider's message id and the bookkeeping
are internal.
"""

from commonweave.core.visibility import declare

TEXT_MESSAGE = declare(
    "messaging.TextMessage",
    full=(
        "public_id",
        "place",
        "resident",
        "referral",
        "direction",
        "kind",
        "phone",
        "body",
        "status",
        "urgent",
        "at",
        "sent_by",
    ),
    internal=("id", "provider", "provider_message_id", "created_at"),
)
