"""The resident's page and the casework done on it, as a catalyst, a partner with
consented sharing, and everyone else."""

from html import escape

import pytest
from django.urls import reverse

from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import (
    ConnectionFactory,
    ConversationFactory,
    GoalFactory,
    ReferralFactory,
    ResidentFactory,
)
from commonweave.people import services
from commonweave.people.enums import ConsentMethod, ConsentPurpose, Stage
from commonweave.people.models import Consent, ConsentEvent, Resident
from tests.conftest import assert_access, client_for

pytestmark = pytest.mark.django_db


def url(name, resident, **kwargs):
    return reverse(f"people:{name}", kwargs={"public_id": resident.public_id, **kwargs})


def views_of(resident):
    return AuditEvent.objects.filter(resident_id=resident.public_id, action="view")


def share_with(world, resident, organisation, given=True):
    services.consent_record(
        viewer=world.viewer(world.catalyst_a),
        resident=resident,
        purpose=ConsentPurpose.SHARE,
        given=given,
        method=ConsentMethod.VERBAL,
        wording="Share with the council?",
        organisation=organisation,
    )


# --- the page ----------------------------------------------------------------------------


def test_the_resident_page_shows_their_words_goals_connections_and_timeline(world, resident_a):
    GoalFactory(resident=resident_a, text="Walk to the shops on my own", progress=50)
    ConnectionFactory(resident=resident_a, name="Tuesday lunch club")
    ConversationFactory(resident=resident_a, notes="Talked about her garden")
    ReferralFactory(resident=resident_a, reason="Lonely since moving here")
    page = client_for(world.catalyst_a).get(url("resident_detail", resident_a)).content.decode()
    for text in (
        resident_a.full_name,
        "Getting out of the house more",  # what matters
        "Walk to the shops on my own",
        "Halfway there",
        "Tuesday lunch club",
        "Talked about her garden",
        "Lonely since moving here",
    ):
        assert escape(text) in page  # a generated name may hold an apostrophe


def test_opening_a_record_writes_exactly_one_view_event(world, resident_a):
    client_for(world.catalyst_a).get(url("resident_detail", resident_a))
    event = views_of(resident_a).get()
    assert (event.actor, event.purpose) == (world.catalyst_a, "casework")


def test_who_may_open_the_record(world, resident_a):
    assert_access(
        world, "get", url("resident_detail", resident_a), {"catalyst_a": 200, "manager_a": 200}
    )


def test_a_partner_sees_a_shared_record_without_notes_and_loses_it_on_withdrawal(world, resident_a):
    ConversationFactory(resident=resident_a, notes="Private conversation note")
    share_with(world, resident_a, world.org_b)
    client = client_for(world.worker_b)
    response = client.get(url("resident_detail", resident_a))
    assert response.status_code == 200
    page = response.content.decode()
    assert escape(resident_a.full_name) in page
    assert "Private conversation note" not in page
    assert url("resident_edit", resident_a) not in page
    assert client.get(url("resident_edit", resident_a)).status_code == 404
    assert views_of(resident_a).get().purpose == "shared"

    share_with(world, resident_a, world.org_b, given=False)
    assert client.get(url("resident_detail", resident_a)).status_code == 404


def test_an_analyst_never_sees_a_person_even_with_sharing(world, resident_a):
    share_with(world, resident_a, world.org_a) if False else None
    assert client_for(world.analyst).get(url("resident_detail", resident_a)).status_code == 404


# --- editing safely ----------------------------------------------------------------------


def profile_post(resident, **changes):
    data = {
        "version": resident.version,
        "full_name": resident.full_name,
        "preferred_name": resident.preferred_name,
        "date_of_birth_day": resident.date_of_birth.day,
        "date_of_birth_month": resident.date_of_birth.month,
        "date_of_birth_year": resident.date_of_birth.year,
        "phone": resident.phone,
        "email": resident.email,
        "address": resident.address,
        "postcode": resident.postcode,
        "contact_method": resident.contact_method,
        "contact_when": resident.contact_when,
        "what_matters": resident.what_matters,
        "strengths": resident.strengths,
        "has_to_give": resident.has_to_give,
    }
    data.update(changes)
    return data


def test_editing_saves_and_bumps_the_version(world, resident_a):
    client = client_for(world.catalyst_a)
    response = client.post(
        url("resident_edit", resident_a),
        profile_post(resident_a, what_matters="Seeing my grandchildren"),
    )
    assert response.status_code == 302
    resident_a.refresh_from_db()
    assert (resident_a.what_matters, resident_a.version) == ("Seeing my grandchildren", 2)
    change = AuditEvent.objects.get(resident_id=resident_a.public_id, action="update")
    assert change.detail == {"fields": ["what_matters"]}


def test_two_people_editing_never_overwrite_each_other(world, resident_a):
    first, second = client_for(world.catalyst_a), client_for(world.manager_a)
    started = profile_post(resident_a)  # both open the form at version 1
    assert (
        first.post(
            url("resident_edit", resident_a), {**started, "strengths": "Great cook"}
        ).status_code
        == 302
    )
    response = second.post(
        url("resident_edit", resident_a), {**started, "strengths": "Knows everyone on the street"}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this record" in page
    assert "Great cook" in page  # what is saved now
    assert "Knows everyone on the street" in page  # what they typed is kept
    resident_a.refresh_from_db()
    assert resident_a.strengths == "Great cook"
    # Saving again from the conflict page (now based on version 2) is a deliberate choice.
    assert 'name="version" value="2"' in page
    again = second.post(
        url("resident_edit", resident_a),
        {**started, "version": 2, "strengths": "Knows everyone on the street"},
    )
    assert again.status_code == 302
    resident_a.refresh_from_db()
    assert resident_a.strengths == "Knows everyone on the street"


def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(world, resident_a):
    response = client_for(world.catalyst_a).post(
        url("resident_edit", resident_a),
        profile_post(resident_a, full_name="", email="not-an-email", strengths="Kept text"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter their full name" in page
    assert "Enter an email address like name@example.com" in page
    assert "Kept text" in page
    resident_a.refresh_from_db()
    assert resident_a.version == 1


# --- casework forms ----------------------------------------------------------------------


def test_a_conversation_sets_the_next_action(world, resident_a):
    client = client_for(world.catalyst_a)
    response = client.post(
        url("conversation_new", resident_a),
        {
            "kind": "in_person",
            "notes": "Met at the café",
            "next_action": "Go with her to the lunch club",
            "next_action_due_day": "1",
            "next_action_due_month": "1",
            "next_action_due_year": "2030",
        },
    )
    assert response.status_code == 302
    resident_a.refresh_from_db()
    assert resident_a.next_action == "Go with her to the lunch club"
    assert resident_a.conversations.get().notes == "Met at the café"


def test_a_conversation_without_notes_is_refused_and_keeps_the_input(world, resident_a):
    response = client_for(world.catalyst_a).post(
        url("conversation_new", resident_a),
        {"kind": "phone", "notes": "", "next_action": "Ring back"},
    )
    assert response.status_code == 400
    assert "Write what you talked about" in response.content.decode()
    assert 'value="Ring back"' in response.content.decode()
    assert not resident_a.conversations.exists()


def test_goals_and_progress(world, resident_a):
    client = client_for(world.catalyst_a)
    assert client.post(url("goal_new", resident_a), {"text": "Join a choir"}).status_code == 302
    goal = resident_a.goals.get()
    response = client.post(
        url("goal_progress", resident_a, goal_id=goal.pk), {f"goal{goal.pk}-progress": "100"}
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.progress == 100 and goal.achieved_at is not None
    bad = client.post(
        url("goal_progress", resident_a, goal_id=goal.pk), {f"goal{goal.pk}-progress": "37"}
    )
    assert bad.status_code == 400


def test_another_residents_goal_cannot_be_changed_through_this_record(world, resident_a):
    other = ResidentFactory(organisation=world.org_a)
    goal = GoalFactory(resident=other)
    response = client_for(world.catalyst_a).post(
        url("goal_progress", resident_a, goal_id=goal.pk), {f"goal{goal.pk}-progress": "100"}
    )
    assert response.status_code == 404


def test_recording_a_connection(world, resident_a):
    response = client_for(world.catalyst_a).post(
        url("connection_new", resident_a),
        {"kind": "group", "name": "Men's Shed", "status": "made"},
    )
    assert response.status_code == 302
    assert resident_a.connections.get().name == "Men's Shed"


def test_consent_given_and_withdrawn_keeps_history(world, resident_a):
    client = client_for(world.catalyst_a)
    form = {"purpose": "share", "organisation": world.org_b.pk, "given": "yes", "method": "verbal"}
    assert client.post(url("consent", resident_a), form).status_code == 302
    assert client_for(world.worker_b).get(url("resident_detail", resident_a)).status_code == 200
    assert client.post(url("consent", resident_a), {**form, "given": "no"}).status_code == 302
    assert client_for(world.worker_b).get(url("resident_detail", resident_a)).status_code == 404
    assert ConsentEvent.objects.filter(resident=resident_a).count() == 2
    assert Consent.objects.get(resident=resident_a, purpose="share").given is False
    page = client.get(url("consent", resident_a)).content.decode()
    assert "Said no or withdrew" in page and "Agreed" in page


def test_sharing_needs_an_organisation(world, resident_a):
    response = client_for(world.catalyst_a).post(
        url("consent", resident_a), {"purpose": "share", "given": "yes", "method": "verbal"}
    )
    assert response.status_code == 400
    assert "Choose the partner organisation to share with" in response.content.decode()
    assert not ConsentEvent.objects.exists()


def test_the_journey_moves_through_stages_to_graduation(world, resident_a):
    client = client_for(world.catalyst_a)
    resident_a.refresh_from_db()
    assert (
        client.post(
            url("stage", resident_a), {"to_stage": "connecting", "version": resident_a.version}
        ).status_code
        == 302
    )
    resident_a.refresh_from_db()
    response = client.post(
        url("graduate", resident_a),
        {
            "version": resident_a.version,
            "words": "I've got my own friends now",
            "giving_back": "Helps at the lunch club",
        },
    )
    assert response.status_code == 302
    resident_a.refresh_from_db()
    assert resident_a.stage == Stage.GRADUATED
    assert resident_a.graduation_words == "I've got my own friends now"
    assert list(resident_a.stage_changes.values_list("to_stage", flat=True))[-2:] == [
        "connecting",
        "graduated",
    ]
    page = client.get(url("resident_detail", resident_a)).content.decode()
    assert "I&#x27;ve got my own friends now" in page


def test_graduation_needs_their_words(world, resident_a):
    response = client_for(world.catalyst_a).post(
        url("graduate", resident_a), {"version": resident_a.version, "words": " "}
    )
    assert response.status_code == 400
    resident_a.refresh_from_db()
    assert resident_a.stage == Stage.ENGAGED


def test_a_stale_stage_change_is_refused_not_applied(world, resident_a):
    client = client_for(world.catalyst_a)
    stale = resident_a.version
    Resident.objects.filter(pk=resident_a.pk).update(version=stale + 1)
    response = client.post(url("close", resident_a), {"version": stale, "reason": "moved"})
    assert response.status_code == 400
    assert "Someone else saved changes" in response.content.decode()
    resident_a.refresh_from_db()
    assert resident_a.stage == Stage.ENGAGED


def test_closing_records_the_reason(world, resident_a):
    response = client_for(world.catalyst_a).post(
        url("close", resident_a), {"version": resident_a.version, "reason": "moved", "note": ""}
    )
    assert response.status_code == 302
    resident_a.refresh_from_db()
    assert (resident_a.stage, resident_a.closed_reason) == (Stage.CLOSED, "moved")


# --- caseload and search -----------------------------------------------------------------


def test_the_caseload_lists_open_journeys_with_overdue_next_actions_first(world):
    import datetime

    today = datetime.date.today()
    late = ResidentFactory(
        organisation=world.org_a,
        catalyst=world.catalyst_a,
        next_action="Ring her",
        next_action_due=today - datetime.timedelta(days=2),
    )
    later = ResidentFactory(
        organisation=world.org_a,
        catalyst=world.catalyst_a,
        next_action_due=today + datetime.timedelta(days=5),
    )
    done = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a, stage="graduated")
    not_mine = ResidentFactory(organisation=world.org_a, catalyst=world.manager_a)
    page = client_for(world.catalyst_a).get(reverse("people:caseload")).content.decode()
    assert page.index(escape(late.display_name)) < page.index(escape(later.display_name))
    assert "Overdue" in page
    assert escape(done.display_name) not in page and escape(not_mine.display_name) not in page
    event = AuditEvent.objects.get(action="list")
    assert set(event.detail["residents"]) == {late.public_id, later.public_id}


def test_search_is_posted_and_finds_only_visible_residents(world, resident_a):
    theirs = ResidentFactory(organisation=world.org_b, full_name=resident_a.full_name)
    client = client_for(world.catalyst_a)
    response = client.post(reverse("people:resident_search"), {"q": resident_a.full_name.upper()})
    page = response.content.decode()
    assert url("resident_detail", resident_a) in page
    assert url("resident_detail", theirs) not in page
    event = AuditEvent.objects.get(action="search")
    assert resident_a.full_name not in str(event.detail)
    assert client.post(reverse("people:resident_search"), {"q": "x"}).status_code == 400


def test_search_by_phone_ignores_formatting(world, resident_a):
    digits = "".join(ch for ch in resident_a.phone if ch.isdigit())
    page = (
        client_for(world.catalyst_a)
        .post(reverse("people:resident_search"), {"q": f"+44 {digits[1:]}"})
        .content.decode()
    )
    assert url("resident_detail", resident_a) in page


def test_closing_a_journey_takes_its_waiting_referral_out_of_triage(world):
    referral = ReferralFactory(resident__organisation=world.org_a)
    client = client_for(world.catalyst_a)
    assert referral.public_id in client.get(reverse("people:triage")).content.decode()
    resident = referral.resident
    response = client.post(
        url("close", resident), {"version": resident.version, "reason": "no_contact"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "closed"
    assert referral.public_id not in client.get(reverse("people:triage")).content.decode()


@pytest.mark.parametrize("stage", [Stage.GRADUATED, Stage.CLOSED])
def test_a_finished_journey_shows_no_next_action(world, stage):
    import datetime

    resident = ResidentFactory(
        organisation=world.org_a,
        catalyst=world.catalyst_a,
        stage=stage,
        next_action="Ring about the choir",
        next_action_due=datetime.date.today() - datetime.timedelta(days=3),
    )
    page = client_for(world.catalyst_a).get(url("resident_detail", resident)).content.decode()
    assert "Next action:" not in page
    assert "Ring about the choir" not in page
    assert "Overdue" not in page


def test_an_open_journey_shows_its_next_action(world):
    resident = ResidentFactory(
        organisation=world.org_a,
        catalyst=world.catalyst_a,
        stage=Stage.ENGAGED,
        next_action="Ring about the choir",
    )
    page = client_for(world.catalyst_a).get(url("resident_detail", resident)).content.decode()
    assert "Ring about the choir" in page
