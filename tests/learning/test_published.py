"""Published numbers: counts of stories (cases) are counted as people are (rounded to 5,
"fewer than 8" for 1-7); counts of barriers and actions are not people and show as they
are."""

import datetime
import re

import pytest
import time_machine

from commonweave.demo.factories import ResidentFactory
from commonweave.insights.disclosure import Cell, protected_value
from commonweave.learning import selectors, services
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from tests.api.conftest import token_client
from tests.learning.conftest import set_story_consent

pytestmark = pytest.mark.django_db
APRIL = datetime.datetime(2026, 4, 20, 12, tzinfo=datetime.UTC)


def _with_cases(world, title, n, held_on=datetime.date(2026, 3, 4)):
    viewer = world.viewer(world.catalyst_a)
    session = services.session_create(viewer=viewer, title=f"Session for {title}", held_on=held_on)
    barrier = services.barrier_create(viewer=viewer, title=title, quadrant="system")
    for i in range(n):
        story = services.story_add(viewer=viewer, session=session, title=f"S{i}", text="words")
        services.barrier_link_story(viewer=viewer, barrier=barrier, story=story)
    return session, barrier


def _cells(html):
    return re.findall(r'govuk-table__cell--numeric">([^<]*)</td>', html)


def _story_cell(barrier):
    """The barrier's cases as a Cell, worked out here from the stories' own record keys
    (these stories have no resident)."""
    keys = list(barrier.stories.values_list("record_key", flat=True))
    return Cell(len(keys), sum(keys))


def test_register_publishes_cases_and_trend(world, login):
    _with_cases(world, "Few cases barrier", 3)
    _, many = _with_cases(world, "Many cases barrier", 12)
    shown = protected_value(_story_cell(many))
    assert shown in (10, 15)  # 12 moved by at most 2 by its cell key, then rounded to 5
    client = login(world.worker_b)
    with time_machine.travel(APRIL, tick=False):
        page = client.get("/learning/barriers/").content.decode()
    # newest first: the barrier with 12 cases, then the one with 3
    assert _cells(page) == [str(shown), "fewer than 8"]
    assert ">3<" not in page and ">12<" not in page
    # monthly trend Nov..Apr: one suppressed month for the first, the same count for the other
    assert f"0, 0, 0, 0, {shown}, 0" in page
    assert "0, 0, 0, 0, *, 0" in page


def test_stories_without_a_resident_are_counted_by_their_own_keys(world):
    session, barrier = _with_cases(world, "Stories without a resident", 9)
    keys = list(barrier.stories.values_list("record_key", flat=True))
    assert len(keys) == 9 and all(0 <= k < 256 for k in keys)
    assert len(set(keys)) > 1  # drawn at random per story, not a shared 0: 256**-8 to fail
    viewer = world.viewer(world.catalyst_a)
    listed = selectors.sessions_for(viewer).get(pk=session.pk)
    assert selectors.story_cell(listed) == Cell(9, sum(keys))
    assert selectors.case_counts([barrier.pk], keyed=True) == {barrier.pk: Cell(9, sum(keys))}


def test_a_story_with_a_resident_is_counted_by_the_residents_key(world):
    """The resident's key, so a person counts with the same key wherever they are counted;
    a story without a resident in the same count keeps its own."""
    resident = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    set_story_consent(world, resident, True)
    viewer = world.viewer(world.catalyst_a)
    session = services.session_create(viewer=viewer, title="Stories", held_on=APRIL.date())
    barrier = services.barrier_create(viewer=viewer, title="Letters go astray", quadrant="system")
    linked = services.story_add(
        viewer=viewer,
        session=session,
        title="Linked",
        text="words",
        resident_public_id=resident.public_id,
    )
    unlinked = services.story_add(viewer=viewer, session=session, title="Free", text="words")
    for story in (linked, unlinked):
        services.barrier_link_story(viewer=viewer, barrier=barrier, story=story)
    resident.refresh_from_db()
    unlinked.refresh_from_db()
    expected = Cell(2, resident.record_key + unlinked.record_key)
    listed = selectors.sessions_for(viewer).get(pk=session.pk)
    assert selectors.story_cell(listed) == expected
    assert selectors.case_counts([barrier.pk], keyed=True) == {barrier.pk: expected}


def test_barrier_page_counts_the_stories_it_lists_exactly(world, login):
    """The barrier's page lists every story linked to it, so its count of them is exact for
    the staff working on it (the catalyst who wrote them, or anyone else in the place);
    the register and the session list are published views and keep the rule."""
    session, barrier = _with_cases(world, "Discharge letters go astray", 1)
    for user in (world.catalyst_a, world.catalyst_b):
        with time_machine.travel(APRIL, tick=False):
            page = login(user).get(f"/learning/barriers/{barrier.public_id}/").content.decode()
        assert re.search(r"Cases</dt><dd[^>]*>1</dd>", page)
        assert "March 2026: 1<" in page
        assert "fewer than 8" in page  # only in the words about published counts
        assert page.count('<h3 class="govuk-summary-card__title">') == 1  # the story


def test_session_list_publishes_story_counts(world, login):
    _with_cases(world, "Discharge letters go astray", 3)
    with time_machine.travel(APRIL, tick=False):
        sessions = login(world.catalyst_b).get("/learning/sessions/").content.decode()
    assert _cells(sessions) == ["fewer than 8"]


def test_a_place_can_raise_the_threshold(world, login):
    world.place.suppression_threshold = 10
    world.place.save(update_fields=["suppression_threshold"])
    _with_cases(world, "Nine cases", 9)
    page = login(world.worker_b).get("/learning/barriers/").content.decode()
    assert _cells(page) == ["fewer than 10"]


def test_barrier_and_action_counts_are_not_people_and_show_as_they_are(world, login):
    viewer = world.viewer(world.catalyst_a)
    for n in range(3):
        barrier = services.barrier_create(
            viewer=viewer, title=f"Barrier number {n}", quadrant="practice"
        )
        services.action_create(
            viewer=viewer,
            barrier=barrier,
            description="Do it",
            owner_organisation=world.org_b,
            owner=world.worker_b,
            due_on=datetime.date(2020, 1, 1),
        )
    client = login(world.worker_b)
    board = client.get("/learning/barriers/board/").content.decode()
    assert "3 barriers" in board
    actions = client.get("/learning/actions/").content.decode()
    assert re.search(r"Testford Council</a></td>\s*<td[^>]*>3</td>", actions)
    assert 'govuk-tag--red">3</strong>' in actions


def test_api_publishes_cases_trend_and_story_counts(world):
    session, barrier = _with_cases(world, "Few cases barrier", 3)
    _, raw = issue_api_token(organisation=world.org_b, name="Partner", role=Role.PARTNER_WORKER)
    client = token_client(raw)
    suppressed = {"value": None, "label": "fewer than 8"}
    listed = client.get("/api/learning/barriers").json()["items"][0]
    assert listed["cases"] == suppressed
    with time_machine.travel(APRIL, tick=False):
        detail = client.get(f"/api/learning/barriers/{barrier.public_id}").json()
    assert detail["cases"] == suppressed
    assert {m["month"]: m["cases"] for m in detail["trend"]}["2026-03-01"] == suppressed
    sessions = client.get("/api/learning/sessions").json()["items"]
    assert [s["stories"] for s in sessions] == [suppressed]
