"""The mutual-aid pages in real Chromium with axe-core (tests/browser/conftest.py): the
public request form without JavaScript and on a 360-px phone, the match flow, and a
lone-working check-in on the helper's own link."""

import datetime

import pytest
from django.utils import timezone

from commonweave.mutualaid import lone_working, services
from commonweave.mutualaid.actors import Helper
from commonweave.mutualaid.enums import AidFrontDoor, Kind, Side
from commonweave.mutualaid.models import Request
from commonweave.tenancy.viewer import public_viewer
from tests.browser.conftest import sign_in
from tests.mutualaid import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def areas(world):
    """Three neighbourhoods side by side, as tests/mutualaid/conftest.py makes them."""
    return [
        factories.neighbourhood(world.place, f"Ward {i}", west=-2.12 + 0.01 * i) for i in range(3)
    ]


def test_the_request_form_works_without_javascript(no_js_page, world, areas):
    factories.category(world.place, "shopping")
    no_js_page.goto(f"/mutual-aid/ask/{world.place.slug}/")
    form = no_js_page.page
    form.get_by_label("Your first name").fill("Ada")
    form.get_by_label("Shopping drop-off").check()
    form.get_by_label("Tell us what you need").fill("Bread and milk")
    form.get_by_label("Your phone number").fill("07700 900111")
    form.get_by_role("button", name="Send").click()
    form.wait_for_load_state()
    assert form.get_by_role("heading", level=1).inner_text() == "We have your request"
    assert Request.objects.filter(kind=Kind.NEED, first_name="Ada").count() == 1
    # No axe here: it runs as script, which this page has switched off (the phone test
    # checks the same pages with axe).


def test_the_request_form_fits_a_360px_phone_and_is_accessible(phone_page, world, areas):
    factories.category(world.place, "shopping")
    phone_page.goto(f"/mutual-aid/ask/{world.place.slug}/")
    assert phone_page.page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.axe("at 360px")
    phone_page.page.get_by_role("button", name="Send").click()
    phone_page.page.wait_for_load_state()
    assert phone_page.page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.axe("with errors at 360px")


def test_the_match_flow_and_a_check_in(page, world, areas):
    cat = factories.category(world.place, "odd-jobs")
    volunteer = factories.helper(
        world.place, world.org_a, home=areas[0], checks=factories.full_checks()
    )
    factories.offer(volunteer, cat)
    need = services.request_create(
        viewer=public_viewer(world.place),
        kind=Kind.NEED,
        category=cat,
        what="Put up a shelf",
        first_name="Ada",
        front_door=AidFrontDoor.PHONE,
        neighbourhood=areas[0],
        phone="07700 900111",
    )
    sign_in(page, "manager.a@example.org")
    page.goto("/mutual-aid/needs/")
    page.axe("needs")
    page.page.get_by_role("link", name="Ada").click()
    page.axe("need")
    page.page.get_by_role("button", name="Propose Sam").click()
    page.page.get_by_role("button", name="They said yes").click()
    page.axe("proposed")
    match = need.matches.get()
    services.match_accept(actor=Helper(volunteer), match=match, side=Side.HELPER)
    now = timezone.now()
    lone_working.lone_working_plan(
        viewer=world.viewer(world.manager_a),
        match=match,
        starts_at=now,
        ends_at=now + datetime.timedelta(hours=1),
    )
    secret = "s" + volunteer.public_id
    volunteer.link_token_hash = volunteer.hash_token(secret)
    volunteer.save(update_fields=["link_token_hash"])
    page.goto(f"/mutual-aid/helper/{secret}/")
    page.axe("helper")
    page.page.get_by_role("button", name="I am on my way").click()
    page.page.get_by_role("button", name="I am safe and finished").click()
    match.lone_working.refresh_from_db()
    assert match.lone_working.safe_at is not None
    page.axe("after check-in")
