from django.db import models


class Quadrant(models.TextChoices):
    """The GMCA frame for where a barrier sits."""

    LEADERSHIP = "leadership", "Leadership & Governance"
    PRACTICE = "practice", "Practice & Citizen Experience"
    SYSTEM = "system", "System Conditions"
    WORKFORCE = "workforce", "Workforce & Culture"


class Level(models.TextChoices):
    """How far the learning about a barrier has gone (the stages Connect uses)."""

    NEW = "new", "Not yet resolved"
    USEFUL = "useful", "Useful: this case is resolved"
    GOOD = "good", "Good: we know why we see such cases"
    GREAT = "great", "Great: the barrier is designed out"


LEVEL_ORDER = [Level.NEW, Level.USEFUL, Level.GOOD, Level.GREAT]

# What the evidence for reaching each level must say, in words.
LEVEL_EVIDENCE_HINT = {
    Level.USEFUL: "What was resolved for the person.",
    Level.GOOD: "What root cause was found: why are we seeing such cases at all?",
    Level.GREAT: "What changed in how services work, so the barrier no longer happens.",
    Level.NEW: "Why the barrier is back.",
}


class ActionStatus(models.TextChoices):
    OPEN = "open", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "No longer needed"


OPEN_ACTION_STATUSES = frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS})


class EntryKind(models.TextChoices):
    REFLECTION = "reflection", "Reflection"
    CYCLE = "cycle", "Test-and-learn cycle"


class Column(models.TextChoices):
    """Keep / Amplify / Discard / Create (Greater Manchester's crisis learning)."""

    KEEP = "keep", "Keep"
    AMPLIFY = "amplify", "Amplify"
    DISCARD = "discard", "Discard"
    CREATE = "create", "Create"
