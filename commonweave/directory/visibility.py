"""What each access level sees of a resident's connections to directory services and of
referrals to them (the field policy, commonweave/core/visibility.py).

The sending organisation's caseworkers see everything. The organisation receiving a
referral sees it only with the person's consent to share with it (the consent is checked
when the referral is sent), and sees what it needs to decide: the service, who sent it,
the caseworker's reason, and its own decision. Follow-ups at 3 and 6 months are casework.

Which level a viewer sees a referral at is their access to the resident it is about
(people/access.py): the sending organisation's caseworkers hold the record (full), the
receiving organisation shares it by consent (shared, or full when it holds the record
itself). The referral and the person are rendered at that one level, on the pages and in
the API alike.
"""

from commonweave.core.visibility import Level, declare

CONNECTION_LINK = declare(
    "directory.ConnectionLink",
    full=("connection", "service", "created_at"),
    shared=("service", "created_at"),
    internal=("id",),
)

FOLLOW_UP = declare(
    "directory.FollowUp",
    full=("link", "months", "due_on", "outcome", "why", "answered_at", "answered_by"),
    internal=("id",),
)

SERVICE_REFERRAL = declare(
    "directory.ServiceReferral",
    full=(
        "public_id",
        "place",
        "service",
        "resident",
        "link",
        "from_organisation",
        "to_organisation",
        "consent_event",
        "reason",
        "sent_by",
        "sent_at",
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
    ),
    shared=(
        "public_id",
        "place",
        "service",
        "resident",
        "from_organisation",
        "to_organisation",
        "reason",
        "sent_at",
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
    ),
    internal=("id",),
)


def received_level(viewer, referral) -> Level:
    """The level the receiving organisation sees a referral it received at, without a
    query: full when it holds the person's record, else shared (the consent to share with
    it was recorded when the referral was sent; whether it still stands is the caller's
    `referral.visible`, or resident_open's 404)."""
    holds = referral.resident.organisation_id in viewer.casework_org_ids
    return Level.FULL if holds else Level.SHARED
