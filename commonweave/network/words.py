"""The network's numbers in plain words, each saying how it is worked out and scaled.

Pages show these next to the numbers (network/index.html, network/node.html), so "Density
0.0066" reads as "About 3 in every 500 possible ties exist" and a closeness above 1 has its
reason beside it. The wording follows the conventions in analysis.py.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# "x in every D": the first of these denominators that says the density closely enough
DENOMINATORS = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000]
CLOSE_ENOUGH = 0.15  # relative error of the rounded count


def in_every(share: float) -> tuple[int, int, bool]:
    """(count, denominator, exact) so that count in every denominator is about `share`:
    the smallest denominator (DENOMINATORS, then powers of ten) whose rounded count is at
    least 1 and within CLOSE_ENOUGH of the share. 0.0066 -> (3, 500, False)."""
    if share <= 0:
        return 0, 1, True
    denominators = DENOMINATORS + [10**k for k in range(4, 13)]
    for denominator in denominators:
        count = round(share * denominator)
        if count >= 1 and abs(count - share * denominator) <= CLOSE_ENOUGH * share * denominator:
            return count, denominator, abs(count - share * denominator) < 1e-9
    return 1, round(1 / share), False


def density_words(density: float | None) -> str:
    """Density as a share of the possible ties: "About 3 in every 500 possible ties exist"
    (no full stop: pages follow it with the number, "(density 0.0066)")."""
    if not density:
        return _("No ties exist yet between the nodes")
    if density >= 1:
        return _("Every possible tie exists: each node is tied to every other")
    count, denominator, exact = in_every(density)
    values = {"count": f"{count:,}", "denominator": f"{denominator:,}"}
    if exact:
        return _("%(count)s in every %(denominator)s possible ties exist") % values
    return _("About %(count)s in every %(denominator)s possible ties exist") % values


def closeness_words(weighted: bool) -> str:
    """How closeness is worked out and scaled, and why it can be above 1."""
    words = _(
        "Closeness is 1 ÷ the average number of steps to reach each node it can reach, "
        "times the share of the other nodes it can reach (so a node cut off from most of "
        "the network scores low). 1 means one step to everyone. The share counts every "
        "node in the analysis, nodes with no ties too, so adding nodes with no ties "
        "lowers everyone's closeness."
    )
    if weighted:
        words += " " + _(
            "Stronger ties count as shorter steps (a tie of strength 2 is half a step), "
            "so a node with strong ties to everyone can score above 1."
        )
    return words


# What each measure means and how it is scaled, for pages (lazy: translated when shown).
MEANINGS = {
    "nodes": gettext_lazy("Organisations, groups, services and people in the network."),
    "ties": gettext_lazy(
        "Relationships active on this date. Two nodes with several ties between them count "
        "as one pair in the measures below."
    ),
    "components": gettext_lazy(
        "Parts of the network with no path between them: 1 means everyone can reach "
        "everyone through some chain of ties."
    ),
    "isolates": gettext_lazy(
        "Nodes with no ties at all. The picture sets them apart, in rows below the rest."
    ),
    "communities": gettext_lazy(
        "Groups of nodes more tied among themselves than to the rest (found by the Leiden "
        "method). Modularity runs from 0 (no more grouping than chance) to 1 (sharply "
        "separate groups); above 0.3 is usually a clear grouping."
    ),
    "bridging_ties": gettext_lazy("Pairs of nodes in different communities that are tied."),
    "reciprocity": gettext_lazy(
        "The share of one-way ties (such as referrals) that are returned, from 0 (none) to 1 (all)."
    ),
    "diameter": gettext_lazy(
        "The most steps needed between two nodes that can reach each other, each tie "
        "counting as one step."
    ),
    "average_path_length": gettext_lazy(
        "The average number of steps between two nodes that can reach each other, each "
        "tie counting as one step."
    ),
    "degree": gettext_lazy("Ties: how many other nodes it is tied to."),
    "betweenness": gettext_lazy(
        "Betweenness: the share of the shortest paths between all other pairs of nodes "
        "that pass through it, from 0 (none) to 1 (all): normalised by the number of "
        "pairs of the other nodes, nodes with no ties included. High values are brokers "
        "between parts of the network."
    ),
    "reach2": gettext_lazy(
        "Two-step reach: how many nodes it reaches in one or two steps (its ties, and their ties)."
    ),
    "community": gettext_lazy(
        "Community: its group in the picture's legend; the smaller communities are "
        "shown together as Other."
    ),
    "eigenvector": gettext_lazy(
        "Eigenvector: high when tied to nodes that are themselves well tied; scaled so "
        "that the squares of all nodes' values add up to 1."
    ),
    "pagerank": gettext_lazy(
        "PageRank: the share of the time a walker following ties at random would spend "
        "here; all nodes' values add up to 1."
    ),
    "clustering": gettext_lazy(
        "Clustering: the share of the pairs of its contacts that are tied to each other, "
        "from 0 to 1."
    ),
    "core": gettext_lazy(
        "Core number: the largest k such that it belongs to a group where everyone has "
        "at least k ties within the group."
    ),
    "constraint": gettext_lazy(
        "Constraint (Burt): how much its ties lead to the same people, usually from 0 to "
        "1. Lower means more of a broker between people who are not otherwise tied."
    ),
}


# How each per-node metric (a column of the node downloads and the API's `metrics`) is
# worked out and normalised, in one place: the API schema and docs/network.md say the same.
# n is the number of nodes in the analysis, every node of the place counted, isolates too.
COLUMNS = {
    "degree": "Ties: distinct other nodes tied to it (parallel ties count once). A count, "
    "not normalised.",
    "in_degree": "Nodes with a one-way tie to it, plus its two-way ties. A count.",
    "out_degree": "Nodes it has a one-way tie to, plus its two-way ties. A count.",
    "strength": "The sum of the strengths of its ties. Not normalised.",
    "closeness": "Closeness (Wasserman-Faust, as NetworkX): (r - 1) / (sum of shortest "
    "distances to the r - 1 others it can reach), times (r - 1) / (n - 1), where r counts "
    "the nodes of its component and n every node in the analysis. A distance is 1 / "
    "strength of each tie on the path, so strong ties can take it above 1. 0 for a node "
    "with no ties.",
    "betweenness": "Betweenness: the sum over pairs of other nodes of the share of their "
    "shortest paths through it, normalised by dividing by the (n - 1)(n - 2) / 2 pairs "
    "that exclude it (n: every node in the analysis), so 0 to 1.",
    "betweenness_error": "The margin of betweenness when it is estimated (large networks), "
    "on the same 0-to-1 scale; 0 when worked out exactly.",
    "eigenvector": "Eigenvector centrality with tie strengths as weights, normalised to "
    "unit length: the squares of all nodes' values add up to 1.",
    "pagerank": "PageRank (damping 0.85) over the directed view, strengths as weights, "
    "normalised so all nodes' values add up to 1.",
    "reach2": "Nodes within two steps (not counting itself). A count.",
    "clustering": "Share of the pairs of its contacts that are tied to each other, 0 to 1 "
    "(unweighted); 0 with fewer than two contacts.",
    "core": "Core number (k-core, unweighted). A count.",
    "constraint": "Burt's constraint, strengths as weights: usually 0 to 1, lower is more "
    "of a broker; empty for a node with no ties.",
    "community": "Its community (Leiden, modularity, seeded from the network so the same "
    "data gives the same communities). A label, not a measure.",
    "component": "Its connected component. A label, not a measure.",
    "communities_reached": "Communities it reaches: its own plus its neighbours'. A count.",
    "holds_together": "Whether removing it splits its part of the network (an articulation point).",
}
