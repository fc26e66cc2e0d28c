"""The relationship network of a place: nodes, ties between them, and stored analyses.

Residents are nodes only by a stable keyed pseudonym; their names never enter this app.
Derived ties point back at the row they came from (`source`, `source_key`), so recording
or withdrawing that row upserts or ends exactly one tie (see derive.py).
"""

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonweave.core.publicid import PublicIdField, new_public_id
from commonweave.people.models import new_record_key

from .enums import (
    Closeness,
    MemberKind,
    NodeKind,
    Sector,
    SnapshotStatus,
    SurveyState,
    TieSource,
    TieType,
)


def resident_pseudonym(resident_id: int) -> str:
    """A stable, keyed, non-reversible label for a resident: the same everywhere, no name."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"network-resident:{resident_id}".encode(), hashlib.sha256
    ).hexdigest()
    return f"R-{digest[:10]}"


class NodeQuerySet(models.QuerySet):
    def in_place(self, place):
        return self.filter(place=place)


class Node(models.Model):
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    public_id = PublicIdField()
    kind = models.CharField(max_length=20, choices=NodeKind.choices)
    # Internal identity used by derivation and imports (e.g. "org:5", "res:12", "ext:name").
    key = models.CharField(max_length=220)
    # Shown name. Empty for residents (shown by pseudonym) and private people they know.
    label = models.CharField(max_length=200, blank=True)
    organisation = models.ForeignKey(
        "tenancy.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    resident = models.ForeignKey(
        "people.Resident", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    pseudonym = models.CharField(max_length=16, blank=True)
    sector = models.CharField(max_length=20, choices=Sector.choices, blank=True)
    neighbourhood = models.CharField(max_length=120, blank=True)
    # A random 0..255 given once, never shown: the published counts of nodes (and of the
    # ties between them, keyed by their ends) sum these for the cell-key method
    # (insights/disclosure, analysis.key_sums). A node's own key, not its resident's: most
    # nodes are not residents, and one rule serves them all.
    record_key = models.PositiveSmallIntegerField(default=new_record_key, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = NodeQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "label", "pk"]
        constraints = [models.UniqueConstraint(fields=["place", "key"], name="node_unique_key")]
        indexes = [
            models.Index(fields=["place", "kind"]),
            models.Index(fields=["place", "neighbourhood"]),
        ]

    def __str__(self):
        return self.label or self.pseudonym or self.get_kind_display()

    @property
    def is_personal(self) -> bool:
        """A resident or a private person they know: never labelled beyond their workers."""
        return self.kind in (NodeKind.RESIDENT, NodeKind.PERSON)


class TieQuerySet(models.QuerySet):
    def active_on(self, day):
        return self.filter(started_on__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day)
        )


class Tie(models.Model):
    """A tie between two nodes. It has no record key of its own: its key is its ends'
    (analysis.pair_keys says why)."""

    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    public_id = PublicIdField()
    source_node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="ties_out")
    target_node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="ties_in")
    tie_type = models.CharField(max_length=20, choices=TieType.choices)
    strength = models.FloatField(default=1.0, help_text="Greater is stronger; 1 is ordinary.")
    directed = models.BooleanField(default=False)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=TieSource.choices)
    # The row it came from, e.g. "connection:12"; empty for ties recorded by hand.
    source_key = models.CharField(max_length=120, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = TieQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "source_key"],
                condition=~Q(source_key=""),
                name="tie_unique_source_key",
            ),
            models.CheckConstraint(
                condition=~Q(source_node=models.F("target_node")), name="tie_not_a_loop"
            ),
        ]
        indexes = [
            models.Index(fields=["place", "started_on", "ended_on"]),
            models.Index(fields=["source_node", "ended_on"]),
            models.Index(fields=["target_node", "ended_on"]),
        ]

    def __str__(self):
        return f"{self.get_tie_type_display()} tie"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None or self.ended_on > timezone.localdate()


class NetworkSnapshot(models.Model):
    """One stored analysis of the place's network as it stood on `as_of`."""

    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    public_id = PublicIdField()
    as_of = models.DateField()
    status = models.CharField(
        max_length=10, choices=SnapshotStatus.choices, default=SnapshotStatus.RUNNING
    )
    job = models.ForeignKey(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Whole-network measures, communities, bridges and growth (ids and numbers only).
    summary = models.JSONField(default=dict, blank=True)
    seconds = models.FloatField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["place", "status", "-created_at"])]

    def __str__(self):
        return f"Network on {self.as_of}"


class MetricColumn(models.Model):
    """One metric of every node of a snapshot, packed as a little-endian array in the order
    of the snapshot's "node" column (sorted node ids). About twenty rows per snapshot
    instead of one row per node: a recompute of 200,000 nodes writes them in a blink, and
    a page reads only the metrics it shows (see metrics.py)."""

    snapshot = models.ForeignKey(
        NetworkSnapshot, on_delete=models.CASCADE, related_name="columns", db_index=False
    )
    name = models.CharField(max_length=30)
    dtype = models.CharField(max_length=8, help_text="numpy dtype, e.g. <f8 or <i8")
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "name"], name="metriccolumn_unique")
        ]

    def __str__(self):
        return f"{self.name} of snapshot {self.snapshot_id}"


class OwnNetworkDrawingQuerySet(models.QuerySet):
    def merge_resident(self, *, duplicate, into):
        """When triage merges a duplicate record into `into` (people.services.referral_merge
        finds this method): both records' drawings become one history on `into`, numbered
        again in the order they were drawn (ties: the kept record's first), so "drawing 1"
        is still the earliest and the highest number the latest, the one that changes.
        Members move with their drawings. Returns (moved, left behind): (n, 0)."""
        kept = list(self.filter(resident=into))
        moving = list(self.filter(resident=duplicate))
        if not moving:
            return 0, 0
        history = sorted(
            kept + moving,
            key=lambda d: (d.drawn_on, d.resident_id != into.pk, d.number, d.created_at, d.pk),
        )
        # Step aside first, so no two drawings of `into` share a number mid-way
        # (the (resident, number) rule is checked row by row).
        ceiling = max(d.number for d in history)
        for offset, drawing in enumerate(history, start=1):
            self.filter(pk=drawing.pk).update(
                resident=into, place=into.place, number=ceiling + offset
            )
        for number, drawing in enumerate(history, start=1):
            self.filter(pk=drawing.pk).update(number=number)
        return len(moving), 0


class OwnNetworkDrawing(models.Model):
    """One drawing of a resident's own network, made with their catalyst.

    Drawings are versions: only the latest is changed; drawing again copies it (members
    keep their `key`), so earlier drawings stay as they were and both can see it grow.
    Names live here only, behind the record's full access; with the resident's consent
    the latest drawing rolls up into the place network as pseudonymous ties (derive.py).
    """

    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.CASCADE, related_name="own_network_drawings"
    )
    public_id = PublicIdField()
    number = models.PositiveSmallIntegerField()
    drawn_on = models.DateField(default=timezone.localdate)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = OwnNetworkDrawingQuerySet.as_manager()

    class Meta:
        ordering = ["resident", "number"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "number"], name="own_drawing_number")
        ]

    def __str__(self):
        return f"Drawing {self.number}"


class OwnNetworkMember(models.Model):
    """Someone or something in a drawing: who they see, could call on, or help."""

    drawing = models.ForeignKey(OwnNetworkDrawing, on_delete=models.CASCADE, related_name="members")
    # The same member across drawings (copied when drawing again); used in addresses.
    key = models.CharField(max_length=12, default=new_public_id, editable=False)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=MemberKind.choices, default=MemberKind.PERSON)
    closeness = models.PositiveSmallIntegerField(choices=Closeness.choices, default=Closeness.CLOSE)
    sees = models.BooleanField(default=False)
    call_on = models.BooleanField(default=False)
    helps = models.BooleanField(default=False)

    class Meta:
        ordering = ["closeness", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["drawing", "key"], name="own_member_key"),
            models.CheckConstraint(
                condition=Q(sees=True) | Q(call_on=True) | Q(helps=True),
                name="own_member_has_a_relation",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} in drawing {self.drawing_id}"


class SurveyImport(models.Model):
    """A name-generator survey uploaded for import (survey.py): checked at once, reviewed by
    a coordinator (names not in the network yet are matched, added or left out), then
    imported by a background job.

    `payload` (the file) and `decisions` (the reviewer's choices) are kept only until the
    job has used them; `findings` holds what the review page shows (counts, bad rows, names
    not in the network and likely matches) and is emptied with them. `report` keeps the
    counts and each row not imported with its reason. `done_through` is the last line whose
    ties are saved: each batch commits with it, so a job started again carries on there.
    """

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="+")
    job = models.OneToOneField(
        "jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=200, blank=True)
    payload = models.BinaryField(blank=True, default=b"", editable=False)
    size = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=10, choices=SurveyState.choices, default=SurveyState.REVIEW)
    findings = models.JSONField(default=dict, blank=True)
    decisions = models.JSONField(default=dict, blank=True)
    new_kind = models.CharField(max_length=20, choices=NodeKind.choices, default=NodeKind.PERSON)
    done_through = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["place", "-created_at"])]

    def __str__(self):
        return f"Survey import {self.public_id}"
