"""Writing the audit log, and checking that nobody has changed it.

Every event's hash is an HMAC (settings.AUDIT_KEY) over its fields and the previous
event's hash, so an event cannot be changed, inserted or re-chained without the key, and
removing one from the middle breaks the link after it. Removing the *newest* events leaves
a shorter chain that still links up, so `audit_checkpoint()` signs a note of the head
(event id and hash) and every later check requires that event to still be there.
See docs/architecture.md ("Audit") for what this does and does not detect.
"""

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from .actors import Actor
from .enums import Scheme
from .models import (
    GENESIS,
    AuditChainHead,
    AuditCheckpoint,
    AuditEvent,
    AuditEventSubject,
    checkpoint_signature,
    signature_matches,
)

PUBLIC_ID = re.compile(r"^[a-z0-9]{12}$")


def audit_record(
    *,
    viewer: Actor | None,
    action: str,
    purpose: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    resident: Any = None,  # a people Resident (audit cannot import its model)
    residents: Iterable[Any] | None = None,  # Residents or their public ids
    detail: Mapping[str, Any] | None = None,
    organisation_id: int | None = None,
) -> AuditEvent:
    """Append one audit event for what `viewer` did, chained to the previous event.

    `resident` is the one resident the event is about (a view or a change of their record).
    `residents` are the residents a list, search or export showed (Resident objects or public
    ids): they go into `detail["residents"]` and into AuditEventSubject, so each of them
    finds the event in "who has seen my record". Pass `residents=[]` for a list that showed
    nobody.

    Side effects: inserts an AuditEvent (and one bulk insert of its subjects when it lists
    anyone) and advances the chain head (row-locked).
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "public_id", obj.pk))
    if organisation_id is None and viewer is not None:
        organisation_id = viewer.primary_org_id
    detail = dict(detail or {})
    if isinstance(detail.get("residents"), list):
        # Ids only in `detail` would never reach the residents' own logs.
        raise ValueError("Pass the residents a list showed as residents=, not in detail")
    listed = None
    if residents is not None:
        listed = sorted({getattr(r, "public_id", r) for r in residents})
        if not all(isinstance(pid, str) and PUBLIC_ID.match(pid) for pid in listed):
            # Guards against a name or a note reaching the log by mistake.
            raise ValueError("residents= takes Resident objects or their public ids")
        detail["residents"] = listed
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            at=timezone.now(),
            place=viewer.place if viewer is not None else None,
            actor_id=viewer.user_id if viewer is not None else None,
            actor_label=viewer.label if viewer is not None else "anonymous",
            organisation_id=organisation_id,
            action=action,
            purpose=purpose,
            object_type=object_type,
            object_id=object_id,
            resident_id=getattr(resident, "public_id", "") or "",
            detail=detail,
            prev_hash=head.last_hash,
            scheme=Scheme.HMAC_SHA256,
        )
        event.hash = event.compute_hash()
        event.save()
        if listed:
            AuditEventSubject.objects.bulk_create(
                AuditEventSubject(event=event, resident_id=pid) for pid in listed
            )
        AuditChainHead.objects.filter(pk=head.pk).update(last_hash=event.hash)
    return event


@dataclass
class ChainReport:
    """What a check of the whole log found. Problems are sentences with ids, no names."""

    events: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    broken_at: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    def fail(self, message: str, at: int | None = None) -> None:
        self.problems.append(message)
        if at is not None and (self.broken_at is None or at < self.broken_at):
            self.broken_at = at


@dataclass(frozen=True)
class Pin:
    """An event that must still exist with this hash (from a checkpoint)."""

    seq: int
    hash: str
    source: str


def parse_checkpoint_line(line: str, *, source: str) -> tuple[Pin | None, str | None]:
    """A checkpoint kept outside the database (one JSON object per line) -> (pin, problem)."""
    try:
        data = json.loads(line)
        seq, hash_, at, signature = data["seq"], data["hash"], data["at"], data["signature"]
        expected = checkpoint_signature(seq=seq, hash=hash_, at=at)
    except (ValueError, KeyError, TypeError):
        return None, _("The checkpoint in %(source)s cannot be read.") % {"source": source}
    if not signature_matches(expected, signature):
        return None, _(
            "The checkpoint in %(source)s is not signed with this audit key: it was forged "
            "or changed, or AUDIT_KEY is not the key the log was written with."
        ) % {"source": source}
    return Pin(seq=int(seq), hash=hash_, source=source), None


def audit_verify(*, pins: Iterable[Pin] = ()) -> ChainReport:
    """Check the whole log: every event's HMAC and link to the one before, the residents
    it listed, the signed checkpoints (and any `pins` kept outside the database), and the
    chain head. Reads every event once, in chunks; writes nothing."""
    report = ChainReport()
    head_hash = AuditChainHead.objects.filter(pk=1).values_list("last_hash", flat=True).first()
    pins = list(pins)
    for checkpoint in AuditCheckpoint.objects.order_by("pk"):
        expected = checkpoint_signature(
            seq=checkpoint.seq, hash=checkpoint.hash, at=checkpoint.at.isoformat()
        )
        if signature_matches(expected, checkpoint.signature):
            source = _("checkpoint %(id)s") % {"id": checkpoint.pk}
            pins.append(Pin(checkpoint.seq, checkpoint.hash, source))
        else:
            report.fail(
                _(
                    "Checkpoint %(id)s is not signed with this audit key: it was forged or "
                    "changed, or AUDIT_KEY is not the key the log was written with."
                )
                % {"id": checkpoint.pk}
            )
    by_seq: dict[int, list[Pin]] = {}
    for pin in pins:
        by_seq.setdefault(pin.seq, []).append(pin)

    matched = _walk(report, by_seq, head_hash)
    if matched is None:
        return report
    for seq in sorted(by_seq):
        if seq in matched or (seq == 0 and all(pin.hash == GENESIS for pin in by_seq[seq])):
            continue
        report.fail(
            _(
                "Entry %(seq)s, recorded by %(source)s, is missing: the newest entries of the "
                "log have been removed."
            )
            % {"seq": seq, "source": by_seq[seq][0].source},
            at=seq,
        )
    return report


def _walk(
    report: ChainReport, pins: dict[int, list[Pin]], head_hash: str | None
) -> set[int] | None:
    """Walk the chain in order, filling `report`. Returns the pinned event ids found, or
    None when it stopped at a broken event."""
    matched: set[int] = set()
    prev = GENESIS
    keyed_seen = False
    last_unkeyed = None
    head_seen = head_hash in (None, GENESIS)
    subjects = Prefetch(
        "subjects", queryset=AuditEventSubject.objects.only("event_id", "resident_id")
    )
    events = AuditEvent.objects.order_by("pk").prefetch_related(subjects)
    for event in events.iterator(chunk_size=2000):
        problem = None
        if event.prev_hash != prev:
            problem = _("an entry before it was removed or added, or its link was changed")
        elif event.scheme not in Scheme.values:
            problem = _("its hash scheme is unknown")
        elif event.scheme == Scheme.SHA256 and keyed_seen:
            problem = _("it claims to be from before the audit key existed, but is not")
        elif not signature_matches(event.compute_hash(), event.hash):
            problem = _("its content or hash was changed, or it was written without the key")
        elif sorted(s.resident_id for s in event.subjects.all()) != event.listed_ids():
            problem = _("the residents it listed were changed")
        elif any(pin.hash != event.hash for pin in pins.get(event.pk, ())):
            problem = _("it is not the entry %(source)s recorded") % {
                "source": pins[event.pk][0].source
            }
        if problem:
            report.fail(
                _("The chain breaks at entry %(id)s: %(problem)s.")
                % {"id": event.pk, "problem": problem},
                at=event.pk,
            )
            return None
        if event.pk in pins:
            matched.add(event.pk)
        if event.scheme == Scheme.SHA256:
            last_unkeyed = event.pk
        else:
            keyed_seen = True
        head_seen = head_seen or event.hash == head_hash
        prev = event.hash
        report.events += 1
        report.head_seq, report.head_hash = event.pk, event.hash
    if last_unkeyed is not None and not any(seq >= last_unkeyed for seq in pins if seq > 0):
        # Plain SHA-256 needs no key, so those entries are trusted only up to a signed
        # checkpoint (the upgrade's migration writes one).
        report.fail(
            _(
                "Entries up to %(id)s were written before the audit key existed and no signed "
                "checkpoint covers them: they could have been re-chained without the key."
            )
            % {"id": last_unkeyed},
            at=last_unkeyed,
        )
    if not head_seen:
        report.fail(
            _(
                "The chain head points at an entry that is no longer in the log: the newest "
                "entries have been removed."
            ),
        )
    return matched


def audit_checkpoint(report: ChainReport) -> AuditCheckpoint:
    """Sign and store the head found by a check that passed. Returns the checkpoint."""
    if not report.intact:
        raise ValueError("Only an intact chain is checkpointed")
    at = timezone.now()
    return AuditCheckpoint.objects.create(
        at=at,
        seq=report.head_seq,
        hash=report.head_hash,
        signature=checkpoint_signature(
            seq=report.head_seq, hash=report.head_hash, at=at.isoformat()
        ),
    )


def audit_chain_verify() -> tuple[bool, int | None]:
    """Check the whole log. Returns (intact, id of the first broken or missing entry, if
    one can be named)."""
    report = audit_verify()
    return report.intact, report.broken_at
