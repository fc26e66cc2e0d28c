"""How the network picture marks communities: the legend of the largest, each with a colour
and a shape, and "Other" for the rest.

Colour is never the only cue (WCAG 1.4.1): each community in the legend also has its own
shape, and "Other" is a hollow grey dot. Every colour has at least 3:1 contrast against the
picture's white background (WCAG 1.4.11; checked in tests/network/test_picture.py).
The page's legend and table and the picture all take their marks from here.
"""

from dataclasses import dataclass

import numpy as np
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LEGEND_LIMIT = 8  # communities with their own colour and shape
LABEL_LIMIT = 10  # nodes named in the picture: the most central
BACKGROUND = "#ffffff"


@dataclass(frozen=True)
class Mark:
    colour: str
    colour_name: str | Promise  # translated when shown
    shape_name: str | Promise
    path: str  # SVG path of the shape, about 2 units across, centred on 0,0


MARKS = [
    Mark("#1d70b8", _("blue"), _("circle"), "M1,0A1,1 0 1,1 -1,0A1,1 0 1,1 1,0Z"),
    Mark("#d4351c", _("red"), _("square"), "M-0.85,-0.85H0.85V0.85H-0.85Z"),
    Mark("#00703c", _("green"), _("triangle"), "M0,-1.1L0.95,0.65H-0.95Z"),
    Mark("#4c2c92", _("purple"), _("diamond"), "M0,-1.15L1.15,0L0,1.15L-1.15,0Z"),
    Mark("#c05500", _("orange"), _("upside-down triangle"), "M0,1.1L0.95,-0.65H-0.95Z"),
    Mark(
        "#1b8178",
        _("turquoise"),
        _("hexagon"),
        "M1,0L0.5,0.87L-0.5,0.87L-1,0L-0.5,-0.87L0.5,-0.87Z",
    ),
    Mark(
        "#d53880",
        _("pink"),
        _("star"),
        "M0,-1.15L0.29,-0.4L1.09,-0.36L0.48,0.15L0.68,0.93L0,0.5L-0.68,0.93L-0.48,0.15"
        "L-1.09,-0.36L-0.29,-0.4Z",
    ),
    Mark(
        "#6b7a2e",
        _("olive"),
        _("cross"),
        "M-0.35,-1H0.35V-0.35H1V0.35H0.35V1H-0.35V0.35H-1V-0.35H-0.35Z",
    ),
]
OTHER = Mark("#505a5f", _("grey"), _("hollow circle"), MARKS[0].path)


def legend_from(community: np.ndarray, visible: np.ndarray | None = None) -> dict:
    """The legend for a snapshot's "community" column, counting only the `visible` nodes
    (all when None): the LEGEND_LIMIT largest communities of two or more nodes, largest
    first (the lower community number first among equals), and how many nodes are in
    none of them ("Other": smaller communities and isolates).

    {"groups": [{"key", "community", "size", "label", mark fields}], "other", "total"}
    """
    values = np.asarray(community, dtype=np.int64)
    if visible is not None:
        values = values[visible]
    values = values[values >= 0]
    groups = []
    if values.size:
        ids, sizes = np.unique(values, return_counts=True)
        order = np.lexsort((ids, -sizes))
        for rank, at in enumerate(order[:LEGEND_LIMIT]):
            if sizes[at] < 2:
                break
            mark = MARKS[rank]
            groups.append(
                {
                    "key": rank + 1,
                    "community": int(ids[at]),
                    "size": int(sizes[at]),
                    "label": str(_("Community %(number)s") % {"number": rank + 1}),
                    **_mark_fields(mark),
                }
            )
    total = int(values.size)
    return {
        "groups": groups,
        "other": total - sum(g["size"] for g in groups),
        "total": total,
        "other_mark": {"label": str(_("Other")), **_mark_fields(OTHER)},
    }


def _mark_fields(mark: Mark) -> dict:
    return {
        "colour": mark.colour,
        "colour_name": str(mark.colour_name),
        "shape_name": str(mark.shape_name),
        "path": mark.path,
    }


def group_labels(legend: dict) -> dict:
    """{community number: its legend label}; any other community is "Other"."""
    return {g["community"]: str(g["label"]) for g in legend["groups"]}


def most_central(nodes: list[dict], limit=LABEL_LIMIT) -> set:
    """Ids of the `limit` nodes to name in the picture: the greatest betweenness, then
    the most ties, then the id (so the choice is stable)."""
    ranked = sorted(
        nodes, key=lambda n: (-(n.get("betweenness") or 0), -(n.get("degree") or 0), n["id"])
    )
    return {n["id"] for n in ranked[:limit]}
