"""Network pages: who sees what, privacy of residents, and the flows behind the forms."""

import datetime
import json
from html import escape

import pytest
from django.urls import reverse

from commonweave.demo.factories import ResidentFactory
from commonweave.network.enums import Sector, TieSource
from commonweave.network.models import Node, Tie
from tests.conftest import assert_access, client_for

pytestmark = pytest.mark.django_db
D = datetime.date


EVERYONE = {"catalyst_a": 200, "manager_a": 200, "worker_b": 200, "catalyst_b": 200, "analyst": 200}


def test_network_pages_are_for_people_in_the_place_only(world, network):
    # everyone with a role sees their own place's network: the outsider sees Elsewhere's
    for url in (
        reverse("network:index"),
        reverse("network:data"),
        reverse("network:change_makers"),
    ):
        assert_access(world, "get", url, {**EVERYONE, "outsider": 200})
    elsewhere = client_for(world.outsider).get(reverse("network:data")).json()
    assert elsewhere["nodes"] == []
    node = network["a"].public_id
    for url in (
        reverse("network:node", args=[node]),
        reverse("network:node_data", args=[node]),
        reverse("network:sector_map", args=[node]),
    ):
        assert_access(world, "get", url, EVERYONE)


def test_recording_ties_is_for_coordinators_and_place_admins(world, network):
    # (the outsider is a place admin in Elsewhere, and records ties there)
    for name in ("network:tie_new", "network:survey", "network:node_new"):
        assert_access(world, "get", reverse(name), {"manager_a": 200, "outsider": 200})


def test_another_places_node_is_a_404(world, network):
    client = client_for(world.outsider)
    assert client.get(reverse("network:node", args=[network["a"].public_id])).status_code == 404


@pytest.fixture
def resident_a(world):
    """Resident A (as in tests/conftest.py) with a name no page holds by chance: a generated
    surname such as "Day" or "Ward" is also an ordinary word on some page."""
    return ResidentFactory(
        organisation=world.org_a, catalyst=world.catalyst_a, full_name="Winifred Oyelaran-Smythe"
    )


def test_residents_appear_only_by_pseudonym_everywhere(world, network):
    resident = network["resident"]
    node = Node.objects.get(resident=resident)
    names = [resident.full_name, resident.full_name.split()[-1]]
    for user in (world.catalyst_a, world.analyst, world.worker_b):
        client = client_for(user)
        for url in (
            reverse("network:index"),
            reverse("network:data"),
            reverse("network:node", args=[node.public_id]),
            reverse("network:node_data", args=[node.public_id]),
            reverse("network:change_makers"),
        ):
            response = client.get(url)
            # (a resident's node is only for the roles that run the analysis: see
            # test_personal_nodes.py)
            assert response.status_code in (200, 404), (url, user)
            body = response.content.decode()
            for name in names:
                assert escape(name) not in body, (url, user)
    data = client_for(world.analyst).get(reverse("network:data")).json()
    labels = {n["label"] for n in data["nodes"] if n["kind"] == "resident"}
    assert labels == {f"Resident {node.pseudonym}"}


def test_data_endpoint_filters_by_tie_type_and_date(world, network):
    client = client_for(world.analyst)
    data = client.get(reverse("network:data"), {"tie_types": "connection"}).json()
    assert {n["kind"] for n in data["nodes"]} == {"resident", "group"}
    assert [e["type"] for e in data["edges"]] == ["connection"]
    before = client.get(
        reverse("network:data"),
        {"as_of_day": "1", "as_of_month": "6", "as_of_year": "2024", "tie_types": "partnership"},
    ).json()
    assert (before["as_of"], before["edges"]) == ("2024-06-01", [])
    response = client.get(reverse("network:data"))
    assert response["Cache-Control"] == "no-store, private"
    assert json.loads(response.content)["metrics_as_of"] is not None


def test_sector_map_shows_gaps_and_ranked_suggestions_with_reasons(world, network):
    response = client_for(world.manager_a).get(
        reverse("network:sector_map", args=[network["a"].public_id])
    )
    page = response.content.decode()
    sector_map = response.context["map"]
    known = {s["value"]: [n.label for n in s["known"]] for s in sector_map["sectors"]}
    assert known[Sector.LOCAL_AUTHORITY] == ["Testford Council"]
    assert known[Sector.FAITH] == []
    top = sector_map["suggestions"][0]
    assert top.label in ("Faith Forum", "Hill School")
    assert top.reasons[0] == "1 partner in common: Testford Council"
    assert any("you know nobody in" in r for r in top.reasons)
    assert "Gap" in page


def test_change_makers_list_reasons(world, network):
    response = client_for(world.analyst).get(reverse("network:change_makers"))
    rows = {r.label: r.reasons for r in response.context["rows"]}
    assert "the network splits into pieces without them" in rows["Hill School"]


def test_recording_a_tie_through_the_form(world, network):
    client = client_for(world.manager_a)
    url = reverse("network:tie_new")
    bad = client.post(
        url,
        {
            "source": network["a"].pk,
            "target": network["a"].pk,
            "tie_type": "partnership",
            "strength": "1",
        },
    )
    assert bad.status_code == 400
    assert "Choose two different ends." in bad.content.decode()
    good = client.post(
        url,
        {
            "source": network["a"].pk,
            "target": network["police"].pk,
            "tie_type": "works_with",
            "strength": "2",
        },
    )
    assert good.status_code == 302
    tie = Tie.objects.get(source_node=network["a"], target_node=network["police"])
    assert (tie.tie_type, tie.strength, tie.source) == ("works_with", 2.0, TieSource.MANUAL)


def test_survey_upload_review_and_import(world, network):
    """The whole flow from the network's own data (more in test_survey.py)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(world.manager_a)
    csv_text = (
        "respondent,contact,relationship,strength,date\n"
        "Faith Forum,Police Team,knows,2,2025-03-01\n"
        "Faith Forum,Food Bank,help,1,2025-03-01\n"
        "Faith Forum,,knows,1,2025-03-01\n"
    )
    upload = SimpleUploadedFile("survey.csv", csv_text.encode(), content_type="text/csv")
    review_url = client.post(reverse("network:survey"), {"file": upload})["Location"]
    page = client.get(review_url).content.decode()
    assert "the named contact is missing" in page.lower()
    assert "Food Bank" in page
    client.post(review_url, {"name-0": "new", "unknown": "leave", "new_kind": "organisation"})
    report = client.get(review_url)
    assert report.context["imp"].report["created"] == 2
    assert Tie.objects.filter(source=TieSource.SURVEY).count() == 2


def test_recompute_button_starts_a_job(world, network):
    response = client_for(world.manager_a).post(reverse("network:recompute"))
    assert response.status_code == 302
    assert "/jobs/" in response["Location"]
    assert client_for(world.worker_b).post(reverse("network:recompute")).status_code == 404


def test_a_sampled_analysis_states_its_betweenness_margin_on_the_page_and_api(world, network):
    from commonweave.network import compute

    # the test network is small: force sampling by lowering the exact limit
    snapshot = compute.snapshot_compute(world.place, exact_limit=2, pivots=3)
    assert snapshot.summary["sampled"] is True
    page = client_for(world.analyst).get(reverse("network:index")).content.decode()
    assert "Betweenness is estimated from 3 starting points" in page
    assert "with 95% confidence" in page
    api = client_for(world.analyst).get("/api/network/metrics").json()
    assert api["betweenness_statement"].startswith("Betweenness is estimated from 3 starting")
    assert api["summary"]["betweenness_error"] == snapshot.summary["betweenness_error"]
    nodes = client_for(world.analyst).get("/api/network/nodes").json()["items"]
    margins = [n["metrics"]["betweenness_error"] for n in nodes if n["metrics"]]
    assert max(margins) == pytest.approx(snapshot.summary["betweenness_error"])


def test_an_exact_analysis_states_no_margin(world, network):
    page = client_for(world.analyst).get(reverse("network:index")).content.decode()
    assert "Betweenness is estimated" not in page
    assert (
        client_for(world.analyst).get("/api/network/metrics").json()["betweenness_statement"]
        is None
    )


def test_picture_data_is_compressed_for_the_viewer_and_a_404_for_others(world, network):
    """The picture's JSON is gzipped when asked for (no CSRF token, nothing an attacker
    chose echoed back), stays private and no-store, and keeps the page's access rules."""
    import gzip

    client = client_for(world.analyst)
    node = network["b"].public_id
    for url in (reverse("network:data"), reverse("network:node_data", args=[node])):
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in response["Vary"]
        assert "no-store" in response["Cache-Control"]
        data = json.loads(gzip.decompress(response.content))
        assert data["nodes"] and "csrf" not in json.dumps(data).lower()
        plain = client.get(url)  # a client that does not ask for gzip gets plain JSON
        assert "Content-Encoding" not in plain and plain.json() == data
    outsider = client_for(world.outsider)
    assert (
        outsider.get(
            reverse("network:node_data", args=[node]), HTTP_ACCEPT_ENCODING="gzip"
        ).status_code
        == 404
    )


def test_node_data_carries_the_legend_and_the_names_to_draw(world, network):
    data = (
        client_for(world.analyst)
        .get(reverse("network:node_data", args=[network["b"].public_id]))
        .json()
    )
    assert [g["key"] for g in data["legend"]["groups"]]
    ego = next(n for n in data["nodes"] if n["ego"])
    assert ego["labelled"] and ego["id"] == network["b"].public_id
    assert {n["label"] for n in data["nodes"]} >= {"Faith Forum", "Hill School"}
    assert all("degree" in n for n in data["nodes"])


def test_the_node_table_is_paginated_most_central_first(world, network, monkeypatch):
    """Two rows a page here (50 in the app): the first page holds the most tied nodes,
    GOV.UK pagination keeps the filters, and the CSV download is offered for every node."""
    from commonweave.network import selectors

    monkeypatch.setattr(selectors, "TABLE_PAGE_SIZE", 2)
    client = client_for(world.analyst)
    response = client.get(reverse("network:index"), {"size_by": "degree"})
    page = response.context["rows"]
    assert [r.label for r in page] == ["Testford Council", "Hill School"]  # the most ties
    assert page.paginator.count > 2
    html = response.content.decode()
    assert 'class="govuk-pagination"' in html
    assert "?size_by=degree&amp;page=2" in html
    assert "/api/network/nodes.csv" in html
    assert "1 to 2 of" in html
    second = client.get(reverse("network:index"), {"size_by": "degree", "page": 2})
    labels = [r.label for r in second.context["rows"]]
    assert len(labels) == 2 and not set(labels) & {"Testford Council", "Hill School"}
    assert min(r.metric.degree for r in page) >= max(
        r.metric.degree for r in second.context["rows"]
    )
    # every visible node is on some page, once
    seen = []
    for number in page.paginator.page_range:
        got = client.get(reverse("network:index"), {"page": number}).context["rows"]
        seen += [r.node.public_id for r in got]
    assert len(seen) == len(set(seen)) == page.paginator.count
    # a page past the end shows the last page rather than failing
    assert client.get(reverse("network:index"), {"page": 99}).status_code == 200


def test_a_nodes_ties_are_paginated(world, network, monkeypatch):
    from commonweave.network import views

    monkeypatch.setattr(views, "TIES_PER_PAGE", 2)
    client = client_for(world.analyst)
    url = reverse("network:node", args=[network["b"].public_id])  # 3 ties
    first = client.get(url)
    assert len(first.context["ties"]) == 2
    html = first.content.decode()
    assert 'class="govuk-pagination"' in html and "1 to 2 of 3" in html
    second = client.get(url, {"page": 2})
    assert len(second.context["ties"]) == 1
    # the picture is drawn without a graph library: only the page's own module loads
    assert "sigma" not in html and "graphology" not in html
    assert 'id="network-picture-text"' in html
