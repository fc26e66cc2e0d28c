"""Changing and removing: versions guard every edit, rules say who, history is kept."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from commonweave.audit.models import AuditEvent
from commonweave.core.versioning import Conflict
from commonweave.learning import selectors, services
from commonweave.learning.models import (
    Action,
    Attendee,
    Barrier,
    BarrierChange,
    BarrierStory,
    Card,
    LogEntry,
    Session,
    Story,
    Vote,
)

from .conftest import set_story_consent

pytestmark = pytest.mark.django_db


def _events(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("pk"))


def test_a_stale_session_edit_raises_conflict_and_saves_nothing(world, storied):
    session = storied["session"]
    a, b = world.viewer(world.catalyst_a), world.viewer(world.worker_b)
    services.session_update(viewer=a, session=session, version=1, title="March (moved)")
    stale = Session.objects.get(pk=session.pk)
    stale.version = 1  # B loaded the page before A saved
    with pytest.raises(Conflict) as conflict:
        services.session_update(viewer=b, session=stale, version=1, notes="B's notes")
    assert conflict.value.current.version == 2
    session.refresh_from_db()
    assert (session.title, session.notes, session.version) == ("March (moved)", "", 2)


def test_recording_notes_is_guarded_too(world, storied):
    session = storied["session"]
    viewer = world.viewer(world.worker_b)
    services.session_record(viewer=viewer, session=session, version=1, notes="A", decisions="")
    with pytest.raises(Conflict):
        services.session_record(viewer=viewer, session=session, version=1, notes="B", decisions="")
    session.refresh_from_db()
    assert session.notes == "A"


def test_removing_a_session_takes_its_stories_and_attendees_but_keeps_barriers(world, storied):
    session, barrier = storied["session"], storied["barrier"]
    services.attendee_add(
        viewer=world.viewer(world.catalyst_a), session=session, name="Sam", organisation=world.org_b
    )
    action = services.action_create(
        viewer=world.viewer(world.catalyst_a),
        barrier=barrier,
        description="Tell the lunch club",
        owner_organisation=world.org_b,
        owner=world.worker_b,
        due_on=datetime.date(2026, 6, 1),
        session=session,
    )
    # Only whoever recorded it, or a place admin.
    with pytest.raises(Http404):
        services.session_delete(viewer=world.viewer(world.worker_b), session=session, version=1)
    with pytest.raises(Conflict):
        services.session_delete(viewer=world.viewer(world.catalyst_a), session=session, version=7)
    before = AuditEvent.objects.count()
    summary = services.session_delete(
        viewer=world.viewer(world.catalyst_a), session=session, version=1
    )
    assert summary == {"stories": 1, "attendees": 1}
    assert (Session.objects.count(), Story.objects.count(), Attendee.objects.count()) == (0, 0, 0)
    assert Barrier.objects.get() == barrier
    assert BarrierStory.objects.count() == 0
    action.refresh_from_db()
    assert action.session is None
    events = list(AuditEvent.objects.order_by("pk")[before:])
    # The linked story names its resident; the session's own event carries no one.
    # Removals are logged as removals (the audit log's DELETE action), not as changes.
    assert [(e.action, e.object_type, e.resident_id, e.detail) for e in events] == [
        ("delete", "learning.story", storied["resident"].public_id, {"story": "deleted"}),
        ("delete", "learning.session", "", {"stories": 1, "attendees": 1}),
    ]


def test_attendee_removal_is_audited(world, storied):
    attendee = services.attendee_add(
        viewer=world.viewer(world.catalyst_a),
        session=storied["session"],
        name="Sam Ward",
        organisation_name="Ward 7",
    )
    attendee_id = attendee.pk
    services.attendee_remove(viewer=world.viewer(world.worker_b), attendee=attendee)
    assert storied["session"].attendees.count() == 0
    event = AuditEvent.objects.latest("pk")
    assert (event.action, event.object_type, event.object_id, event.detail) == (
        "delete",
        "learning.attendee",
        str(attendee_id),
        {"session": storied["session"].public_id},
    )
    assert "Sam" not in str(event.detail)


def test_story_edit_keeps_the_link_and_audits_with_the_resident(world, storied):
    story, resident = storied["story"], storied["resident"]
    viewer = world.viewer(world.catalyst_a)
    services.story_update(
        viewer=viewer, story=story, version=1, title="Home from hospital", text="Rewritten."
    )
    story.refresh_from_db()
    assert (story.title, story.text, story.resident, story.version) == (
        "Home from hospital",
        "Rewritten.",
        resident,
        2,
    )
    event = AuditEvent.objects.latest("pk")
    assert (event.resident_id, event.detail) == (resident.public_id, {"story": "changed"})


def test_only_the_bringing_organisation_changes_a_story(world, storied):
    with pytest.raises(Http404):
        services.story_update(
            viewer=world.viewer(world.worker_b),
            story=storied["story"],
            version=1,
            title="x",
            text="y",
        )
    with pytest.raises(Http404):
        services.story_delete(
            viewer=world.viewer(world.worker_b), story=storied["story"], version=1
        )
    # a place admin may step in
    services.story_update(
        viewer=world.viewer(world.manager_a), story=storied["story"], version=1, title="x", text="y"
    )


def test_linking_on_edit_needs_story_consent_and_unlinking_is_audited(world, storied):
    from commonweave.demo.factories import ResidentFactory

    viewer = world.viewer(world.catalyst_a)
    story, resident = storied["story"], storied["resident"]
    other = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    with pytest.raises(ValidationError) as err:
        services.story_update(
            viewer=viewer,
            story=story,
            version=1,
            title="t",
            text="x",
            resident_public_id=other.public_id,
        )
    assert list(err.value.message_dict) == ["resident"]
    story.refresh_from_db()
    assert (story.resident, story.version) == (resident, 1)
    services.story_update(
        viewer=viewer, story=story, version=1, title="t", text="x", resident_public_id=""
    )
    story.refresh_from_db()
    assert (story.resident, story.resident_linked_at) == (None, None)
    event = AuditEvent.objects.latest("pk")
    assert (event.resident_id, event.detail) == (resident.public_id, {"story": "unlinked"})


def test_relinking_after_consent_is_given_again_shows_the_resident(world, storied):
    viewer = world.viewer(world.catalyst_a)
    story, resident = storied["story"], storied["resident"]
    set_story_consent(world, resident, False)
    assert selectors.story_identities(viewer, [story]) == {}
    set_story_consent(world, resident, True)
    assert selectors.story_identities(viewer, [story]) == {}  # the old link stays hidden
    services.story_update(
        viewer=viewer,
        story=story,
        version=1,
        title=story.title,
        text=story.text,
        resident_public_id=resident.public_id,
    )
    assert selectors.story_identities(viewer, [story]) == {story.pk: resident}


def test_story_withdrawal_removes_its_cases_and_is_audited(world, storied):
    barrier, story = storied["barrier"], storied["story"]
    assert selectors.case_counts([barrier.pk]) == {barrier.pk: 1}
    services.story_delete(viewer=world.viewer(world.catalyst_a), story=story, version=1)
    assert selectors.case_counts([barrier.pk]) == {barrier.pk: 0}
    event = AuditEvent.objects.latest("pk")
    assert (event.action, event.resident_id, event.detail) == (
        "delete",
        storied["resident"].public_id,
        {"story": "deleted"},
    )


def test_barrier_edit_is_kept_in_its_history_and_guarded(world, storied):
    barrier = storied["barrier"]
    viewer = world.viewer(world.worker_b)
    services.barrier_set_level(viewer=viewer, barrier=barrier, level="useful", evidence="Done.")
    # appending learning does not move the version, so an edit begun before it still saves
    services.barrier_update(
        viewer=viewer,
        barrier=barrier,
        version=1,
        title="Discharge without telling anyone",
        quadrant="practice",
    )
    change = BarrierChange.objects.get()
    assert change.changes == {
        "title": [
            "Hospital discharge happens without telling the person's support network",
            "Discharge without telling anyone",
        ],
        "quadrant": ["System Conditions", "Practice & Citizen Experience"],
    }
    with pytest.raises(Conflict):
        services.barrier_update(viewer=viewer, barrier=barrier, version=1, title="Stale words")
    barrier.refresh_from_db()
    assert (barrier.title, barrier.version, barrier.level) == (
        "Discharge without telling anyone",
        2,
        "useful",
    )
    kinds = [kind for kind, _ in selectors.barrier_timeline(barrier)]
    assert kinds == ["change", "level"]


def test_withdrawing_a_duplicate_moves_its_cases_and_keeps_it_out_of_the_register(world, storied):
    viewer = world.viewer(world.catalyst_a)
    keep = storied["barrier"]
    dupe = services.barrier_create(
        viewer=viewer,
        title="Nobody tells the lunch club when someone is discharged",
        quadrant="system",
    )
    story = services.story_add(
        viewer=viewer, session=storied["session"], title="Another", text="words"
    )
    services.barrier_link_story(viewer=viewer, barrier=dupe, story=story)
    services.barrier_link_story(viewer=viewer, barrier=dupe, story=storied["story"])
    action = services.action_create(
        viewer=viewer,
        barrier=dupe,
        description="Ring the club",
        owner_organisation=world.org_a,
        owner=world.catalyst_a,
        due_on=datetime.date(2026, 6, 1),
    )
    with pytest.raises(Http404):  # neither its author nor a place admin
        services.barrier_withdraw(
            viewer=world.viewer(world.worker_b), barrier=dupe, version=1, reason="dupe"
        )
    with pytest.raises(ValidationError) as err:
        services.barrier_withdraw(viewer=viewer, barrier=dupe, version=1, reason=" ")
    assert list(err.value.message_dict) == ["reason"]
    with pytest.raises(ValidationError):
        services.barrier_withdraw(viewer=viewer, barrier=dupe, version=1, reason="x", same_as=dupe)
    services.barrier_withdraw(
        viewer=viewer, barrier=dupe, version=1, reason="Same as the discharge one", same_as=keep
    )
    dupe.refresh_from_db()
    assert (dupe.is_withdrawn, dupe.same_as, dupe.version) == (True, keep, 2)
    action.refresh_from_db()
    assert action.barrier == keep
    assert sorted(keep.stories.values_list("title", flat=True)) == [
        "Another",
        "Home from hospital with no one told",
    ]
    assert list(selectors.barriers_for(viewer)) == [keep]
    assert list(selectors.barriers_for(viewer, withdrawn=True)) == [dupe]
    assert [s[0] for s in selectors.similar_barriers(viewer, dupe.title)] == [keep]
    board = selectors.barrier_board(viewer)
    assert sum(cell["count"] for row in board for cell in row["cells"]) == 1
    assert [c.kind for c in BarrierChange.objects.filter(barrier=dupe)] == ["withdrawn"]
    assert BarrierChange.objects.get(barrier=keep).changes == {
        "merged_from": [None, dupe.public_id]
    }
    # a withdrawn barrier takes no new cases, learning or actions
    with pytest.raises(ValidationError):
        services.barrier_link_story(viewer=viewer, barrier=dupe, story=story)
    with pytest.raises(ValidationError):
        services.barrier_set_level(viewer=viewer, barrier=dupe, level="useful", evidence="x")


def _action(world, barrier, **extra):
    return services.action_create(
        viewer=world.viewer(world.manager_a),
        barrier=barrier,
        description="Send discharge notices to the lunch club",
        owner_organisation=world.org_b,
        owner=world.worker_b,
        due_on=datetime.date(2026, 6, 1),
        **extra,
    )


def test_action_edit_by_the_owning_organisation_is_guarded(world, storied):
    action = _action(world, storied["barrier"])
    Action.objects.filter(pk=action.pk).update(last_reminded_on=datetime.date(2026, 5, 30))
    action.refresh_from_db()
    change = {
        "description": "Send notices by email",
        "owner_organisation": world.org_b,
        "owner": None,
        "owner_name": "Ward clerk",
        "due_on": datetime.date(2026, 7, 1),
    }
    with pytest.raises(Http404):
        services.action_update(
            viewer=world.viewer(world.analyst), action=action, version=1, **change
        )
    services.action_update(
        viewer=world.viewer(world.catalyst_b), action=action, version=1, **change
    )
    action.refresh_from_db()
    assert (action.owner_label, action.due_on, action.last_reminded_on, action.version) == (
        "Ward clerk",
        datetime.date(2026, 7, 1),
        None,  # a new date: reminders start again
        2,
    )
    with pytest.raises(Conflict):
        services.action_set_status(
            viewer=world.viewer(world.worker_b), action=action, status="done", version=1
        )
    action.refresh_from_db()
    assert action.status == "open"


def test_only_whoever_set_an_action_or_an_admin_removes_it(world, storied):
    action = _action(world, storied["barrier"])
    with pytest.raises(Http404):  # the owner marks it "no longer needed" instead
        services.action_delete(viewer=world.viewer(world.worker_b), action=action, version=1)
    with pytest.raises(Conflict):
        services.action_delete(viewer=world.viewer(world.manager_a), action=action, version=2)
    services.action_delete(viewer=world.viewer(world.manager_a), action=action, version=1)
    assert Action.objects.count() == 0


def test_log_entries_are_changed_by_their_organisation(world, storied):
    viewer = world.viewer(world.worker_b)
    entry = services.log_entry_create(
        viewer=viewer, kind="reflection", title="Chairing", body="Who chairs matters.", tags="power"
    )
    fields = {"kind": "reflection", "title": "Chairing, again", "body": "Residents chair now."}
    with pytest.raises(Http404):
        services.log_entry_update(
            viewer=world.viewer(world.catalyst_a), entry=entry, version=1, **fields
        )
    services.log_entry_update(
        viewer=world.viewer(world.catalyst_b),  # same organisation as the author
        entry=entry,
        version=1,
        tags="power sharing, chairs",
        barriers=[storied["barrier"]],
        **fields,
    )
    entry.refresh_from_db()
    assert (entry.title, entry.version) == ("Chairing, again", 2)
    assert sorted(entry.tags.values_list("name", flat=True)) == ["chairs", "power sharing"]
    assert [e.title for e in selectors.log_search(viewer, barrier=storied["barrier"])] == [
        "Chairing, again"
    ]
    with pytest.raises(Conflict):
        services.log_entry_update(viewer=viewer, entry=entry, version=1, **fields)
    services.log_entry_delete(viewer=viewer, entry=entry, version=2)
    assert LogEntry.objects.count() == 0


def test_changing_a_cards_words_clears_its_votes_but_moving_it_does_not(world):
    viewer = world.viewer(world.worker_b)
    board = services.board_create(viewer=viewer, title="Review")
    card = services.card_add(viewer=viewer, board=board, column="keep", text="Joint visits")
    services.card_vote(viewer=world.viewer(world.analyst), card=card)
    assert services.card_update(
        viewer=viewer, card=card, version=1, column="amplify", text="Joint visits"
    ) == {"votes_cleared": 0}
    assert Vote.objects.count() == 1
    with pytest.raises(Http404):
        services.card_update(
            viewer=world.viewer(world.analyst), card=card, version=2, column="keep", text="x"
        )
    assert services.card_update(
        viewer=viewer, card=card, version=2, column="amplify", text="Joint home visits"
    ) == {"votes_cleared": 1}
    with pytest.raises(Conflict):
        services.card_delete(viewer=viewer, card=card, version=2)
    services.card_delete(viewer=world.viewer(world.manager_a), card=card, version=3)
    assert Card.objects.count() == 0
