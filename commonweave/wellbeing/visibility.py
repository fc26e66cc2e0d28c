"""What each access level sees of a resident's life map and measures (the field policy,
commonweave/core/visibility.py).

The life map, check-ins, priorities and achievements are casework: only the holding
organisation's caseworkers see them (consented sharing does not reach them). Evaluators
receive answers under a pseudonym — the day, the area or measure and its value or score —
never the person's own words; cohort statistics read values only through the published
number rules and show no field of any one record.
"""

from commonweave.core.visibility import declare

CHECK_IN = declare(
    "wellbeing.CheckIn",
    full=(
        "public_id",
        "place",
        "resident",
        "version",
        "via",
        "status",
        "own_words",
        "started_by",
        "created_at",
        "completed_at",
    ),
    pseudonymous=("version", "completed_at"),
    # Packed copies of the ratings and scores, read by the cohort statistics.
    internal=("id", "area_values", "measure_values", "measured"),
)

AREA_RATING = declare(
    "wellbeing.AreaRating",
    full=("checkin", "area", "value", "better"),
    pseudonymous=("area", "value"),
    internal=("id",),
)

MEASURE_RESPONSE = declare(
    "wellbeing.MeasureResponse",
    full=("checkin", "instrument", "answers", "complete", "scores", "completed_at"),
    pseudonymous=("instrument", "scores", "completed_at"),
    internal=("id", "resident", "place"),
)

PRIORITY = declare(
    "wellbeing.Priority",
    full=(
        "resident",
        "area_key",
        "area_name",
        "why_now",
        "will_do",
        "by_when",
        "created_at",
        "created_by",
        "met_at",
    ),
    internal=("id",),
)

ACHIEVEMENT = declare(
    "wellbeing.Achievement",
    full=("resident", "kind", "area_key", "description", "at", "checkin", "priority"),
    internal=("id",),
)

CHECK_IN_LINK = declare(
    "wellbeing.CheckInLink",
    full=("checkin", "channel", "created_at", "created_by", "expires_at", "used_at"),
    internal=("id", "token_hash"),
)

# A resident's first and latest answer per area or metric: the cohort statistics' input.
SCORE_TRACK = declare(
    "wellbeing.ScoreTrack",
    full=(
        "kind",
        "code",
        "higher_is",
        "first_value",
        "latest_value",
        "paired",
        "change",
        "first_at",
        "latest_at",
    ),
    internal=("id", "place", "resident", "answers"),
)
