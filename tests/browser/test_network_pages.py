"""Network pages in real Chromium: the sigma.js picture draws under the strict CSP, the
table carries the same data without JavaScript, and axe finds nothing to fix."""

from commonweave.demo.factories import ResidentFactory
from commonweave.network.models import Node
from tests.network.builders import build_network

from .conftest import sign_in


def _network(world):
    resident = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    return build_network(world, resident)


def test_network_picture_draws_and_pages_pass_axe(page, world):
    nodes = _network(world)
    sign_in(page, world.analyst.email)
    page.goto("/network/")
    picture = page.page.locator("#network-picture")
    page.page.locator("#network-picture[data-drawn]").wait_for()
    assert (
        int(picture.get_attribute("data-drawn")) == Node.objects.filter(place=world.place).count()
    )
    assert page.page.locator("#network-picture canvas").count() > 0
    page.axe("network overview")
    page.goto(f"/network/nodes/{nodes['b'].public_id}/")
    page.page.locator("#network-picture[data-drawn]").wait_for()
    page.axe("ego network")
    page.goto(f"/network/nodes/{nodes['a'].public_id}/sector-map/")
    page.page.get_by_role("heading", name="Who you need to know").wait_for()
    page.axe("sector map")
    page.goto("/network/change-makers/")
    page.axe("change-makers")


def test_coordinator_records_a_tie_with_the_form(page, world):
    nodes = _network(world)
    sign_in(page, world.manager_a.email)
    page.goto("/network/ties/new/")
    page.page.get_by_role("button", name="Record the tie").click()
    page.page.get_by_role("heading", name="There is a problem").wait_for()
    page.axe("tie form with errors")
    page.page.get_by_label("From", exact=True).select_option(label="Testford Connect")
    page.page.get_by_label("To", exact=True).select_option(label="Police Team")
    page.page.get_by_label("Works with").check()
    page.page.get_by_role("button", name="Record the tie").click()
    page.page.get_by_text("The tie is recorded.").wait_for()
    assert nodes["police"].ties_in.count() == 2
    page.axe("node page after recording")


def test_without_javascript_the_table_holds_the_network(no_js_page, world):
    _network(world)
    sign_in(no_js_page, world.analyst.email)
    no_js_page.goto("/network/")
    assert no_js_page.page.locator("#network-picture").is_hidden()
    table = no_js_page.page.get_by_role("table").first
    assert "Testford Council" in table.inner_text()


def test_network_on_a_phone(phone_page, world):
    _network(world)
    sign_in(phone_page, world.analyst.email)
    phone_page.goto("/network/")
    width = phone_page.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    phone_page.axe("network on a phone")
