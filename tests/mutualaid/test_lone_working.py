"""Lone working: "on my way" and "safe / done" check-ins, and a missed "safe" escalating to
the safeguarding lead within 31 minutes of the planned window's end (a frozen clock)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.http import Http404
from django.test import Client

from commonweave.mutualaid import lone_working, services
from commonweave.mutualaid.actors import Helper
from commonweave.mutualaid.enums import AidFrontDoor, Kind, Side
from commonweave.mutualaid.models import PlaceSettings, SafeguardingNote
from commonweave.tenancy.viewer import public_viewer

from . import factories

END = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def visit(world, coordinator, areas):
    """An accepted home visit (odd jobs) with a window from 11:00 to 12:00."""
    services.place_settings(world.place)
    PlaceSettings.objects.filter(place=world.place).update(safeguarding_lead=world.manager_a)
    cat = factories.category(world.place, "odd-jobs")
    volunteer = factories.helper(
        world.place, world.org_a, home=areas[0], checks=factories.full_checks(END.date())
    )
    need = services.request_create(
        viewer=public_viewer(world.place),
        kind=Kind.NEED,
        category=cat,
        what="Put up a shelf",
        first_name="Ada",
        front_door=AidFrontDoor.PHONE,
        alert=False,
        now=END - datetime.timedelta(days=1),
    )
    now = END - datetime.timedelta(hours=20)
    match = services.match_propose(actor=coordinator, need=need, volunteer=volunteer, now=now)
    services.match_accept(actor=coordinator, match=match, side=Side.NEED, now=now)
    services.match_accept(actor=Helper(volunteer), match=match, side=Side.HELPER, now=now)
    lone_working.lone_working_plan(
        viewer=coordinator, match=match, starts_at=END - datetime.timedelta(hours=1), ends_at=END
    )
    return match, Helper(volunteer)


def test_a_missed_safe_check_in_escalates_within_31_minutes_once(world, visit):
    match, helper = visit
    with time_machine.travel(END - datetime.timedelta(minutes=55), tick=False):
        lone_working.checkin_on_my_way(helper=helper, match=match)
    with time_machine.travel(END + datetime.timedelta(minutes=29, seconds=59), tick=False):
        call_command("sweep_mutual_aid", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert SafeguardingNote.objects.count() == 0
    with time_machine.travel(END + datetime.timedelta(minutes=31), tick=False):
        call_command("sweep_mutual_aid", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("sweep_mutual_aid", stdout=open("/dev/null", "w"))  # noqa: SIM115
    note = SafeguardingNote.objects.get()
    assert (note.kind, note.match, note.lead, note.created_at) == (
        SafeguardingNote.Kind.MISSED_CHECKIN,
        match,
        world.manager_a,
        END + datetime.timedelta(minutes=31),
    )
    assert note.delivered_at is not None


def test_a_safe_check_in_in_time_escalates_nothing(world, visit):
    match, helper = visit
    lone_working.checkin_safe(helper=helper, match=match, now=END - datetime.timedelta(minutes=5))
    assert lone_working.checkins_escalate(now=END + datetime.timedelta(hours=2)) == []


def test_only_the_matched_helper_checks_in(world, visit, areas):
    match, _helper = visit
    other = Helper(factories.helper(world.place, world.org_a, home=areas[0]))
    with pytest.raises(Http404):
        lone_working.checkin_safe(helper=other, match=match)


def test_doorstep_tasks_need_no_check_ins(world, coordinator, areas):
    cat = factories.category(world.place, "shopping")
    volunteer = factories.helper(world.place, world.org_a, checks=factories.full_checks())
    need = services.request_create(
        viewer=public_viewer(world.place),
        kind=Kind.NEED,
        category=cat,
        what="Milk",
        first_name="Bo",
        front_door=AidFrontDoor.WEB,
        alert=False,
    )
    match = services.match_propose(actor=coordinator, need=need, volunteer=volunteer)
    with pytest.raises(ValidationError):
        lone_working.lone_working_plan(
            viewer=coordinator,
            match=match,
            starts_at=END,
            ends_at=END + datetime.timedelta(hours=1),
        )


def test_check_ins_and_a_concern_from_the_helpers_own_link(world, visit):
    match, helper = visit
    secret = "s" + helper.volunteer.public_id
    helper.volunteer.link_token_hash = helper.volunteer.hash_token(secret)
    helper.volunteer.save(update_fields=["link_token_hash"])
    client = Client()
    page = client.get(f"/mutual-aid/helper/{secret}/").content.decode()
    assert "I am on my way" in page and "I am safe and finished" in page
    assert (
        client.post(f"/mutual-aid/helper/{secret}/matches/{match.public_id}/safe/").status_code
        == 302
    )
    match.lone_working.refresh_from_db()
    assert match.lone_working.safe_at is not None
    response = client.post(
        f"/mutual-aid/helper/{secret}/concern/", {"text": "She seemed frightened of her son"}
    )
    assert response.status_code == 200
    note = SafeguardingNote.objects.get(kind=SafeguardingNote.Kind.CONCERN)
    assert (note.raised_by, note.lead, note.text) == (
        helper.label,
        world.manager_a,
        "She seemed frightened of her son",
    )
    assert client.post(f"/mutual-aid/helper/{secret}/concern/", {"text": ""}).status_code == 400


def test_the_lead_is_emailed_that_a_note_waits_with_nothing_of_the_note_in_it(
    world, visit, mailoutbox, django_capture_on_commit_callbacks
):
    match, helper = visit
    with (
        time_machine.travel(END + datetime.timedelta(minutes=31), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        lone_working.checkins_escalate()
    note = SafeguardingNote.objects.get()
    [email] = mailoutbox
    assert email.to == [world.manager_a.email]
    assert f"/mutual-aid/safeguarding/{note.public_id}/" in email.body
    for private in ("Ada", "Sam", "shelf", match.volunteer.phone):
        assert private not in email.subject + email.body
