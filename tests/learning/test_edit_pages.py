"""Edit and remove pages: who may open them, stale saves shown side by side (409) with
the person's input kept, removals confirmed first; htmx fragments for votes, status and
suggestions (the same posts work without JavaScript)."""

import datetime
import html

import pytest

from commonweave.learning import services
from commonweave.learning.models import Action, Barrier, Card, LogEntry, Session, Story
from tests.conftest import assert_access

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _action(world, barrier):
    return services.action_create(
        viewer=world.viewer(world.manager_a),
        barrier=barrier,
        description="Send notices to the lunch club",
        owner_organisation=world.org_b,
        owner=world.worker_b,
        due_on=datetime.date(2026, 6, 1),
    )


def test_who_may_open_each_edit_and_remove_page(world, storied):
    s, b, st = storied["session"], storied["barrier"], storied["story"]
    action = _action(world, b)
    entry = services.log_entry_create(
        viewer=world.viewer(world.worker_b), kind="reflection", title="T", body="B"
    )
    board = services.board_create(viewer=world.viewer(world.worker_b), title="Review")
    card = services.card_add(
        viewer=world.viewer(world.worker_b), board=board, column="keep", text="Joint visits"
    )
    everyone = {"catalyst_a": 200, "manager_a": 200, "worker_b": 200, "catalyst_b": 200}
    admin_or_author_a = {"catalyst_a": 200, "manager_a": 200}  # catalyst A recorded them
    owners_b = {"manager_a": 200, "worker_b": 200, "catalyst_b": 200}
    cases = [
        (f"/learning/sessions/{s.public_id}/edit/", {**everyone, "analyst": 200}),
        (f"/learning/sessions/{s.public_id}/delete/", admin_or_author_a),
        (f"/learning/stories/{st.public_id}/edit/", {**admin_or_author_a, "analyst": 200}),
        (f"/learning/stories/{st.public_id}/delete/", {**admin_or_author_a, "analyst": 200}),
        (f"/learning/barriers/{b.public_id}/edit/", {**everyone, "analyst": 200}),
        (f"/learning/barriers/{b.public_id}/withdraw/", admin_or_author_a),
        (f"/learning/actions/{action.public_id}/edit/", owners_b),
        (f"/learning/actions/{action.public_id}/delete/", {"manager_a": 200}),
        (f"/learning/log/{entry.public_id}/edit/", {"manager_a": 200, **owners_b}),
        (f"/learning/log/{entry.public_id}/delete/", {"manager_a": 200, **owners_b}),
        (
            f"/learning/boards/{board.public_id}/cards/{card.pk}/edit/",
            {"manager_a": 200, "worker_b": 200},
        ),
        (
            f"/learning/boards/{board.public_id}/cards/{card.pk}/delete/",
            {"manager_a": 200, "worker_b": 200},
        ),
    ]
    for url, expected in cases:
        assert_access(world, "get", url, expected)


def test_stale_barrier_edit_shows_both_versions_and_keeps_what_was_typed(world, storied, login):
    barrier = storied["barrier"]
    url = f"/learning/barriers/{barrier.public_id}/edit/"
    form = login(world.worker_b).get(url).content.decode()
    assert 'name="version" value="1"' in form
    services.barrier_update(
        viewer=world.viewer(world.catalyst_a),
        barrier=barrier,
        version=1,
        title="Discharge without a word to anyone",
    )
    mine = "Nobody hears when someone leaves the ward"
    response = login(world.worker_b).post(
        url,
        {
            "version": 1,
            "title": mine,
            "description": "",
            "quadrant": "system",
            "service_area": "Hospital discharge",
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this" in page
    assert html.escape("Discharge without a word to anyone") in page  # saved now
    assert f'value="{mine}"' in page  # their input, kept in the form
    assert 'name="version" value="2"' in page  # ready to save on top of the current one
    barrier.refresh_from_db()
    assert barrier.title == "Discharge without a word to anyone"
    # saving again from the kept form works and is in the history
    response = login(world.worker_b).post(
        url,
        {
            "version": 2,
            "title": mine,
            "description": "",
            "quadrant": "system",
            "service_area": "Hospital discharge",
        },
    )
    assert response.status_code == 302
    detail = login(world.worker_b).get(f"/learning/barriers/{barrier.public_id}/")
    text = detail.content.decode()
    assert "Discharge without a word to anyone → Nobody hears" in text


def test_stale_notes_on_the_session_page_are_not_saved_over(world, storied, login):
    session = storied["session"]
    url = f"/learning/sessions/{session.public_id}/record/"
    client = login(world.worker_b)
    assert client.post(url, {"version": 1, "notes": "First", "decisions": ""}).status_code == 302
    response = client.post(url, {"version": 1, "notes": "Second", "decisions": ""})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this" in page and "Second" in page
    session.refresh_from_db()
    assert (session.notes, session.version) == ("First", 2)


def test_edit_forms_show_errors_next_to_fields(world, storied, login):
    response = login(world.worker_b).post(
        f"/learning/sessions/{storied['session'].public_id}/edit/",
        {
            "version": 1,
            "title": "",
            "held_on_day": "4",
            "held_on_month": "3",
            "held_on_year": "2026",
        },
    )
    assert response.status_code == 400
    assert "Enter a title" in response.content.decode()


def test_story_edit_offers_the_resident_field_only_to_who_may_see_them(world, storied, login):
    url = f"/learning/stories/{storied['story'].public_id}/edit/"
    own = login(world.catalyst_a).get(url).content.decode()
    assert f'value="{storied["resident"].public_id}"' in own
    # the analyst belongs to the organisation that brought it but may not see residents
    analyst = login(world.analyst).get(url).content.decode()
    assert 'name="resident"' not in analyst
    assert storied["resident"].public_id not in analyst
    response = login(world.analyst).post(
        url, {"version": 1, "title": "Home from hospital", "text": "Rewritten."}
    )
    assert response.status_code == 302
    story = Story.objects.get()
    assert (story.text, story.resident) == ("Rewritten.", storied["resident"])


def test_removing_asks_first_and_a_change_meanwhile_sends_you_back(world, storied, login):
    session = storied["session"]
    url = f"/learning/sessions/{session.public_id}/delete/"
    client = login(world.catalyst_a)
    page = client.get(url).content.decode()
    assert "Remove this session?" in page
    assert html.escape("“Home from hospital with no one told”") in page
    services.session_update(
        viewer=world.viewer(world.worker_b), session=session, version=1, notes="Late notes"
    )
    response = client.post(url, {"version": 1})
    assert response.status_code == 409
    assert "changed this after you opened this page" in response.content.decode()
    assert Session.objects.count() == 1
    response = client.post(url, {"version": 2})
    assert response.status_code == 302
    assert Session.objects.count() == 0
    assert Barrier.objects.count() == 1


def test_withdraw_page_moves_the_duplicate(world, storied, login):
    dupe = services.barrier_create(
        viewer=world.viewer(world.catalyst_a),
        title="When people leave hospital their support network is not told",
        quadrant="system",
    )
    url = f"/learning/barriers/{dupe.public_id}/withdraw/"
    client = login(world.catalyst_a)
    page = client.get(url).content.decode()
    assert html.escape(storied["barrier"].title) in page  # offered as the one it duplicates
    assert client.post(url, {"version": 1, "reason": "", "same_as": ""}).status_code == 400
    response = client.post(
        url, {"version": 1, "reason": "A duplicate", "same_as": storied["barrier"].public_id}
    )
    assert response.status_code == 302
    page = client.get(f"/learning/barriers/{dupe.public_id}/").content.decode()
    assert "Withdrawn" in page and "A duplicate" in page
    assert "Record learning" not in page
    register = client.get("/learning/barriers/").content.decode()
    assert html.escape(dupe.title) not in register
    withdrawn = client.get("/learning/barriers/?withdrawn=1").content.decode()
    assert html.escape(dupe.title) in withdrawn


def test_action_card_edit_and_log_pages_save(world, storied, login):
    action = _action(world, storied["barrier"])
    client = login(world.worker_b)
    response = client.post(
        f"/learning/actions/{action.public_id}/edit/",
        {
            "version": 1,
            "description": "Email the club",
            "owner_organisation": world.org_b.pk,
            "owner": world.worker_b.pk,
            "owner_name": "",
            "due_on_day": "1",
            "due_on_month": "7",
            "due_on_year": "2026",
        },
    )
    assert response.status_code == 302
    assert Action.objects.get().description == "Email the club"
    entry = services.log_entry_create(
        viewer=world.viewer(world.worker_b), kind="reflection", title="T", body="B"
    )
    response = client.post(
        f"/learning/log/{entry.public_id}/edit/",
        {
            "version": 1,
            "kind": "reflection",
            "title": "Chairing",
            "body": "It matters.",
            "tags": "power",
        },
    )
    assert response.status_code == 302
    assert LogEntry.objects.get().title == "Chairing"
    assert (
        client.post(f"/learning/log/{entry.public_id}/delete/", {"version": 2}).status_code == 302
    )
    assert LogEntry.objects.count() == 0


def test_vote_without_a_reload_returns_only_the_card(world, login):
    viewer = world.viewer(world.worker_b)
    board = services.board_create(viewer=viewer, title="Review")
    card = services.card_add(viewer=viewer, board=board, column="keep", text="Joint visits")
    url = f"/learning/boards/{board.public_id}/cards/{card.pk}/vote/"
    response = login(world.analyst).post(url, **HTMX)
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith(
        f'<li class="govuk-inset-text govuk-!-margin-top-0" id="card-{card.pk}">'
    )
    assert "1 vote" in fragment and "Take back vote" in fragment
    assert "<html" not in fragment
    # without JavaScript the same post redirects back to the board
    assert login(world.worker_b).post(url).status_code == 302
    assert Card.objects.get().votes.count() == 2


def test_status_change_inline_returns_the_action_with_the_outcome(world, storied, login):
    action = _action(world, storied["barrier"])
    url = f"/learning/actions/{action.public_id}/status/"
    response = login(world.worker_b).post(url, {"status": "done", "version": 1}, **HTMX)
    fragment = response.content.decode()
    assert response.status_code == 200
    assert f'id="action-{action.public_id}"' in fragment and "<html" not in fragment
    assert "Action updated" in fragment
    assert 'name="version" value="2"' in fragment
    stale = login(world.catalyst_b).post(url, {"status": "open", "version": 1}, **HTMX)
    assert "Someone else changed this action" in stale.content.decode()
    action.refresh_from_db()
    assert action.status == "done"


def test_suggestions_as_you_type(world, storied, login):
    response = login(world.worker_b).post(
        "/learning/barriers/suggest/",
        {"title": "When someone leaves hospital nobody tells their support network"},
        **HTMX,
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "This reads like a barrier already in the register" in fragment
    assert html.escape(storied["barrier"].title) in fragment
    assert "<html" not in fragment
    nothing = login(world.worker_b).post("/learning/barriers/suggest/", {"title": "Parking"})
    assert "reads like" not in nothing.content.decode()
    other = login(world.outsider).post(
        "/learning/barriers/suggest/",
        {"title": "When someone leaves hospital nobody tells their support network"},
    )
    assert "reads like" not in other.content.decode()
