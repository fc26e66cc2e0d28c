"""Learning pages in real headless Chromium: axe-core finds nothing, the strict CSP holds,
the flows work without JavaScript and fit a 360-px phone, and a resident without story
consent is never named."""

import datetime

import pytest

from commonweave.learning import services
from tests.browser.conftest import sign_in
from tests.learning.conftest import RESIDENT_NAME, set_story_consent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_similarity_index():
    # The database is emptied between tests, so ids repeat: no index may outlive its test.
    from commonweave.learning import similarity

    similarity._cache.clear()
    yield
    similarity._cache.clear()


@pytest.fixture
def learning(world):
    from commonweave.demo.factories import ResidentFactory

    resident = ResidentFactory(
        organisation=world.org_a,
        catalyst=world.catalyst_a,
        full_name=RESIDENT_NAME,
        preferred_name="",
    )
    set_story_consent(world, resident, True)
    viewer = world.viewer(world.catalyst_a)
    session = services.session_create(
        viewer=viewer, title="Connecting the Dots: March", held_on=datetime.date(2026, 3, 4)
    )
    services.attendee_add(
        viewer=viewer, session=session, name="Sam Ward", organisation_name="Queen's Hospital"
    )
    story = services.story_add(
        viewer=viewer,
        session=session,
        title="Home from hospital",
        text="No one knew she was home.",
        resident_public_id=resident.public_id,
    )
    barrier = services.barrier_create(
        viewer=viewer,
        title="Hospital discharge happens without telling the support network",
        quadrant="system",
        service_area="Hospital discharge",
        story=story,
    )
    services.action_create(
        viewer=viewer,
        barrier=barrier,
        description="Tell the lunch club",
        owner_organisation=world.org_b,
        owner=world.worker_b,
        due_on=datetime.date(2020, 1, 1),
    )
    board = services.board_create(viewer=viewer, title="Spring review")
    services.card_add(viewer=viewer, board=board, column="keep", text="Joint home visits")
    entry = services.log_entry_create(
        viewer=viewer,
        kind="cycle",
        title="Call-back trial",
        tried="Phoning the day after",
        learnt="It catches problems",
        tags="discharge",
    )
    action = barrier.actions.get()
    card = board.cards.get()
    return {
        "session": session,
        "barrier": barrier,
        "board": board,
        "resident": resident,
        "story": story,
        "action": action,
        "card": card,
        "entry": entry,
    }


def test_learning_pages_are_accessible(page, world, learning):
    from commonweave.learning import pack_jobs

    # A built PDF pack waiting for its download, and a set-up change in the history.
    pack, _ = pack_jobs.pack_start(
        viewer=world.viewer(world.catalyst_a), session=learning["session"]
    )
    services.partnership_update(
        viewer=world.viewer(world.manager_a), version=1, challenge="Loneliness after hospital"
    )
    sign_in(page, world.catalyst_a.email)
    for path in [
        f"/learning/packs/{pack.job.public_id}/",
        "/learning/",
        "/learning/sessions/",
        f"/learning/sessions/{learning['session'].public_id}/",
        f"/learning/sessions/{learning['session'].public_id}/pack/",
        "/learning/barriers/",
        "/learning/barriers/board/",
        "/learning/barriers/new/",
        f"/learning/barriers/{learning['barrier'].public_id}/",
        "/learning/actions/?organisation=" + str(world.org_b.pk),
        "/learning/log/",
        "/learning/log/new/",
        "/learning/boards/",
        f"/learning/boards/{learning['board'].public_id}/",
        "/learning/partnership/",
        f"/learning/sessions/{learning['session'].public_id}/edit/",
        f"/learning/sessions/{learning['session'].public_id}/delete/",
        f"/learning/stories/{learning['story'].public_id}/edit/",
        f"/learning/stories/{learning['story'].public_id}/delete/",
        f"/learning/barriers/{learning['barrier'].public_id}/edit/",
        f"/learning/barriers/{learning['barrier'].public_id}/withdraw/",
        f"/learning/actions/{learning['action'].public_id}/edit/",
        f"/learning/actions/{learning['action'].public_id}/delete/",
        f"/learning/log/{learning['entry'].public_id}/edit/",
        f"/learning/log/{learning['entry'].public_id}/delete/",
        f"/learning/boards/{learning['board'].public_id}/cards/{learning['card'].pk}/edit/",
        f"/learning/boards/{learning['board'].public_id}/cards/{learning['card'].pk}/delete/",
    ]:
        response = page.goto(path)
        assert response.status == 200, path
        page.axe(path)
    page.screenshot("learning-barrier")


def test_partner_never_sees_the_resident_and_owner_sees_them_until_withdrawn(
    browser, live_server, world, learning
):
    from tests.browser.conftest import _new_page

    path = f"/learning/sessions/{learning['session'].public_id}/"
    for user, named in ((world.worker_b, False), (world.catalyst_a, True)):
        context, page = _new_page(browser, live_server)
        sign_in(page, user.email)
        page.goto(path)
        assert (RESIDENT_NAME in page.page.content()) is named
        if named:
            set_story_consent(world, learning["resident"], False)
            page.goto(path)
            assert RESIDENT_NAME not in page.page.content()
            assert "An anonymous story." in page.page.content()
        page.assert_clean()
        context.close()


def test_barrier_flow_without_javascript_suggests_the_existing_barrier(no_js_page, world, learning):
    page = no_js_page
    sign_in(page, world.worker_b.email)
    page.goto("/learning/barriers/new/")
    page.page.get_by_label("What got in the way, in plain words").fill(
        "When someone leaves hospital nobody tells their support network"
    )
    page.page.get_by_label("System Conditions").check()
    page.page.get_by_role("button", name="Add barrier").click()
    page.page.wait_for_load_state()
    assert "This reads like a barrier already in the register" in page.page.content()
    page.page.get_by_label("It is different from these: add it as a new barrier").check()
    page.page.get_by_role("button", name="Add barrier").click()
    page.page.wait_for_load_state()
    assert "Barrier added to the register" in page.page.content()
    page.page.get_by_label("Useful: this case is resolved").check()
    page.page.get_by_label("Evidence").fill("The lunch club now hears from the ward.")
    page.page.get_by_role("button", name="Record learning").click()
    page.page.wait_for_load_state()
    assert "Learning level changed" in page.page.content()
    # (axe needs JavaScript: the same pages are checked in test_learning_pages_are_accessible)


def test_board_and_register_fit_a_phone(phone_page, world, learning):
    sign_in(phone_page, world.manager_a.email)
    for path in [
        "/learning/barriers/board/",
        "/learning/barriers/",
        f"/learning/boards/{learning['board'].public_id}/",
    ]:
        phone_page.goto(path)
        assert phone_page.page.evaluate("document.documentElement.scrollWidth") <= 360, path
        phone_page.axe(path + " at 360px")


def test_a_stale_edit_shows_both_versions_without_javascript(no_js_page, world, learning):
    page = no_js_page
    sign_in(page, world.worker_b.email)
    page.goto(f"/learning/barriers/{learning['barrier'].public_id}/edit/")
    services.barrier_update(
        viewer=world.viewer(world.catalyst_a),
        barrier=learning["barrier"],
        version=1,
        title="Discharge happens without a word to anyone",
    )
    page.page.get_by_label("What got in the way, in plain words").fill(
        "Nobody hears when someone leaves the ward"
    )
    page.page.get_by_role("button", name="Save changes").click()
    page.page.wait_for_load_state()
    content = page.page.content()
    assert "Someone else changed this" in content
    assert "Discharge happens without a word to anyone" in content
    assert page.page.get_by_label("What got in the way, in plain words").input_value() == (
        "Nobody hears when someone leaves the ward"
    )
    page.page.get_by_role("button", name="Save changes").click()
    page.page.wait_for_load_state()
    assert "Barrier changed" in page.page.content()


def test_withdrawing_a_story_asks_first_without_javascript(no_js_page, world, learning):
    page = no_js_page
    sign_in(page, world.catalyst_a.email)
    page.goto(f"/learning/sessions/{learning['session'].public_id}/")
    page.page.get_by_role("link", name="Withdraw the story Home from hospital").click()
    page.page.wait_for_load_state()
    assert "Withdraw this story?" in page.page.content()
    page.page.get_by_role("button", name="Withdraw the story").click()
    page.page.wait_for_load_state()
    content = page.page.content()
    assert "Story withdrawn" in content and "No stories yet." in content


def test_votes_and_status_change_without_a_reload(page, world, learning):
    sign_in(page, world.worker_b.email)
    page.goto(f"/learning/boards/{learning['board'].public_id}/")
    page.page.evaluate("window.stillHere = true")
    page.page.get_by_role("button", name="Vote for Joint home visits").click()
    card = page.page.locator(f"#card-{learning['card'].pk}")
    card.get_by_text("1 vote").wait_for()
    assert card.get_by_role("button", name="Take back vote for Joint home visits").is_visible()
    assert page.page.evaluate("window.stillHere === true")  # the page was not reloaded
    page.axe("board after an htmx vote")

    page.goto(f"/learning/actions/?organisation={world.org_b.pk}")
    page.page.evaluate("window.stillHere = true")
    page.page.get_by_label("Change status").select_option("done")
    page.page.get_by_role("button", name="Save status of Tell the lunch club").click()
    page.page.get_by_text("Action updated").wait_for()
    assert page.page.evaluate("window.stillHere === true")
    learning["action"].refresh_from_db()
    assert learning["action"].status == "done"
    page.axe("actions after an inline status change")


def test_similar_barriers_appear_while_typing(page, world, learning):
    sign_in(page, world.worker_b.email)
    page.goto("/learning/barriers/new/")
    page.page.get_by_label("What got in the way, in plain words").press_sequentially(
        "When someone leaves hospital nobody tells their support network", delay=5
    )
    banner = page.page.get_by_text("This reads like a barrier already in the register")
    banner.wait_for()
    assert page.page.get_by_role(
        "link", name="Hospital discharge happens without telling the support network"
    ).is_visible()
    page.axe("record a barrier with live suggestions")


def test_votes_work_without_javascript(no_js_page, world, learning):
    page = no_js_page
    sign_in(page, world.analyst.email)
    page.goto(f"/learning/boards/{learning['board'].public_id}/")
    page.page.get_by_role("button", name="Vote for Joint home visits").click()
    page.page.wait_for_load_state()
    assert "1 vote" in page.page.content()


def test_the_pdf_pack_is_built_and_downloaded_once_without_javascript(no_js_page, world, learning):
    page = no_js_page
    sign_in(page, world.catalyst_a.email)
    page.goto(f"/learning/sessions/{learning['session'].public_id}/")
    page.page.get_by_role("button", name="Build the session pack as a PDF").click()
    page.page.wait_for_load_state()
    assert "/learning/packs/" in page.page.url
    assert "The pack is ready to download" in page.page.content()
    with page.page.expect_download() as download:
        page.page.get_by_role("button", name="Download the PDF").click()
    path = download.value.path()
    assert download.value.suggested_filename == f"session-{learning['session'].public_id}.pdf"
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    # Once only: asking again says why and offers a new build.
    page.page.get_by_role("button", name="Download the PDF").click()
    page.page.wait_for_load_state()
    content = page.page.content()
    assert "The pack cannot be downloaded" in content and "downloaded already" in content
    assert page.page.get_by_role("button", name="Build the pack again").is_visible()
