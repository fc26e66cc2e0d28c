"""Network pages in real Chromium: the SVG pictures draw under the strict CSP, the
paginated table carries the same data without JavaScript, and axe finds nothing to fix."""

import re

from commonweave.demo.factories import ResidentFactory
from commonweave.network import compute, services
from commonweave.network.enums import NodeKind
from commonweave.network.models import Node
from tests.network.builders import build_network

from .conftest import sign_in


def _network(world):
    resident = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    return build_network(world, resident)


def test_network_picture_draws_and_pages_pass_axe(page, world):
    """The network page draws the stored layout (SVG, no layout work in the browser) with
    a legend; hover and keyboard focus show a node's details. The node page's own picture
    is drawn the same way (SVG, no graph library) from the node's JSON."""
    nodes = _network(world)
    services.node_create(
        viewer=world.viewer(world.manager_a), kind=NodeKind.ORGANISATION, label="Lonely Club"
    )
    compute.snapshot_compute(world.place)
    sign_in(page, world.analyst.email)
    page.goto("/network/")
    picture = page.page.locator("#network-picture")
    page.page.locator("#network-picture[data-drawn]").wait_for()
    assert (
        int(picture.get_attribute("data-drawn")) == Node.objects.filter(place=world.place).count()
    )
    # laid out: the nodes sit where the analysis put them, spread across the picture
    shapes = page.page.locator("#network-picture path[data-node]")
    assert shapes.count() == Node.objects.filter(place=world.place).count()
    boxes = [shapes.nth(i).bounding_box() for i in range(shapes.count())]
    assert len({(round(b["x"]), round(b["y"])) for b in boxes}) == len(boxes)
    assert max(b["x"] for b in boxes) - min(b["x"] for b in boxes) > 200
    # the isolate sits below everything else, not in a ring around it
    lonely = Node.objects.get(label="Lonely Club").public_id
    lonely_box = page.page.locator(f'#network-picture path[data-node="{lonely}"]').bounding_box()
    assert lonely_box["y"] > max(b["y"] for b in boxes if b != lonely_box)
    # the legend: communities with their sizes, and Other
    legend = page.page.get_by_role("table", name="Communities in the picture")
    assert legend.is_visible()
    assert "Community 1" in legend.inner_text()
    assert "Other" in legend.inner_text()  # the isolates
    # names on the most central nodes; focus and hover show the details
    details = page.page.locator("#network-details")
    named = page.page.locator("#network-picture a.cw-network-named")
    assert named.count() == int(picture.get_attribute("data-named")) > 0
    named.first.focus()
    assert "ties" in details.inner_text()
    shapes.last.hover(force=True)
    assert "betweenness" in details.inner_text()
    page.axe("network overview")
    page.goto(f"/network/nodes/{nodes['b'].public_id}/")
    page.page.locator("#network-picture[data-drawn]").wait_for()
    ego = page.page.locator("#network-picture path[data-node]")
    assert ego.count() == int(page.page.locator("#network-picture").get_attribute("data-drawn"))
    assert page.page.locator("#network-picture path.cw-network-node--ego").count() == 1
    assert not page.page.evaluate("Boolean(window.Sigma || window.graphology)")
    page.page.locator("#network-picture a.cw-network-named").first.focus()
    assert "ties" in page.page.locator("#network-details").inner_text()
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
    table = no_js_page.page.get_by_role("table", name=re.compile("nodes with the most"))
    assert "Testford Council" in table.inner_text()
    # the legend's names are the table's: the picture's communities without the picture
    assert "Community 1" in table.inner_text()
    assert no_js_page.page.get_by_role("table", name="Communities in the picture").is_visible()
    # the table is paged; every node is in the CSV download
    assert re.search(r"1 to \d+ of (\d+|fewer than \d+)", table.inner_text())  # a published total
    assert no_js_page.page.get_by_role("link", name="nodes and metrics (CSV)").count() == 2


def test_network_on_a_phone(phone_page, world):
    _network(world)
    sign_in(phone_page, world.analyst.email)
    phone_page.goto("/network/")
    width = phone_page.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    phone_page.axe("network on a phone")


def test_catalyst_draws_a_residents_own_network_with_them(page, world):
    resident = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    sign_in(page, world.catalyst_a.email)
    page.goto(f"/residents/{resident.public_id}/")
    page.page.get_by_role("link", name="Their own network").click()
    page.page.get_by_role("heading", name="Their own network").wait_for()
    page.axe("own network, nothing drawn yet")
    page.page.get_by_role("button", name="Start the drawing").click()
    page.page.get_by_label("Name").fill("Auntie Pat")
    page.page.get_by_label("A person").check()
    page.page.get_by_role("button", name="Add").click()
    page.page.get_by_role("heading", name="There is a problem").wait_for()
    page.axe("own network form with errors")
    assert page.page.get_by_label("Name").input_value() == "Auntie Pat"
    page.page.get_by_label("They could call on them").check()
    page.page.get_by_label("Very close").check()
    page.page.get_by_role("button", name="Add").click()
    page.page.get_by_text("Added to the drawing.").wait_for()
    circles = page.page.get_by_role("img", name="Their network in drawing 1")
    assert "Auntie Pat" in circles.inner_html()
    page.page.get_by_role("button", name="Start a new drawing").click()
    page.page.get_by_role("heading", name="Then and now").wait_for()
    page.axe("own network with two drawings")


def test_the_own_network_picture_needs_no_javascript(no_js_page, world):
    from commonweave.network import own_network

    resident = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    own_network.member_add(
        viewer=world.viewer(world.catalyst_a),
        resident=resident,
        name="Bowls club",
        kind="group",
        closeness=2,
        sees=True,
    )
    sign_in(no_js_page, world.catalyst_a.email)
    no_js_page.goto(f"/network/residents/{resident.public_id}/")
    picture = no_js_page.page.get_by_role("img", name="Their network in drawing 1")
    assert picture.is_visible()
    assert picture.bounding_box()["width"] > 200
    assert "Bowls club" in no_js_page.page.get_by_role("table").first.inner_text()


def test_coordinator_imports_a_survey_through_review_and_a_background_job(page, world, tmp_path):
    """Upload -> review (bad rows, a choice per unknown name) -> the job's progress and
    report, with the choices kept on an error, and axe on each step."""
    nodes = _network(world)
    survey_file = tmp_path / "survey.csv"
    survey_file.write_text(
        "respondent,contact,relationship,strength,date\n"
        "Faith Forum,Police Team,knows,2,2025-03-01\n"
        "Faith Forum,Fod Bank,help,1,2025-03-01\n"
        "Faith Forum,,knows,1,2025-03-01\n"
    )
    sign_in(page, world.manager_a.email)
    page.goto("/network/survey/")
    page.page.get_by_role("button", name="Check the file").click()
    page.page.get_by_role("heading", name="There is a problem").wait_for()
    page.axe("survey upload with an error")
    page.page.get_by_label("Survey file (CSV)").set_input_files(str(survey_file))
    page.page.get_by_role("button", name="Check the file").click()
    page.page.get_by_role("heading", name="Check the survey").wait_for()
    assert "The named contact is missing" in page.page.get_by_role("table").inner_text()
    page.axe("survey review")
    page.page.get_by_label("Fod Bank").select_option(label="Add them to the network")
    page.page.get_by_label("Organisations").check()
    page.page.get_by_role("button", name="Import").click()
    page.page.get_by_role("heading", name="Report").wait_for()
    assert page.page.locator("#survey-status progress").get_attribute("value") == "100"
    assert "The named contact is missing" in page.page.get_by_role("table").inner_text()
    page.axe("survey import report")
    assert nodes["police"].ties_in.filter(source="survey").count() == 1
