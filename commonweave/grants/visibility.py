"""What each access level sees of the ledger's personal records (the field policy,
commonweave/core/visibility.py). Awards, their decisions and their payments are seen in
full by those grants.rules lets open them (the caseworkers holding a resident's record and
the fund's runners); no shared partner or referrer sees a resident's grants."""

from commonweave.core.visibility import declare

AWARD = declare(
    "grants.Award",
    full=(
        "public_id",
        "place",
        "fund",
        "recipient_kind",
        "resident",
        "organisation",
        "group_name",
        "charity_number",
        "company_number",
        "aid_request",
        "aid_money",
        "title",
        "why",
        "goal",
        "supplier",
        "purpose_code",
        "reason_code",
        "amount_requested",
        "amount_awarded",
        "status",
        "requested_by",
        "requested_at",
        "decided_at",
        "made_possible",
        "made_possible_shareable",
        "told_at",
        "first_paid_on",
        "days_to_payment",
        "ward",
    ),
    internal=("id",),
)

APPROVAL = declare(
    "grants.Approval",
    full=("award", "approver", "decision", "amount", "evidence", "at"),
    internal=("id",),
)

LEDGER_ENTRY = declare(
    "grants.LedgerEntry",
    full=(
        "public_id",
        "place",
        "fund",
        "kind",
        "amount",
        "award",
        "reverses",
        "source",
        "method",
        "receipt",
        "paid_on",
        "note",
        "recorded_by",
        "recorded_at",
    ),
    internal=("id",),
)

# Participatory rounds (rounds.py). A panellist may be a resident on the record: the panel,
# its conflicts and its scores are seen in full by the round's runners only. The public
# decision log shows scores per application without a panellist's name, and never an
# applicant's contact details.

APPLICATION = declare(
    "grants.Application",
    full=(
        "public_id",
        "place",
        "round",
        "number",
        "group_name",
        "contact_name",
        "contact_email",
        "title",
        "what_for",
        "amount",
        "channel",
        "eligibility",
        "eligibility_reason",
        "screened_by",
        "entered_by",
        "submitted_at",
        "award",
    ),
    internal=("id",),
)

PANELLIST = declare(
    "grants.Panellist",
    full=("place", "round", "user", "resident", "name", "hourly_rate", "added_by", "added_at"),
    internal=("id",),
)

CONFLICT = declare(
    "grants.Conflict",
    full=("panellist", "application", "reason", "declared_at"),
    internal=("id",),
)

SCORE = declare(
    "grants.Score",
    full=("panellist", "application", "marks", "note", "scored_at"),
    internal=("id",),
)

# A line of the public decision log names an application (an override) and is public
# anyway; it is counted here because an application may lead to an award.
ROUND_DECISION = declare(
    "grants.RoundDecision",
    full=("round", "kind", "rule", "winners", "tallies", "application", "reason", "by",
          "computed_at"),
    internal=("id",),
)  # fmt: skip

# A community award's timeline (results.py): seen by whoever may see the award.
AWARD_UPDATE = declare(
    "grants.AwardUpdate",
    full=("public_id", "place", "award", "on", "status", "progress", "note", "source",
          "recorded_by", "recorded_at"),
    internal=("id",),
)  # fmt: skip
