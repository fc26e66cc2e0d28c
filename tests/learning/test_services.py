import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404

from commonweave.audit.models import AuditEvent
from commonweave.core.versioning import Conflict
from commonweave.demo.factories import ResidentFactory
from commonweave.learning import selectors, services
from commonweave.learning.enums import ActionStatus, Level
from commonweave.learning.models import Action, LevelChange, PhaseChange
from commonweave.learning.reminders import ConsoleSender, MemorySender
from commonweave.tenancy.enums import Phase
from commonweave.tenancy.viewer import viewer_for_user

from .barrier_texts import REGISTER, REWORDED
from .conftest import set_story_consent

pytestmark = pytest.mark.django_db


def test_story_links_resident_only_with_story_consent(world):
    resident = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    viewer = world.viewer(world.catalyst_a)
    session = services.session_create(viewer=viewer, title="S", held_on=datetime.date(2026, 3, 1))
    with pytest.raises(ValidationError) as err:
        services.story_add(
            viewer=viewer,
            session=session,
            title="T",
            text="words",
            resident_public_id=resident.public_id,
        )
    assert list(err.value.message_dict) == ["resident"]
    assert session.stories.count() == 0
    # written freely, it is anonymous
    story = services.story_add(viewer=viewer, session=session, title="T", text="words")
    assert story.resident is None


def test_story_cannot_link_a_resident_the_viewer_cannot_see(world, storied):
    viewer = world.viewer(world.worker_b)
    with pytest.raises(ValidationError) as err:
        services.story_add(
            viewer=viewer,
            session=storied["session"],
            title="T",
            text="words",
            resident_public_id=storied["resident"].public_id,
        )
    assert list(err.value.message_dict) == ["resident"]


def test_identity_shown_only_to_those_who_may_see_the_resident(world, storied):
    story = storied["story"]
    shown = selectors.story_identities(world.viewer(world.catalyst_a), [story])
    assert shown == {story.pk: storied["resident"]}
    # org B staff (an attendee from another organisation) and the analyst see no identity
    assert selectors.story_identities(world.viewer(world.worker_b), [story]) == {}
    assert selectors.story_identities(world.viewer(world.catalyst_b), [story]) == {}
    assert selectors.story_identities(world.viewer(world.analyst), [story]) == {}


def test_withdrawing_story_consent_removes_the_link_at_once(world, storied):
    story = storied["story"]
    viewer = world.viewer(world.catalyst_a)
    assert selectors.story_identities(viewer, [story]) == {story.pk: storied["resident"]}
    set_story_consent(world, storied["resident"], False)
    assert selectors.story_identities(viewer, [story]) == {}


def test_giving_story_consent_again_does_not_relink_old_stories(world, storied):
    viewer = world.viewer(world.catalyst_a)
    set_story_consent(world, storied["resident"], False)
    set_story_consent(world, storied["resident"], True)
    assert selectors.story_identities(viewer, [storied["story"]]) == {}
    newer = services.story_add(
        viewer=viewer,
        session=storied["session"],
        title="Later",
        text="words",
        resident_public_id=storied["resident"].public_id,
    )
    assert selectors.story_identities(viewer, [storied["story"], newer]) == {
        newer.pk: storied["resident"]
    }


def test_showing_an_identity_is_audited_once(world, storied):
    before = AuditEvent.objects.count()
    selectors.story_identities(world.viewer(world.catalyst_a), [storied["story"]])
    event = AuditEvent.objects.order_by("-pk").first()
    assert AuditEvent.objects.count() == before + 1
    assert event.detail == {"residents": [storied["resident"].public_id]}


def _register(world):
    viewer = world.viewer(world.manager_a)
    quadrant_for = {
        "Practice & Citizen Experience": "practice",
        "System Conditions": "system",
        "Workforce & Culture": "workforce",
        "Leadership & Governance": "leadership",
    }
    return viewer, [
        services.barrier_create(viewer=viewer, title=title, quadrant=quadrant_for[q])
        for title, q in REGISTER
    ]


@pytest.mark.parametrize(("text", "index"), REWORDED)
def test_similar_barrier_suggestion_finds_a_reworded_duplicate(world, text, index):
    viewer, barriers = _register(world)
    found = selectors.similar_barriers(viewer, text)
    assert found[0][0] == barriers[index]


def test_unrelated_text_suggests_nothing(world):
    viewer, _ = _register(world)
    assert selectors.similar_barriers(viewer, "Parking permits cost too much for visitors") == []


def test_similarity_sees_new_barriers_at_once_and_stays_in_its_place(world):
    viewer, _ = _register(world)
    selectors.similar_barriers(viewer, "warm the index")
    added = services.barrier_create(
        viewer=viewer, title="Pharmacies close before people finish work", quadrant="system"
    )
    found = selectors.similar_barriers(viewer, "The chemist shuts before residents get home")
    assert found[0][0] == added
    outsider = viewer_for_user(world.outsider, world.other_place)
    assert selectors.similar_barriers(outsider, "The chemist shuts before work ends") == []


def test_barrier_count_and_trend_across_cases_and_months(world, storied):
    viewer = world.viewer(world.catalyst_a)
    barrier = storied["barrier"]
    april = services.session_create(viewer=viewer, title="April", held_on=datetime.date(2026, 4, 8))
    for n in range(2):
        story = services.story_add(viewer=viewer, session=april, title=f"S{n}", text="words")
        services.barrier_link_story(viewer=viewer, barrier=barrier, story=story)
    assert selectors.case_counts([barrier.pk]) == {barrier.pk: 3}
    trend = selectors.barrier_trends([barrier.pk], months=3, today=datetime.date(2026, 4, 20))
    assert trend[barrier.pk] == [
        (datetime.date(2026, 2, 1), 0),
        (datetime.date(2026, 3, 1), 1),
        (datetime.date(2026, 4, 1), 2),
    ]


def test_learning_level_needs_evidence_and_keeps_history(world, storied):
    viewer = world.viewer(world.worker_b)
    barrier = storied["barrier"]
    with pytest.raises(ValidationError) as err:
        services.barrier_set_level(viewer=viewer, barrier=barrier, level=Level.USEFUL, evidence="")
    assert list(err.value.message_dict) == ["evidence"]
    services.barrier_set_level(
        viewer=viewer, barrier=barrier, level=Level.USEFUL, evidence="Her GP was told."
    )
    services.barrier_set_level(
        viewer=viewer,
        barrier=barrier,
        level=Level.GOOD,
        evidence="Discharge letters go only to the GP, never to community groups.",
    )
    barrier.refresh_from_db()
    assert barrier.level == Level.GOOD
    history = [(c.from_level, c.to_level) for c in selectors.barrier_history(barrier)]
    assert history == [(Level.USEFUL, Level.GOOD), (Level.NEW, Level.USEFUL)]
    board = selectors.barrier_board(viewer)
    good_row = next(r for r in board if r["level"] == Level.GOOD)
    system_cell = next(c for c in good_row["cells"] if c["quadrant"] == "system")
    assert system_cell["count"] == 1
    assert system_cell["barriers"] == [barrier]
    assert LevelChange.objects.count() == 2


def _action(world, barrier, due, owner=None, org=None):
    return services.action_create(
        viewer=world.viewer(world.manager_a),
        barrier=barrier,
        description="Send discharge notices to the lunch club too",
        owner_organisation=org or world.org_b,
        owner=owner if owner is not None else world.worker_b,
        due_on=due,
    )


def test_overdue_actions_per_organisation_with_a_frozen_clock(world, storied):
    barrier = storied["barrier"]
    with time_machine.travel(datetime.datetime(2026, 5, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        _action(world, barrier, datetime.date(2026, 5, 10))
        _action(world, barrier, datetime.date(2026, 5, 20), owner=world.catalyst_a, org=world.org_a)
    viewer = world.viewer(world.worker_b)
    with time_machine.travel(datetime.datetime(2026, 5, 9, 12, 0, tzinfo=datetime.UTC), tick=False):
        counts = {
            o.name: (o.open_actions, o.overdue_actions)
            for o in selectors.actions_by_organisation(viewer)
        }
        assert counts == {"Testford Connect": (1, 0), "Testford Council": (1, 0)}
    with time_machine.travel(
        datetime.datetime(2026, 5, 11, 12, 0, tzinfo=datetime.UTC), tick=False
    ):
        counts = {
            o.name: (o.open_actions, o.overdue_actions)
            for o in selectors.actions_by_organisation(viewer)
        }
        assert counts == {"Testford Connect": (1, 0), "Testford Council": (1, 1)}
        assert list(Action.objects.overdue()) == [Action.objects.get(owner=world.worker_b)]


def test_reminders_go_through_the_configured_sender_once_a_day(world, storied, settings):
    settings.LEARNING_REMINDER_SENDER = "commonweave.learning.reminders.MemorySender"
    MemorySender.sent = []
    barrier = storied["barrier"]
    with time_machine.travel(datetime.datetime(2026, 5, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        overdue = _action(world, barrier, datetime.date(2026, 4, 28))
        _action(world, barrier, datetime.date(2026, 5, 4), owner=world.catalyst_a, org=world.org_a)
        _action(world, barrier, datetime.date(2026, 6, 30))  # not due for weeks
        external = services.action_create(
            viewer=world.viewer(world.manager_a),
            barrier=barrier,
            description="Ask the ward",
            owner_organisation=world.org_b,
            owner_name="Ward manager",
            due_on=datetime.date(2026, 4, 30),
        )
        assert services.action_reminders_send() == {"sent": 2, "unreachable": 1}
        assert services.action_reminders_send() == {"sent": 0, "unreachable": 1}
    assert [m["to"] for m in MemorySender.sent] == [
        "worker.b@example.org",
        "catalyst.a@example.org",
    ]
    assert MemorySender.sent[0]["subject"] == "Overdue action"
    assert "3 days ago" in MemorySender.sent[0]["body"]
    assert "Oyelaran" not in str(MemorySender.sent)  # never a resident's details
    services.action_set_status(
        viewer=world.viewer(world.worker_b), action=overdue, status=ActionStatus.DONE, version=1
    )
    with time_machine.travel(datetime.datetime(2026, 5, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        assert services.action_reminders_send() == {"sent": 1, "unreachable": 1}
    assert external.owner is None


def test_console_sender_is_the_default(world, storied, settings):
    out = io.StringIO()
    sender = ConsoleSender(stream=out)
    _action(world, storied["barrier"], datetime.date(2020, 1, 1))
    assert services.action_reminders_send(sender=sender)["sent"] == 1
    assert "To: worker.b@example.org" in out.getvalue()


def test_only_the_owning_organisation_changes_an_action(world, storied):
    action = _action(world, storied["barrier"], datetime.date(2026, 5, 1))
    with pytest.raises(Http404):
        services.action_set_status(
            viewer=world.viewer(world.analyst), action=action, status=ActionStatus.DONE, version=1
        )
    services.action_set_status(
        viewer=world.viewer(world.catalyst_b),
        action=action,
        status=ActionStatus.IN_PROGRESS,
        version=1,
    )
    action.refresh_from_db()
    assert (action.status, action.version) == (ActionStatus.IN_PROGRESS, 2)


def test_learning_log_is_tagged_and_searchable(world, storied):
    viewer = world.viewer(world.worker_b)
    services.log_entry_create(
        viewer=viewer,
        kind="cycle",
        title="Discharge call-back trial",
        tried="Ringing people the day after discharge",
        happened="Most were glad of it",
        learnt="A call the next day catches problems early",
        will_change="Make it routine",
        tags="Hospital, discharge",
        barriers=[storied["barrier"]],
    )
    services.log_entry_create(
        viewer=viewer,
        kind="reflection",
        title="Power sharing",
        body="Who chairs matters.",
        tags="values",
    )
    titles = lambda qs: [e.title for e in qs]  # noqa: E731
    assert titles(selectors.log_search(viewer, q="call day")) == ["Discharge call-back trial"]
    assert titles(selectors.log_search(viewer, tag="VALUES")) == ["Power sharing"]
    assert titles(selectors.log_search(viewer, q="hospital")) == ["Discharge call-back trial"]
    assert titles(selectors.log_search(viewer, barrier=storied["barrier"])) == [
        "Discharge call-back trial"
    ]
    with pytest.raises(ValidationError) as err:
        services.log_entry_create(viewer=viewer, kind="cycle", title="x", tried="", learnt="")
    assert sorted(err.value.message_dict) == ["learnt", "tried"]
    other = viewer_for_user(world.outsider, world.other_place)
    assert titles(selectors.log_search(other)) == []


def test_kadc_board_cards_and_votes(world):
    viewer = world.viewer(world.worker_b)
    board = services.board_create(viewer=viewer, title="Six-month review")
    card = services.card_add(viewer=viewer, board=board, column="amplify", text="Joint visits")
    services.card_add(viewer=viewer, board=board, column="amplify", text="Shared lunches")
    assert services.card_vote(viewer=viewer, card=card) is True
    assert services.card_vote(viewer=world.viewer(world.analyst), card=card) is True
    columns = dict(selectors.board_columns(board, viewer))
    assert [(c.text, c.vote_count, c.voted) for c in columns["amplify"]] == [
        ("Joint visits", 2, True),
        ("Shared lunches", 0, False),
    ]
    assert services.card_vote(viewer=viewer, card=card) is False
    with pytest.raises(Http404):
        other = viewer_for_user(world.outsider, world.other_place)
        services.card_add(viewer=other, board=board, column="keep", text="x")


def test_partnership_set_up_and_phase_history(world):
    admin = world.viewer(world.manager_a)
    with pytest.raises(Http404):
        services.partnership_set_phase(viewer=world.viewer(world.worker_b), phase=Phase.DESIGN)
    partnership = selectors.partnership_for(admin)
    assert partnership.value_list == ["Connection", "Accountability", "Power sharing", "Trust"]
    with pytest.raises(Http404):
        services.partnership_update(
            viewer=world.viewer(world.worker_b), version=1, challenge="Not theirs to change"
        )
    services.partnership_update(
        viewer=admin,
        version=1,
        challenge="Loneliness after hospital",
        aims="Connected streets\nFewer readmissions",
        values="Connection\nAccountability\nPower sharing\nTrust\nCuriosity",
        partners="Care City",
        governance="Monthly board with residents",
    )
    services.partnership_set_phase(viewer=admin, phase=Phase.DESIGN, note="Funding agreed")
    services.partnership_set_phase(viewer=admin, phase=Phase.DELIVERY)
    world.place.refresh_from_db()
    assert world.place.phase == Phase.DELIVERY
    assert [(c.from_phase, c.to_phase) for c in PhaseChange.objects.all()] == [
        (Phase.DESIGN, Phase.DELIVERY),
        (Phase.DISCOVERY, Phase.DESIGN),
    ]
    assert selectors.partnership_for(admin).value_list[-1] == "Curiosity"
    # A set-up edit from an older version saves nothing; one from the current version is
    # kept in the history with what each part was before.
    with pytest.raises(Conflict):
        services.partnership_update(viewer=admin, version=1, governance="Stale")
    services.partnership_update(
        viewer=admin, version=2, governance="Quarterly, chaired by residents"
    )
    history = selectors.partnership_history(admin)
    assert [kind for kind, _ in history] == ["setup", "phase", "phase", "setup"]
    assert history[0][1].changes == {
        "governance": ["Monthly board with residents", "Quarterly, chaired by residents"]
    }
    assert history[-1][1].changes["challenge"] == ["", "Loneliness after hospital"]
    assert selectors.partnership_for(admin).version == 3


def test_outsiders_find_nothing(world, storied):
    outsider = viewer_for_user(world.outsider, world.other_place)
    with pytest.raises(Http404):
        selectors.session_get(outsider, storied["session"].public_id)
    with pytest.raises(Http404):
        selectors.barrier_get(outsider, storied["barrier"].public_id)
    assert list(selectors.barriers_for(outsider)) == []
    with pytest.raises(Http404):
        selectors.barriers_for(None)


def test_send_action_reminders_command_is_idempotent(world, storied, settings):
    from django.core.management import call_command

    settings.LEARNING_REMINDER_SENDER = "commonweave.learning.reminders.MemorySender"
    MemorySender.sent = []
    _action(world, storied["barrier"], datetime.date(2020, 1, 1))
    out = io.StringIO()
    call_command("send_action_reminders", stdout=out)
    call_command("send_action_reminders", stdout=out)
    assert out.getvalue().splitlines() == [
        "Sent 1; 0 without an address",
        "Sent 0; 0 without an address",
    ]
    assert len(MemorySender.sent) == 1


def test_board_counts_every_cell_and_shows_the_latest_five(world):
    viewer = world.viewer(world.manager_a)
    made = [
        services.barrier_create(viewer=viewer, title=f"Practice barrier {n}", quadrant="practice")
        for n in range(7)
    ]
    services.barrier_create(viewer=viewer, title="A system barrier", quadrant="system")
    services.barrier_set_level(viewer=viewer, barrier=made[0], level="great", evidence="Gone.")
    board = {
        (row["level"], cell["quadrant"]): (cell["count"], [b.title for b in cell["barriers"]])
        for row in selectors.barrier_board(viewer)
        for cell in row["cells"]
        if cell["count"]
    }
    assert board == {
        ("new", "practice"): (6, [f"Practice barrier {n}" for n in (6, 5, 4, 3, 2)]),
        ("new", "system"): (1, ["A system barrier"]),
        ("great", "practice"): (1, ["Practice barrier 0"]),
    }
