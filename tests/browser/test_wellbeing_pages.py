"""The life map in real Chromium: a catalyst's check-in and the picture with its charts,
and a resident's one-time link on a 360-px phone, with and without JavaScript. Every page
is checked with axe-core; any CSP violation fails the test."""

import re
from pathlib import Path

import pytest

from commonweave.demo.factories import ResidentFactory
from commonweave.wellbeing import services
from commonweave.wellbeing.models import CheckIn
from commonweave.wellbeing.senders import MemorySender

from .conftest import sign_in


@pytest.fixture
def outbox(settings):
    settings.WELLBEING_SENDER = "commonweave.wellbeing.senders.MemorySender"
    MemorySender.outbox = []
    services.load_shipped_instruments()  # live-server tests flush the migrated rows
    yield MemorySender.outbox
    MemorySender.outbox = []


def test_catalyst_check_in_and_the_picture(page, world, outbox):
    resident = ResidentFactory(
        organisation=world.org_a, catalyst=world.catalyst_a, full_name="Ada Lovell"
    )
    sign_in(page, world.catalyst_a.email)
    page.goto(f"/residents/{resident.public_id}/")
    page.page.get_by_role("link", name="Life map and check-ins").click()
    page.page.get_by_role("heading", name="Life map").wait_for()
    page.axe("empty life map")
    for home, money in ((2, 1), (4, 3)):
        page.page.get_by_role("button", name="Start a check-in").click()
        page.page.get_by_role("heading", name="Check-in").wait_for()
        page.axe("check-in form")
        page.page.get_by_role("group", name="Home").get_by_label(
            services.current_lifemap(world.place).areas.get(key="home").label_for(home), exact=True
        ).check()
        page.page.get_by_role("group", name="Money").get_by_label(
            services.current_lifemap(world.place).areas.get(key="money").label_for(money),
            exact=True,
        ).check()
        page.page.get_by_label("Money: what would make it better?").fill("Help with bills")
        page.page.get_by_role("button", name="Save check-in").click()
        page.page.get_by_text("Check-in saved").wait_for()
    page.page.locator("#wellbeing-radar").wait_for(state="visible")
    page.page.locator("#wellbeing-lines").wait_for(state="visible")
    assert (
        page.page.evaluate("() => !!window.Chart && Object.keys(window.Chart.instances).length")
        == 2
    )
    assert page.page.get_by_role("cell", name="4 – Going well").is_visible()
    page.axe("picture with charts")
    page.screenshot("wellbeing-picture")


def test_bad_answer_keeps_input_and_is_accessible(page, world, outbox):
    resident = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    checkin = services.checkin_start(viewer=world.viewer(world.catalyst_a), resident=resident)
    sign_in(page, world.catalyst_a.email)
    page.goto(f"/wellbeing/checkins/{checkin.public_id}/")
    page.page.get_by_label("Anything you want to say in your own words").fill("kept")
    page.page.get_by_role("button", name="Save check-in").click()
    page.page.get_by_text("Answer at least one question").first.wait_for()
    assert page.page.get_by_label("Anything you want to say in your own words").input_value() == (
        "kept"
    )
    page.axe("check-in with an error")


def _send_link(world, full_name="Grace Akintola"):
    resident = ResidentFactory(
        organisation=world.org_a,
        catalyst=world.catalyst_a,
        full_name=full_name,
        preferred_name="",
        phone="07700 900456",
    )
    checkin = services.checkin_start(viewer=world.viewer(world.catalyst_a), resident=resident)
    services.link_send(
        viewer=world.viewer(world.catalyst_a),
        checkin=checkin,
        channel="text",
        url_for=lambda token: f"/wellbeing/c/{token}/",
    )
    return checkin


def _token_path(outbox):
    return re.search(r"(/wellbeing/c/[\w-]+/)", outbox[-1]["message"]).group(1)


def test_resident_link_on_a_360px_phone(phone_page, world, outbox):
    # The steps themselves are tested in test_checkin_steps.py.
    checkin = _send_link(world)
    path = _token_path(outbox)
    phone_page.goto(path)
    phone_page.page.get_by_text("Hello Grace.").wait_for()
    assert "Akintola" not in phone_page.page.content()
    width = phone_page.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360
    phone_page.axe("link check-in on a phone")
    phone_page.page.get_by_role("group", name="Home").get_by_label("Going well", exact=True).check()
    for _ in range(4):
        phone_page.page.get_by_role("button", name="Continue").click()
    phone_page.page.get_by_role("button", name="Save check-in").click()
    phone_page.page.get_by_role("heading", name="Check-in saved").wait_for()
    phone_page.axe("link done")
    checkin.refresh_from_db()
    assert checkin.is_complete
    phone_page.goto(path)
    phone_page.page.get_by_role("heading", name="This link has already been used").wait_for()
    phone_page.axe("used link")


def test_resident_link_works_without_javascript(no_js_page, world, outbox):
    _send_link(world, full_name="Ken Obi")
    no_js_page.goto(_token_path(outbox))
    no_js_page.page.get_by_role("group", name="Home").get_by_label("Getting by").check()
    for _ in range(4):
        no_js_page.page.get_by_role("button", name="Continue").click()
    no_js_page.page.get_by_role("button", name="Save check-in").click()
    no_js_page.page.get_by_role("heading", name="Check-in saved").wait_for()
    assert CheckIn.objects.get().is_complete


def test_cohort_change_page_for_an_analyst(page, world, outbox):
    from commonweave.wellbeing import cohort
    from tests.wellbeing.test_cohort import people_with_change

    people_with_change(world, 31)
    # The numbers released for these people (with their noise): the page shows the same.
    result = cohort.cohort_change(world.viewer(world.analyst))
    home = next(row for row in result.areas if row.code == "home").published
    sign_in(page, world.analyst.email)
    page.goto("/wellbeing/cohort/")
    page.page.get_by_role("heading", name="Change over time").wait_for()
    page.page.locator("#wellbeing-cohort-chart").wait_for(state="visible")
    assert page.page.get_by_role("cell", name=home.mean_change, exact=True).first.is_visible()
    page.axe("cohort change")


def test_place_admin_changes_the_life_map(page, world, outbox):
    sign_in(page, world.manager_a.email)
    page.goto("/wellbeing/lifemap/")
    page.page.get_by_role("heading", name="The life map").wait_for()
    page.axe("life map")
    page.page.get_by_role("button", name="Add an area").click()
    page.page.get_by_label("Name of the area").fill("Enough food")
    page.page.get_by_label("Traffic light (red, amber, green)").check()
    page.page.get_by_role("button", name="Save").click()
    page.page.get_by_text("Say in plain words what red means").first.wait_for()
    page.axe("area form with errors")
    page.page.get_by_label("What red means").fill("Often go without")
    page.page.get_by_label("What amber means").fill("Sometimes short")
    page.page.get_by_label("What green means").fill("Always enough")
    page.page.get_by_role("button", name="Save").click()
    page.page.get_by_text("Life map saved as a new version").wait_for()
    assert page.page.get_by_role("heading", name="Enough food").is_visible()


def test_cohort_over_a_period_with_wrong_then_right_dates(page, world, outbox):
    from tests.wellbeing.test_cohort_period import check_in, person

    for _ in range(30):
        resident = person(world)
        check_in(resident, 0, {"home": 1})
        check_in(resident, 10, {"home": 3})  # 16 January 2025
        check_in(resident, 20, {"home": 5})  # 26 January 2025
    sign_in(page, world.analyst.email)
    page.goto("/wellbeing/cohort/")
    page.page.get_by_text("Choose who to compare").click()

    def period(start, end):
        for name, (day, month, year) in (("on or after", start), ("on or before", end)):
            group = page.page.get_by_role("group", name=re.compile(f"Check-ins {name}"))
            group.get_by_label("Day").fill(day)
            group.get_by_label("Month").fill(month)
            group.get_by_label("Year").fill(year)
        page.page.get_by_role("button", name="Show").click()

    period(("26", "1", "2025"), ("16", "1", "2025"))
    message = "The end of the period must be the same as or after its start"
    page.page.get_by_role("heading", name="There is a problem").wait_for()
    assert page.page.get_by_role("link", name=message).is_visible()
    assert page.page.locator("#id_period_to-error").text_content() == f"Error: {message}"
    assert (
        page.page.get_by_role("group", name=re.compile("Check-ins on or after"))
        .get_by_label("Day")
        .input_value()
        == "26"
    )
    assert page.page.get_by_text("People in this group").count() == 0
    page.axe("cohort period with an error")
    period(("16", "1", "2025"), ("26", "1", "2025"))
    # Thursday 16 January is widened to Monday 13 January (whole weeks).
    page.page.get_by_text("People who checked in from 13 January 2025").wait_for()
    from datetime import date

    from commonweave.wellbeing import cohort

    result = cohort.cohort_change(
        world.viewer(world.analyst), period_from=date(2025, 1, 16), period_to=date(2025, 1, 26)
    )
    home = next(row for row in result.areas if row.code == "home")
    assert home.change.mean_change == 2.0
    assert page.page.get_by_role(
        "cell", name=home.published.mean_change, exact=True
    ).first.is_visible()
    page.axe("cohort over a period")


def test_an_analyst_prepares_and_downloads_the_scores_once(page, world, outbox, settings, tmp_path):
    """The export runs as a job (inline here); its page shows the progress, then one
    download of the CSV; afterwards the page says the file has gone."""
    from tests.wellbeing.test_cohort import people_with_change

    settings.WELLBEING_EXPORT_DIR = tmp_path / "exports"
    people_with_change(world, 3, consent=True)
    sign_in(page, world.analyst.email)
    page.goto("/wellbeing/cohort/")
    page.page.get_by_role("button", name="Prepare the scores for download").click()
    page.page.get_by_role("heading", name="Scores for evaluators").wait_for()
    assert page.page.get_by_role("status").text_content().startswith("Finished")
    assert page.page.get_by_text("100% complete").is_visible()
    page.axe("scores export ready")
    with page.page.expect_download() as download:
        page.page.get_by_role("button", name="Download the scores (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "person,date,kind,instrument,code,label,value,band"
    assert len(text.splitlines()) == 1 + 3 * (3 * 2 + 2 * 4)
    assert download.value.suggested_filename == "wellbeing-scores.csv"
    page.page.reload()
    page.page.get_by_text("You downloaded this file on").wait_for()
    assert page.page.get_by_role("button", name="Download the scores (CSV)").count() == 0
    page.axe("scores export downloaded")
