"""The network's whole-network counts are cell-keyed published numbers (issue 15): each
count is published from the number and the sum of the record keys of what it counts, so the
same snapshot always shows the same numbers, one node more or less moves them at random,
and no count from 1 to 7 is ever shown. The expected numbers here are worked out
independently (networkx and the stored keys) and published through the disclosure module."""

import datetime
from collections import Counter

import networkx as nx
import numpy as np
import pytest
from django.urls import reverse

from commonweave.demo.factories import MembershipFactory, OrganisationFactory, PlaceFactory
from commonweave.insights.disclosure import Cell, protected_value, publish_count
from commonweave.network import compute, selectors
from commonweave.network import metrics as stored
from commonweave.network.analysis import GraphInput, analyse
from commonweave.network.models import MetricColumn, NetworkSnapshot, Node, Tie
from commonweave.tenancy.enums import Role
from commonweave.tenancy.viewer import viewer_for_user
from tests.conftest import client_for

from .factories import NodeFactory, TieFactory

pytestmark = pytest.mark.django_db
D = datetime.date
COUNTS = selectors.SUMMARY_COUNTS


def _coordinator(slug):
    place = PlaceFactory(name=slug.title(), slug=slug)
    council = OrganisationFactory(place=place, kind="council")
    user = MembershipFactory(organisation=council, role=Role.COORDINATOR).user
    return place, user, viewer_for_user(user, place)


MONTHS = (D(2025, 1, 10), D(2025, 2, 10), D(2025, 3, 10))


def _grow(place, *, nodes, ties, seed, months=MONTHS):
    """`nodes` new nodes and `ties` random ties among all the place's nodes, started in the
    given months (some nodes are left without ties: isolates)."""
    rng = np.random.default_rng(seed)
    NodeFactory.create_batch(nodes, place=place)
    pool = list(Node.objects.filter(place=place).order_by("pk"))
    tied = pool[: max(2, int(len(pool) * 0.8))]
    for _ in range(ties):
        a, b = rng.choice(len(tied), 2, replace=False)
        TieFactory(
            source_node=tied[a],
            target_node=tied[b],
            started_on=months[int(rng.integers(len(months)))],
        )


def _published_counts(summary) -> dict:
    """Every published count of a published summary, by name."""
    out = {key: summary[key] for key in COUNTS if f"{key}_published" in summary}
    out |= {f"community {c}": size for c, size in summary.get("community_sizes", [])}
    for point in summary.get("growth", []):
        out |= {f"{key} {point['month']}": point[key] for key in selectors.GROWTH_COUNTS}
    return out


def _expected(place, snapshot) -> dict:
    """The summary's counts as Cells, from the stored node keys, the active ties and the
    snapshot's communities: a restatement of what each count counts, not the app's code."""
    keys = dict(Node.objects.filter(place=place).values_list("pk", "record_key"))
    ties = list(Tie.objects.filter(place=place).values_list("source_node", "target_node"))
    graph = nx.Graph()
    graph.add_nodes_from(keys)
    graph.add_edges_from(ties)
    columns = stored.read(snapshot, ("community",))
    community = dict(zip(columns["node"].tolist(), columns["community"].tolist(), strict=True))
    parts = sorted(nx.connected_components(graph), key=len, reverse=True)
    assert len(parts) == 1 or len(parts[0]) > len(parts[1])  # one largest component

    def pairs(edges):
        edges = list(edges)
        return Cell(len(edges), sum(keys[a] + keys[b] for a, b in edges))

    def nodes(group):
        group = list(group)
        return Cell(len(group), sum(keys[pk] for pk in group))

    cells = {
        "nodes": nodes(keys),
        "ties": pairs(ties),
        "edges": pairs(graph.edges),
        "isolates": nodes(pk for pk in keys if graph.degree(pk) == 0),
        # a component is counted by its first node (the lowest id)
        "components": nodes(min(part) for part in parts),
        "largest_component": nodes(parts[0]),
        "bridging_ties": pairs((a, b) for a, b in graph.edges if community[a] != community[b]),
        "cut_ties": pairs(nx.bridges(graph)),
    }
    members = Counter(community.values())
    for c in members:
        cells[f"community {int(c)}"] = nodes(pk for pk in keys if community[pk] == c)
    rows = list(
        Tie.objects.filter(place=place).values_list("source_node", "target_node", "started_on")
    )
    existing = Cell(0, 0)
    for month in sorted({day.replace(day=1) for _a, _b, day in rows}):
        new = pairs((a, b) for a, b, day in rows if day.replace(day=1) == month)
        label = month.isoformat()[:7]
        cells |= {f"existing {label}": existing, f"new {label}": new, f"ended {label}": Cell(0, 0)}
        existing = existing + new
    return cells


def test_published_counts_are_the_disclosure_modules_cells_from_the_records_keys():
    place, _user, viewer = _coordinator("keyford")
    _grow(place, nodes=60, ties=70, seed=1)
    snapshot = compute.snapshot_compute(place)
    published = _published_counts(selectors.published_summary(viewer, snapshot))
    expected = _expected(place, snapshot)
    threshold = place.suppression_threshold
    shown = {name: protected_value(cell, threshold=threshold) for name, cell in expected.items()}
    assert {name: published[name] for name in shown} == shown


def test_the_cell_key_moves_a_count_the_way_the_table_says():
    """62 nodes round to 60; with their keys summing to 250 (a +2 in the table) the count is
    published as 64, rounded to 65; with a sum of 5 (a -2), 60; with 100 (no change), 60."""
    place, _user, viewer = _coordinator("tableford")
    NodeFactory.create_batch(62, place=place)
    first = Node.objects.filter(place=place).order_by("pk").first()
    for keys, shown in ((250, 65), (5, 60), (100, 60)):
        Node.objects.filter(place=place).update(record_key=0)
        Node.objects.filter(pk=first.pk).update(record_key=keys)
        summary = selectors.published_summary(viewer, compute.snapshot_compute(place))
        assert (summary["nodes"], summary["nodes_published"]) == (shown, str(shown))
        assert (summary["isolates"], summary["components"]) == (shown, shown)


def test_the_same_snapshot_published_twice_gives_the_same_numbers():
    place, user, viewer = _coordinator("twiceford")
    _grow(place, nodes=40, ties=50, seed=2)
    snapshot = compute.snapshot_compute(place)
    first = selectors.published_summary(viewer, snapshot)
    again = selectors.published_summary(viewer, NetworkSnapshot.objects.get(pk=snapshot.pk))
    assert again == first
    # recomputed from the same data: the same communities, the same keys, the same numbers
    recomputed = selectors.published_summary(viewer, compute.snapshot_compute(place))
    assert _published_counts(recomputed) == _published_counts(first)
    client = client_for(user)
    api = client.get("/api/network/metrics").json()["summary"]
    assert _published_counts(api) == _published_counts(
        client.get("/api/network/metrics").json()["summary"]
    )
    assert _published_counts(api) == _published_counts(recomputed)


def _never_one_to_seven(summary):
    values = _published_counts(summary)
    shown = {name: v for name, v in values.items() if v is not None and 0 < v < 8}
    assert shown == {}
    return values


def test_snapshots_one_node_apart_move_at_random_but_never_show_one_to_seven():
    place, _user, viewer = _coordinator("stepford")
    _grow(place, nodes=30, ties=35, seed=3)
    snapshot = compute.snapshot_compute(place)
    before = _never_one_to_seven(selectors.published_summary(viewer, snapshot))
    keys = snapshot.summary["nodes_keys"]
    for step in range(12):
        newcomer = NodeFactory(place=place)
        anchor = Node.objects.filter(place=place).exclude(pk=newcomer.pk).order_by("pk")[step]
        TieFactory(source_node=newcomer, target_node=anchor, started_on=D(2025, 3, 20))
        snapshot = compute.snapshot_compute(place)
        after = _never_one_to_seven(selectors.published_summary(viewer, snapshot))
        # one more node: at most the perturbation (±2 on each side) and rounding apart
        assert abs(after["nodes"] - before["nodes"]) <= 10
        # and its cell key moved by the newcomer's key, unknown to anyone reading the counts
        assert snapshot.summary["nodes_keys"] == (keys + newcomer.record_key) % 256
        before, keys = after, snapshot.summary["nodes_keys"]


def test_a_small_network_shows_no_count_from_one_to_seven_to_any_viewer(world, network):
    for user in (world.analyst, world.manager_a, world.worker_b):
        viewer = world.viewer(user)
        _never_one_to_seven(selectors.published_summary(viewer, selectors.latest_snapshot(viewer)))


def test_a_snapshot_from_before_record_keys_still_renders_rounded_counts(world, network):
    viewer = world.viewer(world.analyst)
    snapshot = selectors.latest_snapshot(viewer)
    old = {k: v for k, v in snapshot.summary.items() if not k.endswith("_keys")}
    old["growth"] = [{k: v for k, v in p.items() if not k.endswith("_keys")} for p in old["growth"]]
    NetworkSnapshot.objects.filter(pk=snapshot.pk).update(summary=old)
    MetricColumn.objects.filter(snapshot=snapshot, name=stored.KEY_FIELD).delete()
    snapshot.refresh_from_db()
    summary = selectors.published_summary(viewer, snapshot)
    threshold = viewer.place.suppression_threshold
    for key in COUNTS:
        if key in old:  # only suppressed and rounded, as before
            assert summary[key] == protected_value(old[key], threshold=threshold)
    assert selectors.visible_key_sum(viewer, snapshot) is None
    page = client_for(world.analyst).get(reverse("network:index"))
    assert page.status_code == 200


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_key_sums_are_never_published(world, network):
    viewer = world.viewer(world.analyst)
    snapshot = selectors.latest_snapshot(viewer)
    assert "nodes_keys" in snapshot.summary and "existing_keys" in snapshot.summary["growth"][0]
    summary = selectors.published_summary(viewer, snapshot)
    assert [k for k in summary if k.endswith("_keys")] == []
    assert [k for p in summary["growth"] for k in p if k.endswith("_keys")] == []
    client = client_for(world.analyst)
    for address in ("/api/network/metrics", "/api/network/summary.csv", "/api/network/nodes.csv"):
        assert "_keys" not in _text(client.get(address))
    assert "record_key" not in _text(client.get("/api/network/nodes.csv"))


def test_key_sums_of_a_small_graph_restated_by_hand():
    """Four nodes in a path 0-1-2 and an isolate 3, keys 10, 20, 30, 250."""
    keys = np.array([10, 20, 30, 250])
    result = analyse(GraphInput.from_edges(4, [(0, 1), (1, 2), (1, 2)]), keys=keys)
    s = result.summary
    assert (s["nodes"], s["nodes_keys"]) == (4, (10 + 20 + 30 + 250) % 256)
    assert (s["ties"], s["ties_keys"]) == (3, (30 + 50 + 50) % 256)  # parallel ties both count
    assert (s["edges"], s["edges_keys"]) == (2, 30 + 50)
    assert (s["isolates"], s["isolates_keys"]) == (1, 250)
    assert (s["components"], s["components_keys"]) == (2, (10 + 250) % 256)  # by first nodes
    assert (s["largest_component"], s["largest_component_keys"]) == (3, 60)
    assert (s["cut_ties"], s["cut_ties_keys"]) == (2, 30 + 50)
    assert "nodes_keys" not in analyse(GraphInput.from_edges(4, [(0, 1)])).summary


def test_a_count_at_the_threshold_is_never_moved_below_it():
    """Eight nodes whose keys give a -2 are still eight (never moved into 1-7), shown as 10;
    seven are "fewer than 8" whatever their keys."""
    place, _user, viewer = _coordinator("edgeford")
    NodeFactory.create_batch(8, place=place)
    Node.objects.filter(place=place).update(record_key=0)  # cell key 0: a -2 in the table
    summary = selectors.published_summary(viewer, compute.snapshot_compute(place))
    assert (summary["nodes"], summary["nodes_published"]) == (10, "10")
    Node.objects.filter(pk=Node.objects.filter(place=place).first().pk).delete()
    summary = selectors.published_summary(viewer, compute.snapshot_compute(place))
    assert (summary["nodes"], summary["nodes_published"]) == (None, "fewer than 8")


def test_the_picture_and_api_give_no_count_of_placed_nodes(world, network):
    """The layout's counts of placed and left-out nodes take in every node, residents too:
    the picture gets only its box's size, the API the same, and the page's note about nodes
    left out of the picture says their number as a published count."""
    viewer = world.viewer(world.worker_b)
    snapshot = selectors.latest_snapshot(viewer)
    client = client_for(world.worker_b)
    assert set(client.get(reverse("network:data")).json()["box"]) == {
        "width",
        "height",
        "isolates_top",
    }
    api = client.get("/api/network/metrics").json()["summary"]
    assert set(api["layout"]) == {"width", "height", "isolates_top"}
    summary = dict(snapshot.summary)
    summary["layout"] = {**summary["layout"], "not_placed": 3}
    NetworkSnapshot.objects.filter(pk=snapshot.pk).update(summary=summary)
    page = client.get(reverse("network:index")).content.decode()
    assert "fewer than 8 nodes are not in the picture" in page
    assert "3 nodes are not" not in page


def test_the_recompute_jobs_report_says_the_published_counts(world, network):
    from commonweave.network.jobs import recompute_start

    viewer = world.viewer(world.analyst)
    job, started = recompute_start(viewer=viewer)
    job.refresh_from_db()
    summary = selectors.published_summary(viewer, selectors.latest_snapshot(viewer))
    assert started and job.status == "done"
    assert (job.result["nodes"], job.result["ties"]) == (
        summary["nodes_published"],
        summary["ties_published"],
    )
    assert job.message.startswith(f"Analysed {summary['nodes_published']} nodes and ")
    assert {job.result[f"ties_{k}"] for k in ("created", "updated", "ended", "deleted")} <= {
        "0",
        "fewer than 8",
    }


def test_the_legend_and_the_tables_total_are_keyed_by_the_nodes_the_viewer_sees():
    place, _user, viewer = _coordinator("legendford")
    _grow(place, nodes=80, ties=120, seed=5)
    snapshot = compute.snapshot_compute(place)
    keys = dict(Node.objects.filter(place=place).values_list("pk", "record_key"))
    columns = stored.read(snapshot, ("community",))
    community = dict(zip(columns["node"].tolist(), columns["community"].tolist(), strict=True))
    legend = selectors.published_legend(
        viewer, selectors.community_legend(viewer, snapshot), snapshot
    )
    threshold = place.suppression_threshold
    for group in legend["groups"]:
        members = [pk for pk in keys if community[pk] == group["community"]]
        cell = Cell(len(members), sum(keys[pk] for pk in members))
        assert group["size_words"] == publish_count(cell, threshold=threshold).label
    assert selectors.visible_key_sum(viewer, snapshot) == sum(keys.values())


def test_the_tables_total_leaves_out_the_nodes_a_viewer_does_not_see(world, network):
    viewer = world.viewer(world.worker_b)  # sees organisations, not residents
    snapshot = selectors.latest_snapshot(viewer)
    seen = selectors.visible_nodes(viewer).values_list("record_key", flat=True)
    assert selectors.visible_key_sum(viewer, snapshot) == sum(seen)
    everyone = Node.objects.filter(place=world.place).values_list("record_key", flat=True)
    assert selectors.visible_key_sum(world.viewer(world.analyst), snapshot) == sum(everyone)
