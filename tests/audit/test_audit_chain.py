"""The audit chain: keyed with AUDIT_KEY, pinned by signed checkpoints, checked daily by
`manage.py verify_audit`. Each test plays someone with write access to the database but
not the key."""

import hashlib
import importlib
import io
import json

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commonweave.audit.enums import Action, Purpose, Scheme
from commonweave.audit.models import (
    GENESIS,
    AuditChainHead,
    AuditCheckpoint,
    AuditEvent,
    AuditEventSubject,
)
from commonweave.audit.services import audit_chain_verify, audit_record, audit_verify
from commonweave.demo.factories import ResidentFactory

WRONG_KEY = "a-key-that-is-not-the-audit-key-0123456789"


def write(world, resident, n=1):
    viewer = world.viewer(world.catalyst_a)
    return [
        audit_record(viewer=viewer, action=Action.VIEW, purpose=Purpose.CASEWORK, obj=resident)
        for _ in range(n)
    ]


def verify(**options):
    """Run the daily command: (stdout, stderr), or CommandError when it fails."""
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_audit", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def verify_fails(**options):
    err = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("verify_audit", stdout=io.StringIO(), stderr=err, **options)
    assert failed.value.returncode != 0
    assert "THE AUDIT LOG HAS BEEN CHANGED OR DAMAGED" in err.getvalue()
    return err.getvalue()


def set_head(hash_):
    """An attacker tidies the chain head up, so the next event links on without a break."""
    AuditChainHead.objects.filter(pk=1).update(last_hash=hash_)


def truncate(count):
    """Delete the newest `count` events, as someone with database access could."""
    newest = list(AuditEvent.objects.order_by("-pk").values_list("pk", flat=True)[:count])
    AuditEventSubject.objects.filter(event_id__in=newest).delete()
    AuditEvent.objects.filter(pk__in=newest).delete()
    tail = AuditEvent.objects.order_by("-pk").values_list("hash", flat=True).first()
    set_head(tail or GENESIS)
    return newest


def rechain(*, key=None, scheme=Scheme.HMAC_SHA256, edit=None):
    """Rewrite every event's hash from the start: with plain SHA-256 (key=None) or an HMAC
    with a key that is not the audit key. `edit` changes one event's purpose first."""
    prev = GENESIS
    for event in AuditEvent.objects.order_by("pk"):
        if event.pk == edit:
            event.purpose = Purpose.ADMIN
        event.prev_hash, event.scheme = prev, scheme
        if key is None:
            plain = AuditEvent(**{f.attname: getattr(event, f.attname) for f in event._meta.fields})
            plain.scheme = Scheme.SHA256
            event.hash = plain.compute_hash()
        else:
            event.hash = event.compute_hash(key)
        AuditEvent.objects.filter(pk=event.pk).update(
            purpose=event.purpose, prev_hash=event.prev_hash, hash=event.hash, scheme=scheme
        )
        prev = event.hash
    set_head(prev)


# --- a good chain ------------------------------------------------------------------------


def test_a_good_chain_passes_and_the_command_writes_a_checkpoint(world, resident_a):
    events = write(world, resident_a, 3)
    assert audit_chain_verify() == (True, None)
    out, err = verify()
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.seq, checkpoint.hash) == (events[-1].pk, events[-1].hash)
    assert out.startswith("Audit log intact: 3 entries")
    assert f"Checkpoint {checkpoint.pk} written." in out
    assert out.count("\n") == 1 and err == ""
    # The next day's run still passes, now held to yesterday's checkpoint too.
    write(world, resident_a, 2)
    verify()
    assert AuditCheckpoint.objects.count() == 2


def test_an_empty_log_passes(db):
    out, _ = verify()
    assert "Audit log intact: 0 entries" in out
    verify()


def test_events_are_hmacs_with_the_audit_key(world, resident_a, settings):
    (event,) = write(world, resident_a)
    assert event.scheme == Scheme.HMAC_SHA256
    assert event.hash == event.compute_hash(settings.AUDIT_KEY) != event.compute_hash(WRONG_KEY)
    settings.AUDIT_KEY = WRONG_KEY  # the server started with another key: nothing verifies
    assert audit_chain_verify() == (False, event.pk)


# --- tampering ---------------------------------------------------------------------------


def test_truncating_the_newest_events_is_detected(world, resident_a):
    checkpointed = write(world, resident_a, 3)[-1]
    verify()
    write(world, resident_a, 3)
    removed = truncate(4)  # back past the checkpoint, chain head tidied up
    assert checkpointed.pk in removed
    assert audit_chain_verify() == (False, checkpointed.pk)
    err = verify_fails()
    assert f"Entry {checkpointed.pk}, recorded by checkpoint" in err
    assert "is missing: the newest entries of the log have been removed" in err


def test_truncating_without_tidying_the_chain_head_is_detected(world, resident_a):
    write(world, resident_a, 3)
    AuditEvent.objects.filter(pk=AuditEvent.objects.order_by("-pk")[0].pk).delete()
    assert "The chain head points at an entry that is no longer in the log" in verify_fails()


def test_deleting_the_newest_events_and_checkpoints_is_caught_by_the_copy_outside(
    world, resident_a, tmp_path
):
    outside = tmp_path / "checkpoints.jsonl"
    write(world, resident_a, 3)
    verify(checkpoint_file=outside)
    write(world, resident_a, 3)
    verify(checkpoint_file=outside)
    assert [json.loads(line)["seq"] for line in outside.read_text().splitlines()] == list(
        AuditCheckpoint.objects.order_by("pk").values_list("seq", flat=True)
    )
    truncate(2)  # after the first checkpoint, before the second, which goes too
    AuditCheckpoint.objects.filter(pk=AuditCheckpoint.objects.order_by("-pk")[0].pk).delete()
    # From inside the database alone the shorter log looks whole: this is the known gap...
    verify(no_checkpoint=True)
    # ...which the checkpoint kept outside it closes.
    assert "is missing" in verify_fails(checkpoint_file=outside)


def test_a_forged_line_in_the_outside_file_is_refused(world, resident_a, tmp_path):
    outside = tmp_path / "checkpoints.jsonl"
    write(world, resident_a, 2)
    verify(checkpoint_file=outside)
    line = json.loads(outside.read_text())
    line["seq"] -= 1
    outside.write_text(json.dumps(line) + "\n")
    assert "is not signed with this audit key" in verify_fails(checkpoint_file=outside)


def test_editing_one_event_is_detected(world, resident_a):
    events = write(world, resident_a, 3)
    AuditEvent.objects.filter(pk=events[1].pk).update(purpose=Purpose.ADMIN)
    assert audit_chain_verify() == (False, events[1].pk)
    assert f"The chain breaks at entry {events[1].pk}" in verify_fails()
    assert not AuditCheckpoint.objects.exists()  # nothing is signed over a broken log


def test_deleting_a_middle_event_is_detected(world, resident_a):
    events = write(world, resident_a, 3)
    AuditEvent.objects.filter(pk=events[1].pk).delete()
    assert audit_chain_verify() == (False, events[2].pk)
    verify_fails()


@pytest.mark.parametrize(
    ("how", "scheme"),
    [
        ("plain SHA-256", Scheme.HMAC_SHA256),
        ("plain SHA-256, claiming to be from before the key", Scheme.SHA256),
        ("HMAC with another key", Scheme.HMAC_SHA256),
    ],
)
def test_rechaining_the_whole_table_without_the_key_is_detected(world, resident_a, how, scheme):
    events = write(world, resident_a, 4)
    rechain(key=WRONG_KEY if "another key" in how else None, scheme=scheme, edit=events[2].pk)
    intact, broken_at = audit_chain_verify()
    assert not intact
    verify_fails()


def test_rechaining_after_a_checkpoint_is_detected_there_too(world, resident_a):
    events = write(world, resident_a, 4)
    verify()
    rechain(scheme=Scheme.SHA256, edit=events[2].pk)
    assert not audit_verify().intact
    verify_fails()


def test_a_forged_checkpoint_is_detected(world, resident_a):
    events = write(world, resident_a, 2)
    verify()
    AuditCheckpoint.objects.update(seq=events[0].pk, hash=events[0].hash)
    assert "Checkpoint" in verify_fails() and "not signed with this audit key" in verify_fails()


def test_the_residents_a_list_showed_cannot_be_changed_silently(world, resident_a):
    other = ResidentFactory(organisation=world.org_a)
    viewer = world.viewer(world.catalyst_a)
    event = audit_record(
        viewer=viewer,
        action=Action.LIST,
        purpose=Purpose.CASEWORK,
        object_type="people.resident",
        residents=[resident_a, other],
    )
    write(world, resident_a)
    assert audit_chain_verify() == (True, None)
    AuditEventSubject.objects.filter(event=event, resident_id=other.public_id).delete()
    assert audit_chain_verify() == (False, event.pk)
    AuditEventSubject.objects.create(event=event, resident_id=other.public_id)
    assert audit_chain_verify() == (True, None)
    AuditEventSubject.objects.filter(event=event, resident_id=other.public_id).update(
        resident_id="zzzzzzzzzzzz"
    )
    assert audit_chain_verify() == (False, event.pk)


def test_the_log_page_reports_a_truncation(world, resident_a):
    from django.urls import reverse

    from tests.conftest import client_for

    write(world, resident_a, 3)
    verify()
    truncate(2)
    html = client_for(world.manager_a).get(reverse("audit:log"), {"verify": "1"}).content.decode()
    assert "The log has been changed or damaged" in html
    assert "the newest entries of the log have been removed" in html


# --- events from before the key ------------------------------------------------------------


def legacy_event(world, resident, **fields):
    """An event as written before the audit key existed: plain SHA-256, no subject rows."""
    head, _ = AuditChainHead.objects.get_or_create(pk=1)
    event = AuditEvent(
        place=world.place,
        actor=world.catalyst_a,
        actor_label=f"user:{world.catalyst_a.pk}",
        organisation=world.org_a,
        purpose=Purpose.CASEWORK,
        object_type="people.resident",
        prev_hash=head.last_hash,
        scheme=Scheme.SHA256,
        **fields,
    )
    event.hash = event.compute_hash()
    event.save()
    set_head(event.hash)
    return event


def seal_unkeyed_events():
    """What the upgrade's migration does, run against the test database."""
    migration = importlib.import_module("commonweave.audit.migrations.0004_seal_unkeyed_events")
    migration.forwards(apps, None)


def test_events_from_before_the_key_verify_once_sealed(world, resident_a):
    legacy_event(world, resident_a, action=Action.VIEW, object_id=resident_a.public_id)
    legacy_event(
        world,
        resident_a,
        action=Action.SEARCH,
        object_id="",
        detail={"results": [resident_a.public_id]},
    )
    legacy_event(world, resident_a, action=Action.UPDATE, detail={"residents": 3})  # a count
    old = legacy_event(
        world, resident_a, action=Action.LIST, detail={"residents": [resident_a.public_id]}
    )
    verify_fails()  # not yet listed per resident, nor sealed
    seal_unkeyed_events()
    assert AuditEventSubject.objects.filter(resident_id=resident_a.public_id).count() == 2
    assert AuditCheckpoint.objects.get().seq == old.pk
    write(world, resident_a, 2)
    out, _ = verify()
    assert "Audit log intact: 6 entries" in out


def test_events_from_before_the_key_cannot_be_rechained_after_the_seal(world, resident_a):
    first = legacy_event(world, resident_a, action=Action.VIEW, object_id="a")
    legacy_event(world, resident_a, action=Action.VIEW, object_id="b")
    seal_unkeyed_events()
    write(world, resident_a)
    rechain(scheme=Scheme.SHA256, edit=first.pk)
    assert not audit_verify().intact
    verify_fails()


def test_deleting_the_seal_is_detected(world, resident_a):
    legacy_event(world, resident_a, action=Action.VIEW, object_id="a")
    seal_unkeyed_events()
    write(world, resident_a)
    AuditCheckpoint.objects.all().delete()
    assert "no signed checkpoint covers them" in verify_fails()


# --- writing stays cheap -----------------------------------------------------------------


def test_writing_an_event_costs_the_same_queries_as_before(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    write(world, resident_a)  # the chain head exists from here on, as in a running system
    with CaptureQueriesContext(connection) as one_view:
        audit_record(viewer=viewer, action=Action.VIEW, purpose=Purpose.CASEWORK, obj=resident_a)
    # savepoint, lock the head, insert the event, move the head, release: as before keying.
    assert len(one_view) == 5
    many = [ResidentFactory(organisation=world.org_a) for _ in range(12)]
    for listed in (many[:1], many):
        with CaptureQueriesContext(connection) as one_list:
            audit_record(
                viewer=viewer,
                action=Action.LIST,
                purpose=Purpose.CASEWORK,
                object_type="people.resident",
                residents=listed,
            )
        # One more for a list however long: a single insert of its residents.
        assert len(one_list) == 6


def test_an_empty_list_writes_no_subject_rows(world):
    event = audit_record(
        viewer=world.viewer(world.catalyst_a),
        action=Action.LIST,
        purpose=Purpose.CASEWORK,
        object_type="people.resident",
        residents=[],
    )
    assert event.detail == {"residents": []}
    assert not AuditEventSubject.objects.exists()


def test_residents_are_ids_only(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    with pytest.raises(ValueError, match="residents="):
        audit_record(
            viewer=viewer,
            action=Action.LIST,
            purpose=Purpose.CASEWORK,
            residents=[resident_a.full_name],
        )
    with pytest.raises(ValueError, match="residents="):
        audit_record(
            viewer=viewer,
            action=Action.LIST,
            purpose=Purpose.CASEWORK,
            detail={"residents": [resident_a.public_id]},
        )
    assert not AuditEvent.objects.exists()


def test_the_legacy_hash_is_unchanged(world):
    """Events from before the key must still hash exactly as they were written."""
    event = AuditEvent(
        at=AuditEvent._meta.get_field("at").default(),
        actor_label="anonymous",
        action=Action.VIEW,
        purpose=Purpose.INTAKE,
        object_type="people.referral",
        object_id="r1",
        detail={"b": 1, "a": [2]},
        prev_hash=GENESIS,
        scheme=Scheme.SHA256,
    )
    payload = json.dumps(
        [
            GENESIS,
            event.at.isoformat(),
            None,
            "anonymous",
            None,
            "view",
            "intake",
            "people.referral",
            "r1",
            "",
            {"b": 1, "a": [2]},
        ],
        sort_keys=True,
        default=str,
    )
    assert event.compute_hash() == hashlib.sha256(payload.encode()).hexdigest()
