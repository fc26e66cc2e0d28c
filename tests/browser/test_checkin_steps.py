"""A resident's own check-in in real Chromium on a 360-px phone, a few questions at a
time, with and without JavaScript: "Step n of m" above each heading, back links that keep
the answers, no sideways scroll, no measure names, and axe-core on every step."""

import re

from commonweave.demo.factories import ResidentFactory
from commonweave.wellbeing import services
from commonweave.wellbeing.models import AreaRating, CheckIn, MeasureResponse

from .test_wellbeing_pages import outbox  # noqa: F401 (a fixture)

TITLES = [
    "How things are going",
    "More about how things are going",
    "How you have been feeling",
    "Time with other people",
    "Anything else?",
]


def _link(world, full_name):
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


def _path(outbox):  # noqa: F811
    return re.search(r"(/wellbeing/c/[\w-]+/)", outbox[-1]["message"]).group(1)


def _on_step(checked, number):
    page = checked.page
    page.get_by_role("heading", name=TITLES[number - 1]).wait_for()
    assert page.locator(".govuk-caption-l").inner_text() == f"Step {number} of 5"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    main = page.locator("main").inner_text()
    for word in ("ONS", "UCLA", "score", "questionnaire"):
        assert word not in main
    checked.axe(f"check-in step {number}")


def test_a_resident_checks_in_step_by_step_on_a_phone(phone_page, world, outbox):  # noqa: F811
    checkin = _link(world, "Grace Akintola")
    phone_page.goto(_path(outbox))
    page = phone_page.page
    _on_step(phone_page, 1)
    assert page.get_by_text("Hello Grace.").is_visible()
    assert "Akintola" not in page.content()
    page.get_by_role("group", name="Home").get_by_label("Going well", exact=True).check()
    page.get_by_label("Home: what would make it better?").fill("A bus pass")
    page.get_by_role("button", name="Continue").click()

    _on_step(phone_page, 2)
    page.get_by_role("group", name="Feeling safe").get_by_label("Getting by", exact=True).check()
    # Back keeps what was answered.
    page.get_by_role("link", name="Back").click()
    _on_step(phone_page, 1)
    assert (
        page.get_by_role("group", name="Home").get_by_label("Going well", exact=True).is_checked()
    )
    assert page.get_by_label("Home: what would make it better?").input_value() == "A bus pass"
    page.get_by_role("button", name="Continue").click()
    _on_step(phone_page, 2)
    page.get_by_role("group", name="Feeling safe").get_by_label("Getting by", exact=True).check()
    page.get_by_role("button", name="Continue").click()

    _on_step(phone_page, 3)
    page.get_by_role("group", name="Overall, how happy did you feel yesterday?").get_by_label(
        "7", exact=True
    ).check()
    page.get_by_role("button", name="Continue").click()

    _on_step(phone_page, 4)
    page.get_by_role("group", name="How often do you feel lonely?").get_by_label(
        "Hardly ever", exact=True
    ).check()
    page.get_by_role("button", name="Continue").click()

    _on_step(phone_page, 5)
    assert not CheckIn.objects.get().is_complete  # nothing stored before the last step
    assert AreaRating.objects.count() == 0
    page.get_by_label("Anything you want to tell us").fill("A good week")
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_role("heading", name="Check-in saved").wait_for()
    phone_page.axe("check-in saved")
    checkin.refresh_from_db()
    assert (checkin.is_complete, checkin.own_words) == (True, "A good week")
    ratings = dict(AreaRating.objects.filter(value__isnull=False).values_list("area__key", "value"))
    assert ratings == {"home": 4, "safe": 3}
    assert MeasureResponse.objects.count() == 2


def test_saving_with_nothing_answered_is_explained_on_a_phone(phone_page, world, outbox):  # noqa: F811
    _link(world, "Ken Obi")
    phone_page.goto(_path(outbox))
    page = phone_page.page
    for number in range(1, 5):
        page.get_by_role("heading", name=TITLES[number - 1]).wait_for()
        page.get_by_role("button", name="Continue").click()
    page.get_by_label("Anything you want to tell us").fill("Just words")
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert "Answer at least one question" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Anything you want to tell us").input_value() == "Just words"
    _on_step(phone_page, 5)
    assert not CheckIn.objects.get().is_complete


def test_the_steps_work_without_javascript(no_js_page, world, outbox):  # noqa: F811
    _link(world, "Ada Okafor")
    no_js_page.goto(_path(outbox))
    page = no_js_page.page
    page.get_by_role("group", name="Home").get_by_label("Getting by").check()
    for number in range(1, 5):
        page.get_by_role("heading", name=TITLES[number - 1]).wait_for()
        assert page.locator(".govuk-caption-l").inner_text() == f"Step {number} of 5"
        page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Anything else?").wait_for()
    page.get_by_role("link", name="Back").click()
    page.get_by_role("heading", name="Time with other people").wait_for()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_role("heading", name="Check-in saved").wait_for()
    assert CheckIn.objects.get().is_complete
    assert AreaRating.objects.get(area__key="home").value == 3
