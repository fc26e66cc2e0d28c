"""Connecting the Dots sessions, stories, barriers, actions and the partnership's learning.

A story never stores who a resident is in a way that outlives their consent: the link to a
resident is kept, but every read goes through `selectors.story_resident`, which shows the
identity only while the resident's story consent is given (and the viewer may see them).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from commonweave.core.publicid import PublicIdField
from commonweave.people.models import new_record_key
from commonweave.tenancy.enums import Phase

from .enums import OPEN_ACTION_STATUSES, ActionStatus, Column, EntryKind, Level, Quadrant


class Session(models.Model):
    """A Connecting the Dots session: services and VCSE groups hear a story together."""

    public_id = PublicIdField()
    place = models.ForeignKey(
        "tenancy.Place", on_delete=models.CASCADE, related_name="learning_sessions"
    )
    title = models.CharField(max_length=200)
    held_on = models.DateField("Date")
    notes = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    # Optimistic concurrency (as people.Resident): an edit names the version it started from.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["place", "held_on"])]

    def __str__(self):
        return self.title


class Attendee(models.Model):
    """Someone at a session: a member of staff, or someone from outside written in freely."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=150)
    organisation = models.ForeignKey(
        "tenancy.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation_name = models.CharField(
        max_length=160, blank=True, help_text="For organisations outside the partnership."
    )

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    @property
    def organisation_label(self):
        return self.organisation.name if self.organisation_id else self.organisation_name


class Story(models.Model):
    """A story brought to a session. Written freely and anonymously, or linked to a
    resident's journey when they consented to their story being used."""

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="stories"
    )
    title = models.CharField(max_length=200)
    text = models.TextField("The story, in words that do not identify the person")
    resident = models.ForeignKey(
        "people.Resident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="learning_stories",
    )
    # When the link was made: a withdrawal of story consent hides every link made before it.
    resident_linked_at = models.DateTimeField(null=True, blank=True)
    brought_by = models.ForeignKey(
        "tenancy.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    # A random 0..255 given once, never shown: a published count of stories sums the
    # resident's record key where the story has a resident, else this one (the cell-key
    # method, insights/disclosure; learning/selectors.STORY_KEY).
    record_key = models.PositiveSmallIntegerField(default=new_record_key, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "stories"

    def __str__(self):
        return self.title


class BarrierQuerySet(models.QuerySet):
    def active(self):
        return self.filter(withdrawn_at__isnull=True)


class Barrier(models.Model):
    """What got in the way, in plain words, and how far the learning about it has gone."""

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="barriers")
    title = models.CharField("What got in the way", max_length=200)
    description = models.TextField(blank=True)
    quadrant = models.CharField(max_length=20, choices=Quadrant.choices)
    service_area = models.CharField(max_length=100, blank=True)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.NEW)
    level_changed_at = models.DateTimeField(default=timezone.now)
    stories = models.ManyToManyField(Story, through="BarrierStory", related_name="barriers")
    # Guards the words and classification; learning levels and linked stories are appended.
    version = models.PositiveIntegerField(default=1)
    # A barrier is withdrawn, never deleted, so its history stays; `same_as` when it was a
    # duplicate whose stories and actions moved to another barrier.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    same_as = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A partner system's token has no user: it is the author of what it records.
    created_by_token = models.ForeignKey(
        "tenancy.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = BarrierQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["place", "level", "quadrant"]),
            models.Index(fields=["place", "updated_at"]),
            # The board: counts per cell and the latest few of each, over the register only.
            models.Index(
                fields=["place", "level", "quadrant", "updated_at"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="barrier_board_cell",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_withdrawn(self):
        return self.withdrawn_at is not None


class BarrierStory(models.Model):
    """A barrier seen in a story: each link is one case, dated, for count and trend."""

    barrier = models.ForeignKey(Barrier, on_delete=models.CASCADE, related_name="story_links")
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="barrier_links")
    seen_on = models.DateField(default=timezone.localdate)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["barrier", "story"], name="barrier_story_once")
        ]
        indexes = [models.Index(fields=["barrier", "seen_on"])]

    def __str__(self):
        return f"{self.barrier_id} in story {self.story_id}"


class LevelChange(models.Model):
    """The barrier's history: each move between levels with the evidence in words."""

    barrier = models.ForeignKey(Barrier, on_delete=models.CASCADE, related_name="level_changes")
    from_level = models.CharField(max_length=10, choices=Level.choices)
    to_level = models.CharField(max_length=10, choices=Level.choices)
    evidence = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.from_level} to {self.to_level}"


class BarrierChange(models.Model):
    """The barrier's history of edits and withdrawal: what changed, from what, by whom."""

    class Kind(models.TextChoices):
        EDITED = "edited", "Changed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    barrier = models.ForeignKey(Barrier, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # {field: [before, after]} in words, for the fields that changed.
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.kind} {self.barrier_id}"


class ActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_ACTION_STATUSES)

    def overdue(self, today=None):
        return self.open().filter(due_on__lt=today or timezone.localdate())


class Action(models.Model):
    """Something an organisation will do about a barrier, by a date."""

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    barrier = models.ForeignKey(Barrier, on_delete=models.CASCADE, related_name="actions")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    description = models.TextField("What will be done")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="learning_actions",
    )
    owner_name = models.CharField(max_length=150, blank=True)
    owner_organisation = models.ForeignKey(
        "tenancy.Organisation", on_delete=models.PROTECT, related_name="learning_actions"
    )
    due_on = models.DateField("Due date")
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["place", "owner_organisation", "status", "due_on"]),
            models.Index(fields=["barrier", "status"]),
        ]

    def __str__(self):
        return self.description[:60]

    @property
    def owner_label(self):
        if self.owner_id:
            return self.owner.name or self.owner.email
        return self.owner_name

    def is_overdue(self, today=None):
        return self.status in OPEN_ACTION_STATUSES and self.due_on < (today or timezone.localdate())


class Tag(models.Model):
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["place", "name"], name="tag_unique_name")]

    def __str__(self):
        return self.name


class LogEntry(models.Model):
    """The partnership's back catalogue: a reflection or a test-and-learn cycle."""

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField("Reflection", blank=True)
    tried = models.TextField("What we tried", blank=True)
    happened = models.TextField("What happened", blank=True)
    learnt = models.TextField("What we learnt", blank=True)
    will_change = models.TextField("What we will change", blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="entries")
    barriers = models.ManyToManyField(Barrier, blank=True, related_name="log_entries")
    organisation = models.ForeignKey(
        "tenancy.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "log entries"

    def __str__(self):
        return self.title


class Board(models.Model):
    """A Keep / Amplify / Discard / Create review board anyone in the partnership adds to."""

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="boards"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title


class Card(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="cards")
    column = models.CharField(max_length=10, choices=Column.choices)
    text = models.CharField(max_length=500)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:60]


class Vote(models.Model):
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["card", "user"], name="vote_once")]

    def __str__(self):
        return f"vote on {self.card_id}"


class Partnership(models.Model):
    """The partnership's set-up: challenge, broad aims, values, partners and governance."""

    place = models.OneToOneField(
        "tenancy.Place", on_delete=models.CASCADE, related_name="partnership"
    )
    challenge = models.TextField(blank=True)
    aims = models.TextField("Aims (broad, not fixed targets)", blank=True)
    values = models.TextField(
        blank=True, default="Connection\nAccountability\nPower sharing\nTrust"
    )
    partners = models.TextField("Partners outside the organisations listed here", blank=True)
    governance = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Partnership in {self.place}"

    @property
    def value_list(self):
        return [line.strip() for line in self.values.splitlines() if line.strip()]

    @property
    def aim_list(self):
        return [line.strip() for line in self.aims.splitlines() if line.strip()]


class PartnershipChange(models.Model):
    """History of the set-up: which parts changed, from what to what, by whom, when."""

    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    # {field: [before, after]} for the parts that changed.
    changes = models.JSONField(default=dict)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    # The order the page shows the parts in (PostgreSQL's jsonb does not keep key order).
    PARTS = ("challenge", "aims", "values", "partners", "governance")

    def __str__(self):
        return f"Set-up changed ({', '.join(self.changes)})"

    @property
    def parts(self):
        """[(part, before, after)] in the set-up's own order."""
        order = {name: i for i, name in enumerate(self.PARTS)}
        names = sorted(self.changes, key=lambda name: (order.get(name, len(order)), name))
        return [(name, *self.changes[name]) for name in names]


class PhaseChange(models.Model):
    """History of the place's phase (the phase itself lives on tenancy.Place)."""

    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    from_phase = models.CharField(max_length=20, choices=Phase.choices)
    to_phase = models.CharField(max_length=20, choices=Phase.choices)
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.from_phase} to {self.to_phase}"


class SimilarityIndex(models.Model):
    """A place's barrier-similarity index (TF-IDF vectors of the register's wording, not of
    anything about people), saved when it is built so that a new process loads it instead
    of building it again. Only a cache: `similarity` checks it against the register (count,
    newest id, sum of versions) before use and swaps in what changed since."""

    place = models.OneToOneField("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField()
    top = models.BigIntegerField(null=True)
    versions = models.BigIntegerField()
    data = models.BinaryField()  # numpy .npz, loaded with allow_pickle=False
    built_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Similarity index for place {self.place_id}"


class SessionPack(models.Model):
    """A session pack PDF built by a background job for the one who asked: a person, or an
    organisation's API token. Only they may download it, once: the bytes are cleared when
    it is sent and the row is purged at `expires_at` (a day), whichever comes first.
    `named` keeps the residents the PDF names (their ids), so a download re-checks that
    each may still be named: a consent withdrawn since makes the file unusable at once."""

    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, related_name="+")
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    requested_token = models.ForeignKey(
        "tenancy.ApiToken", null=True, on_delete=models.CASCADE, related_name="+"
    )
    data = models.BinaryField(default=b"")
    named = models.JSONField(default=list)  # Resident pks shown in the PDF
    stories = models.PositiveIntegerField(default=0)
    built_at = models.DateTimeField(null=True)
    downloaded_at = models.DateTimeField(null=True)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(requested_by__isnull=True)
                ^ models.Q(requested_token__isnull=True),
                name="session_pack_one_requester",
            )
        ]

    def __str__(self):
        return f"Session pack {self.job_id}"
