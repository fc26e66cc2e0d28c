"""What each level sees of a resident's GP registration: only the holding organisation's
caseworkers, who write the message back. Shared partners and referrers see none of it."""

from commonweave.core.visibility import declare

GP_REGISTRATION = declare(
    "prescribing.GPRegistration",
    full=("resident", "nhs_number", "practice_code", "practice_name", "gp_name", "updated_at"),
    internal=("id", "updated_by"),
)
