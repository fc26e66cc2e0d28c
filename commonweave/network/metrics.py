"""Per-node metrics of a snapshot, stored as one packed array per metric (MetricColumn).

Writing 200,000 nodes is about twenty inserts instead of 200,000 rows; a page reads only
the columns it needs and picks nodes out with numpy (the "node" column is sorted, so a
node's position is a binary search). Snapshots never change once finished, so nothing
here needs updating in place.
"""

from dataclasses import dataclass, fields

import numpy as np

from .models import MetricColumn

METRIC_FIELDS = [
    "degree",
    "in_degree",
    "out_degree",
    "strength",
    "closeness",
    "betweenness",
    "betweenness_error",
    "eigenvector",
    "pagerank",
    "reach2",
    "clustering",
    "core",
    "constraint",
    "community",
    "component",
    "communities_reached",
    "holds_together",
]
_INTS = {
    "degree",
    "in_degree",
    "out_degree",
    "reach2",
    "core",
    "community",
    "component",
    "communities_reached",
}
_BOOLS = {"holds_together"}
# Each node's place in the picture (layout.py): not metrics, so not in the downloads.
LAYOUT_FIELDS = ["x", "y"]
# Each node's record key as it was when the snapshot was made, for published counts of
# the nodes a viewer may see (selectors.published_legend). Never shown or downloaded.
KEY_FIELD = "record_key"


def _dtype(name) -> np.dtype:
    if name in ("node", KEY_FIELD) or name in _INTS:
        return np.dtype("<i8")
    if name in _BOOLS:
        return np.dtype("|b1")
    return np.dtype("<f8")


def store(snapshot, node_ids, metrics, positions=None, *, record_keys=None) -> None:
    """Save the node ids and each metric (arrays in the same order) for the snapshot, and
    the picture's positions when given ({"x": array, "y": array}; NaN: not placed), and
    the nodes' record keys when given.
    A missing constraint (an isolate) is stored as NaN and read back as None."""
    order = np.argsort(node_ids, kind="stable")
    columns = {"node": np.asarray(node_ids)[order]}
    for name in METRIC_FIELDS:
        columns[name] = np.asarray(metrics[name])[order]
    for name in LAYOUT_FIELDS if positions else ():
        columns[name] = np.asarray(positions[name])[order]
    if record_keys is not None:
        columns[KEY_FIELD] = np.asarray(record_keys)[order]
    MetricColumn.objects.bulk_create(
        MetricColumn(
            snapshot=snapshot,
            name=name,
            dtype=_dtype(name).str,
            data=np.ascontiguousarray(values, dtype=_dtype(name)).tobytes(),
        )
        for name, values in columns.items()
    )


def read(snapshot, names) -> dict:
    """{name: array} for these metrics of the snapshot, plus "node" (sorted node ids)."""
    if snapshot is None:
        return {}
    wanted = {"node", *names}
    columns = {
        name: np.frombuffer(bytes(data), dtype=np.dtype(dtype))
        for name, dtype, data in MetricColumn.objects.filter(
            snapshot=snapshot, name__in=wanted
        ).values_list("name", "dtype", "data")
    }
    if "node" in columns:
        # a metric added since this snapshot was made reads as not known (None)
        for name in wanted - set(columns):
            columns[name] = np.full(columns["node"].size, np.nan)
    return columns


@dataclass
class MetricRow:
    """One node's metrics, read like the attributes of a model instance in templates."""

    node_id: int
    degree: int = 0
    in_degree: int = 0
    out_degree: int = 0
    strength: float = 0.0
    closeness: float = 0.0
    betweenness: float = 0.0
    betweenness_error: float = 0.0
    eigenvector: float = 0.0
    pagerank: float = 0.0
    reach2: int = 0
    clustering: float = 0.0
    core: int = 0
    constraint: float | None = None
    community: int = -1
    component: int = 0
    communities_reached: int = 0
    holds_together: bool = False


_ROW_FIELDS = {f.name for f in fields(MetricRow)} - {"node_id"}


def _value(name, value):
    if name in _BOOLS:
        return bool(value)
    if name in _INTS:
        return int(value)
    value = float(value)
    return None if np.isnan(value) else value


def row_at(columns, index) -> MetricRow:
    return MetricRow(
        node_id=int(columns["node"][index]),
        **{n: _value(n, columns[n][index]) for n in columns if n in _ROW_FIELDS},
    )


def positions(columns, node_ids) -> dict:
    """{node id: index into the columns} for the nodes the snapshot has."""
    if not columns:
        return {}
    nodes = columns["node"]
    wanted = np.asarray(sorted(node_ids), dtype=np.int64)
    at = np.searchsorted(nodes, wanted)
    found = (at < nodes.size) & (nodes[np.minimum(at, max(nodes.size - 1, 0))] == wanted)
    return dict(zip(wanted[found].tolist(), at[found].tolist(), strict=True))


def rows_for(snapshot, node_ids, names=METRIC_FIELDS) -> dict:
    """{node id: MetricRow} for these nodes (those the snapshot has)."""
    columns = read(snapshot, names)
    return {pk: row_at(columns, i) for pk, i in positions(columns, node_ids).items()}


def ranked(columns, key, *, limit, mask=None) -> list:
    """Indexes of the `limit` nodes with the greatest `key` (ties: lower node id first),
    among those where `mask` holds."""
    if not columns:
        return []
    candidates = np.arange(columns["node"].size) if mask is None else np.flatnonzero(mask)
    order = np.lexsort((columns["node"][candidates], -columns[key][candidates]))
    return candidates[order[:limit]].tolist()
