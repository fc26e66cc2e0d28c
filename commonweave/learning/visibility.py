"""What each access level sees of a story brought to Connecting the Dots (the field
policy, commonweave/core/visibility.py).

A story is written in words that do not identify the person, so the partners at a session
see it under no name: its title, text and where it was brought. Which resident it is about
is shown only while the person's story consent stands, and only to a viewer who may open
that resident's record (held, or shared by consent: learning/selectors.story_identities
decides which); a session pack names the person only under the pack's own, stricter rule
(story consent and every organisation present holding or sharing the record).
"""

from commonweave.core.visibility import declare

STORY_WITHOUT_PERSON = (
    "public_id",
    "place",
    "session",
    "title",
    "text",
    "brought_by",
    "version",
    "created_by",
    "created_at",
)

STORY = declare(
    "learning.Story",
    full=(
        "public_id",
        "place",
        "session",
        "title",
        "text",
        "resident",
        "resident_linked_at",
        "brought_by",
        "version",
        "created_by",
        "created_at",
    ),
    shared=STORY_WITHOUT_PERSON + ("resident", "resident_linked_at"),
    pseudonymous=STORY_WITHOUT_PERSON,
    internal=("id", "record_key"),
)

# Which barrier a story showed, and when: no person in it (the story is shown by its own
# policy above), so the partners see it under no name as they see the story.
BARRIER_STORY = declare(
    "learning.BarrierStory",
    full=("barrier", "story", "seen_on"),
    shared=("barrier", "story", "seen_on"),
    pseudonymous=("barrier", "story", "seen_on"),
    internal=("id",),
)
