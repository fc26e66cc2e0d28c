"""Network pages: who sees what, privacy of residents, and the flows behind the forms."""

import datetime
import json
from html import escape

import pytest
from django.urls import reverse

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
            body = client.get(url).content.decode()
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
    assert "1 partner in common (Testford Council)" in top.reasons
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
