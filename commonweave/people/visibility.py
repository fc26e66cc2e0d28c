"""What each access level sees of a resident's journey, field by field.

The one rule for pages, the API and exports (see commonweave/core/visibility.py). Decided:

* Full access (the holding organisation's caseworkers) sees the whole record.
* Consented sharing shows who the person is, how to reach them, their own words about
  what matters, their strengths and goals, and where their journey stands. It leaves out
  everything a worker wrote about them — the referral reason (often health or
  bereavement), stage and closing notes, conversation notes, next actions, the
  description of a connection — and the consent records themselves. The person's
  graduation words and giving back stay with the holding organisation too: they are said
  at the end of the work with that organisation, for it and for evaluation with consent.
* A referrer following up sees their own referral as they sent it (what they wrote is not
  news to them) and where it has got to, and the person's name, never the journey.
* Pseudonymous and aggregate levels see no field of these records: analysis reads
  pseudonyms and counts through their own modules.
"""

from commonweave.core.visibility import declare

# Who the person is and how to reach them: what consented sharing is for.
RESIDENT_IDENTITY = (
    "full_name",
    "preferred_name",
    "date_of_birth",
    "phone",
    "email",
    "address",
    "postcode",
    "contact_method",
    "contact_when",
)
RESIDENT_JOURNEY = (
    "public_id",
    "place",
    "organisation",
    "catalyst",
    "stage",
    "stage_changed_at",
    "graduated_at",
    "closed_at",
    "closed_reason",
    "created_at",
    "updated_at",
    "version",
)
RESIDENT_OWN_WORDS = ("what_matters", "strengths", "has_to_give")
RESIDENT_WORKER_NOTES = (
    "next_action",
    "next_action_due",
    "graduation_words",
    "giving_back",
    "closed_note",
)

RESIDENT = declare(
    "people.Resident",
    full=RESIDENT_IDENTITY + RESIDENT_JOURNEY + RESIDENT_OWN_WORDS + RESIDENT_WORKER_NOTES,
    shared=RESIDENT_IDENTITY + RESIDENT_JOURNEY + RESIDENT_OWN_WORDS,
    referrer=("full_name", "preferred_name"),
    # lsoa_code, ward_code: where the postcode is (area.postcodes), kept for area analysis
    # (deciles joined when read, counted through the published-number rules); not shown.
    internal=(
        "id",
        "name_key",
        "phone_key",
        "email_key",
        "merged_into",
        "record_key",
        "lsoa_code",
        "ward_code",
    ),
    derived={"display_name": ("full_name", "preferred_name"), "is_open": ("stage",)},
)

REFERRAL_STATUS = (
    "public_id",
    "front_door",
    "referrer_kind",
    "referring_organisation",
    "urgency",
    "received_at",
    "due_at",
    "status",
    "first_contact_at",
)
REFERRAL = declare(
    "people.Referral",
    full=REFERRAL_STATUS
    + (
        "reference",
        "resident",
        "place",
        "referrer_name",
        "referrer_contact",
        "referred_by",
        "reason",
        "consent",
        "assigned_to",
        "assigned_at",
        "first_contact_outcome",
        "first_contact_note",
        "first_contact_by",
    ),
    shared=REFERRAL_STATUS,
    # The reference the referrer was given to quote on the phone: theirs and the holder's.
    referrer=REFERRAL_STATUS + ("reference", "referrer_name", "reason", "consent"),
    internal=("id",),
    derived={"is_overdue": ("first_contact_at", "due_at")},
)

STAGE_CHANGE = declare(
    "people.StageChange",
    full=("resident", "from_stage", "to_stage", "changed_at", "changed_by", "note"),
    shared=("from_stage", "to_stage", "changed_at"),
    internal=("id",),
)

CONVERSATION = declare(
    "people.Conversation",
    full=(
        "resident",
        "author",
        "happened_at",
        "kind",
        "notes",
        "next_action",
        "next_action_due",
        "created_at",
    ),
    internal=("id",),
)

GOAL = declare(
    "people.Goal",
    full=("resident", "text", "progress", "created_by", "created_at", "updated_at", "achieved_at"),
    shared=("text", "progress", "created_at", "updated_at", "achieved_at"),
    internal=("id",),
)

CONNECTION = declare(
    "people.Connection",
    full=(
        "resident",
        "kind",
        "name",
        "description",
        "status",
        "made_on",
        "recorded_by",
        "created_at",
    ),
    shared=("kind", "name", "status", "made_on"),
    internal=("id",),
)

CONSENT = declare(
    "people.Consent",
    full=("resident", "purpose", "organisation", "given", "since"),
    internal=("id",),
)

CONSENT_EVENT = declare(
    "people.ConsentEvent",
    full=(
        "resident",
        "purpose",
        "organisation",
        "given",
        "method",
        "wording",
        "recorded_by",
        "recorded_at",
    ),
    internal=("id",),
)
