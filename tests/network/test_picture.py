"""The network picture: a layout stored with the analysis, isolates set apart, a legend of
the largest communities, names on the most central nodes only, and the numbers in words."""

import datetime
import json
import re

import numpy as np
import pytest
from django.urls import reverse

from commonweave.network import compute, layout, picture, selectors, services, words
from commonweave.network import metrics as stored
from commonweave.network.analysis import GraphInput, analyse
from commonweave.network.enums import NodeKind, TieType
from commonweave.network.models import Node
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
D = datetime.date


def _node(world, label):
    return services.node_create(
        viewer=world.viewer(world.manager_a), kind=NodeKind.ORGANISATION, label=label
    )


def _tie(world, a, b, strength=1):
    return services.tie_record(
        viewer=world.viewer(world.manager_a),
        source=a,
        target=b,
        tie_type=TieType.PARTNERSHIP,
        strength=strength,
        started_on=D(2025, 1, 1),
    )


def _star_and_chain(world, lonely=2):
    """A hub with six spokes, a chain of five hanging off one spoke, and `lonely`
    organisations with no ties: 12 tied nodes with different betweenness, and isolates."""
    hub = _node(world, "Hub")
    spokes = [_node(world, f"Spoke {i}") for i in range(6)]
    chain = [_node(world, f"Chain {i}") for i in range(5)]
    for spoke in spokes:
        _tie(world, hub, spoke)
    for x, y in zip([spokes[0], *chain], chain, strict=False):
        _tie(world, x, y)
    isolates = [_node(world, f"Lonely {i}") for i in range(lonely)]
    return hub, spokes, chain, isolates


def _positions(snapshot):
    columns = stored.read(snapshot, ("x", "y", "degree"))
    return columns["node"], columns["x"], columns["y"], columns["degree"]


def test_the_layout_is_stored_with_the_snapshot_and_the_same_data_gives_the_same_picture(world):
    _star_and_chain(world)
    first = compute.snapshot_compute(world.place)
    second = compute.snapshot_compute(world.place)
    nodes1, x1, y1, _ = _positions(first)
    nodes2, x2, y2, _ = _positions(second)
    assert nodes1.tolist() == nodes2.tolist()
    assert np.isfinite(x1).all() and np.isfinite(y1).all()
    assert x1.tolist() == x2.tolist()
    assert y1.tolist() == y2.tolist()
    box = first.summary["layout"]
    assert box == second.summary["layout"]
    assert (box["width"], box["placed"], box["not_placed"]) == (layout.BOX, 14, 0)
    assert ((x1 >= 0) & (x1 <= box["width"]) & (y1 >= 0) & (y1 <= box["height"])).all()


def test_the_layout_is_deterministic_without_the_database():
    src = np.array([0, 1, 2, 3, 0, 5])
    dst = np.array([1, 2, 3, 0, 4, 6])
    degree = np.bincount(np.concatenate([src, dst]), minlength=9)
    a = layout.compute(9, src, dst, degree)
    b = layout.compute(9, src, dst, degree)
    assert a.x.tolist() == b.x.tolist()
    assert a.y.tolist() == b.y.tolist()
    assert a.box == b.box


def test_isolates_are_set_apart_in_rows_below_the_picture(world):
    _, _, _, lonely = _star_and_chain(world, lonely=3)
    snapshot = compute.snapshot_compute(world.place)
    nodes, x, y, degree = _positions(snapshot)
    box = snapshot.summary["layout"]
    tied, isolated = degree > 0, degree == 0
    assert set(nodes[isolated].tolist()) == {n.pk for n in lonely}
    assert y[tied].max() <= layout.BOX < box["isolates_top"]
    # one row, in node order, evenly spaced: not a ring around the rest
    assert y[isolated].tolist() == [box["isolates_top"]] * 3
    assert np.diff(x[isolated]).tolist() == [layout.ISOLATE_STEP] * 2
    assert box["height"] == box["isolates_top"] + layout.MARGIN


def test_a_large_network_places_at_most_the_limit_and_says_how_many_are_left_out(monkeypatch):
    monkeypatch.setattr(layout, "LAYOUT_LIMIT", 3)
    src, dst = np.array([0, 0, 0, 1, 5]), np.array([1, 2, 3, 2, 6])
    degree = np.bincount(np.concatenate([src, dst]), minlength=9)  # 4, 7, 8: isolates
    placed = layout.compute(9, src, dst, degree)
    # the three with the most ties (0: 3, 1 and 2: 2 each), and the (three) isolates
    assert np.flatnonzero(np.isfinite(placed.x)).tolist() == [0, 1, 2, 4, 7, 8]
    assert (placed.box["placed"], placed.box["not_placed"]) == (6, 3)


def test_legend_lists_the_largest_communities_and_other_with_their_sizes():
    # communities 0..9 of sizes 10, 9, ..., 1; two isolates in communities of their own
    community = np.concatenate([np.full(10 - c, c) for c in range(10)] + [[20], [21]])
    legend = picture.legend_from(community)
    assert [(g["community"], g["size"]) for g in legend["groups"]] == [
        (c, 10 - c) for c in range(picture.LEGEND_LIMIT)
    ]
    assert [g["label"] for g in legend["groups"]] == [f"Community {i}" for i in range(1, 9)]
    assert legend["other"] == 2 + 1 + 2  # communities of 2 and 1, and the isolates
    assert legend["total"] == community.size
    assert len({(g["colour"], g["shape_name"]) for g in legend["groups"]}) == 8


def test_legend_counts_only_the_nodes_the_viewer_may_see_and_never_a_lone_node():
    community = np.array([0, 0, 0, 1, 1, 2])
    visible = np.array([True, True, False, True, True, True])
    legend = picture.legend_from(community, visible)
    assert [(g["community"], g["size"]) for g in legend["groups"]] == [(0, 2), (1, 2)]
    assert (legend["other"], legend["total"]) == (1, 5)


def test_every_colour_has_three_to_one_contrast_against_the_background():
    def luminance(colour):
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    background = luminance(picture.BACKGROUND)
    for mark in [*picture.MARKS, picture.OTHER]:
        ratio = (background + 0.05) / (luminance(mark.colour) + 0.05)
        assert ratio >= 3, (mark.colour, ratio)
    assert len({m.shape_name for m in picture.MARKS}) == len(picture.MARKS)


def test_the_picture_data_names_only_the_most_central_nodes(world):
    _star_and_chain(world)
    snapshot = compute.snapshot_compute(world.place)
    data = client_for(world.analyst).get(reverse("network:data")).json()
    columns = stored.read(snapshot, ("betweenness", "degree"))
    public = dict(Node.objects.filter(place=world.place).values_list("pk", "public_id"))
    # restated: the ten greatest betweenness, then the most ties, then the public id
    expected = sorted(
        range(columns["node"].size),
        key=lambda i: (
            -columns["betweenness"][i],
            -columns["degree"][i],
            public[int(columns["node"][i])],
        ),
    )[: picture.LABEL_LIMIT]
    named = {n["id"] for n in data["nodes"] if n["labelled"]}
    assert named == {public[int(columns["node"][i])] for i in expected}
    assert len(named) == picture.LABEL_LIMIT < len(data["nodes"])
    by_label = {n["label"]: n for n in data["nodes"]}
    assert by_label["Hub"]["labelled"] is True
    assert by_label["Lonely 0"]["labelled"] is False
    assert by_label["Hub"]["group"] in {g["key"] for g in data["legend"]["groups"]}
    assert all(n["x"] is not None and n["y"] is not None for n in data["nodes"])
    # the box's size, not its counts of placed nodes (counts of every node, residents too)
    box = snapshot.summary["layout"]
    assert data["box"] == {k: box[k] for k in ("width", "height", "isolates_top")}


def test_picture_names_follow_the_visibility_rules(world, network):
    resident = network["resident"]
    analyst = client_for(world.analyst).get(reverse("network:data"))
    nodes = {n["kind"]: n for n in analyst.json()["nodes"]}
    text = analyst.content.decode()
    # the resident is central here: named, but only by pseudonym
    assert nodes["resident"]["labelled"] is True
    assert re.fullmatch(r"Resident R-\w+", nodes["resident"]["label"])
    assert resident.full_name not in text
    # a catalyst sees the partnership's network: no residents at all, in data or legend
    catalyst = client_for(world.catalyst_a).get(reverse("network:data")).json()
    assert "resident" not in {n["kind"] for n in catalyst["nodes"]}
    assert catalyst["legend"]["total"] == len(catalyst["nodes"])
    assert sum(g["size"] for g in catalyst["legend"]["groups"]) + catalyst["legend"]["other"] == (
        len(catalyst["nodes"])
    )


def test_the_page_shows_the_legend_and_the_table_names_the_same_communities(world):
    _star_and_chain(world, lonely=2)
    compute.snapshot_compute(world.place)
    response = client_for(world.analyst).get(reverse("network:index"))
    legend = response.context["legend"]
    page = response.content.decode()
    assert 'id="network-legend"' in page
    assert "data-network-map" in page
    for group in legend["groups"]:
        assert f">{group['label']}</th>" in page
    rows = response.context["rows"]
    names = picture.group_labels(legend)
    assert [r.group for r in rows] == [names.get(r.metric.community, "Other") for r in rows]
    # the legend's sizes add up to the nodes in the table (every node is in it here)
    assert sum(g["size"] for g in legend["groups"]) + legend["other"] == len(rows) == 14


def test_a_snapshot_without_a_layout_says_the_picture_needs_an_analysis(world, network):
    snapshot = selectors.latest_snapshot(world.viewer(world.analyst))
    summary = dict(snapshot.summary)
    summary.pop("layout")
    type(snapshot).objects.filter(pk=snapshot.pk).update(summary=summary)
    page = client_for(world.analyst).get(reverse("network:index")).content.decode()
    assert "data-network-map" not in page
    assert "The picture appears once the network has been analysed" in page


def test_density_in_words():
    assert words.in_every(0.0066) == (3, 500, False)
    assert words.density_words(0.0066) == "About 3 in every 500 possible ties exist"
    assert words.density_words(0.2) == "2 in every 10 possible ties exist"
    assert words.density_words(0) == "No ties exist yet between the nodes"
    assert words.density_words(1.0).startswith("Every possible tie exists")


def test_density_words_for_a_small_known_network(world):
    # 5 nodes, 2 ties: 2 of the 10 possible pairs
    nodes = [_node(world, label) for label in "ABCDE"]
    _tie(world, nodes[0], nodes[1])
    _tie(world, nodes[2], nodes[3])
    snapshot = compute.snapshot_compute(world.place)
    assert snapshot.summary["density"] == pytest.approx(0.2)
    page = client_for(world.analyst).get(reverse("network:index")).content.decode()
    density = re.search(r'id="network-density">([^<]*)<', page).group(1)
    assert density == "2 in every 10 possible ties exist (density 0.2000)"


def test_closeness_above_one_is_explained_where_ties_are_weighted(world):
    # two nodes with a tie of strength 3: a third of a step apart, closeness 3
    result = analyse(GraphInput.from_edges(2, [(0, 1, 3.0)]))
    assert result.metrics["closeness"].tolist() == pytest.approx([3.0, 3.0])
    assert result.summary["weighted"] is True
    a, b = _node(world, "Strong A"), _node(world, "Strong B")
    _tie(world, a, b, strength=3)
    compute.snapshot_compute(world.place)
    page = client_for(world.analyst).get(reverse("network:node", args=[a.public_id]))
    closeness = re.search(r'id="node-closeness">([^<]*)<p[^>]*>([^<]*)</p>', page.content.decode())
    assert closeness.group(1) == "3.000"
    assert "1 means one step to everyone" in closeness.group(2)
    assert "can score above 1" in closeness.group(2)
    assert "can score above 1" not in words.closeness_words(weighted=False)


def test_partners_in_common_are_named_or_the_sentence_says_none_can_be(world, resident_a):
    orgs = [_node(world, name) for name in ("Bakery", "Allotments", "Choir", "Dance", "Eco")]
    person = Node(kind=NodeKind.PERSON, label="", pseudonym="R-abc")
    assert selectors.partners_in_common(1, [orgs[0]]) == "1 partner in common: Bakery"
    assert selectors.partners_in_common(2, orgs[:2]) == (
        "2 partners in common: Allotments and Bakery"
    )
    assert selectors.partners_in_common(5, orgs) == (
        "5 partners in common: Allotments, Bakery, Choir and 2 others"
    )
    assert selectors.partners_in_common(2, [orgs[0], person]) == (
        "2 partners in common: Bakery and 1 other"
    )
    assert selectors.partners_in_common(1, [person]) == (
        "1 partner in common (none of them can be named here)"
    )


def test_the_sector_map_never_prints_empty_names(world, network):
    response = client_for(world.manager_a).get(
        reverse("network:sector_map", args=[network["a"].public_id])
    )
    page = response.content.decode()
    assert "(, " not in page and "()" not in page
    reasons = [r for row in response.context["map"]["suggestions"] for r in row.reasons]
    assert [r for r in reasons if "in common" in r and not re.search(r": \w|none of them", r)] == []


def test_metric_meanings_are_on_the_page(world, network):
    page = client_for(world.analyst).get(reverse("network:index")).content.decode()
    for key in ("nodes", "components", "communities", "diameter", "betweenness"):
        assert str(words.MEANINGS[key]) in page.replace("&#x27;", "'")
    assert "1 means one step to everyone" in page
    data = json.loads(re.search(r'id="network-picture-text"[^>]*>([^<]*)<', page).group(1))
    assert data["other"] == "Other"


def test_a_node_page_and_its_picture_use_the_legends_names_and_colours(world):
    hub, *_ = _star_and_chain(world)
    snapshot = compute.snapshot_compute(world.place)
    client = client_for(world.analyst)
    legend = selectors.community_legend(world.viewer(world.analyst), snapshot)
    hub_metric = stored.rows_for(snapshot, [hub.pk])[hub.pk]
    group = next(g for g in legend["groups"] if g["community"] == hub_metric.community)
    response = client.get(reverse("network:node", args=[hub.public_id]))
    assert response.context["community"] == group["label"]
    data = client.get(reverse("network:node_data", args=[hub.public_id])).json()
    ego = next(n for n in data["nodes"] if n["ego"])
    assert (ego["group"], ego["colour"]) == (group["key"], group["colour"])
