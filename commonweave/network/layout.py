"""Where each node sits in the network picture, worked out with the analysis (free of Django).

The picture draws these stored positions: no layout work happens in the browser, and the
same network always gives the same picture (the starting positions and igraph's random
numbers are seeded from the ties themselves).

- The nodes with ties are laid out with Fruchterman-Reingold (igraph, with its grid, so
  the cost grows with the size) and scaled into a BOX x BOX square.
- Isolates (no ties) are set apart in rows below the square, in node order, not in a ring.
- At most LAYOUT_LIMIT nodes with ties (those with the most) and LAYOUT_LIMIT isolates are
  placed: the picture never shows more (selectors.VIEW_LIMIT), and a borough's 200,000
  nodes would cost more than the rest of the analysis. The others have no position (NaN)
  and are left out of the picture, which says so; the table and downloads hold them all.
"""

import random
import zlib
from dataclasses import dataclass

import igraph as ig
import numpy as np

BOX = 1000.0
MARGIN = 20.0  # inside the box, so the largest dots are not cut at the edge
ISOLATE_GAP = 60.0  # between the square and the first row of isolates
ISOLATE_STEP = 25.0  # between isolates in a row, and between rows
LAYOUT_LIMIT = 5000
ITERATIONS = 500


@dataclass
class Layout:
    x: np.ndarray  # one per node (NaN: not placed)
    y: np.ndarray
    box: dict  # width, height, isolates_top (None without isolates), placed, not_placed


def layout_seed(n: int, src: np.ndarray, dst: np.ndarray) -> int:
    """A seed that depends only on the network: the same nodes and ties, the same seed."""
    data = np.concatenate([[n], src, dst]).astype("<i8").tobytes()
    return zlib.crc32(data)


def _pick(degree: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """(nodes with ties, isolates) to place, each at most `limit`: the nodes with the
    most ties (the lower index first among equals), and the first isolates."""
    connected = np.flatnonzero(degree > 0)
    if connected.size > limit:
        order = np.lexsort((connected, -degree[connected]))
        connected = np.sort(connected[order[:limit]])
    isolates = np.flatnonzero(degree == 0)[:limit]
    return connected, isolates


def _scaled(coords: np.ndarray) -> np.ndarray:
    """Into [MARGIN, BOX - MARGIN] on both axes, keeping the shape (one scale for both)."""
    if coords.shape[0] == 1:
        return np.full_like(coords, BOX / 2)
    low, high = coords.min(axis=0), coords.max(axis=0)
    span = float((high - low).max()) or 1.0
    inner = BOX - 2 * MARGIN
    scaled = (coords - low) / span * inner + MARGIN
    # centre the shorter side
    return scaled + (inner - (high - low) / span * inner) / 2


def compute(n: int, src: np.ndarray, dst: np.ndarray, degree: np.ndarray) -> Layout:
    """Positions for the n nodes of a network with ties src[i] -- dst[i] (node indexes;
    direction and strength do not matter here). `degree`: each node's number of ties."""
    degree = np.asarray(degree)
    x, y = np.full(n, np.nan), np.full(n, np.nan)
    connected, isolates = _pick(degree, LAYOUT_LIMIT)
    if connected.size:
        index = np.full(n, -1, dtype=np.int64)
        index[connected] = np.arange(connected.size)
        keep = (index[src] >= 0) & (index[dst] >= 0) & (src != dst)
        edges = np.column_stack([index[src[keep]], index[dst[keep]]])
        g = ig.Graph(n=int(connected.size), edges=edges.tolist(), directed=False)
        g.simplify()
        seed = layout_seed(int(connected.size), edges[:, 0], edges[:, 1])
        rng = np.random.default_rng(seed)
        start = rng.uniform(-1, 1, size=(connected.size, 2)) * np.sqrt(connected.size)
        ig.set_random_number_generator(random.Random(seed))
        try:
            coords = g.layout_fruchterman_reingold(
                seed=start.tolist(), niter=ITERATIONS, grid="auto"
            ).coords
        finally:
            ig.set_random_number_generator(random)
        scaled = _scaled(np.asarray(coords, dtype=float))
        x[connected], y[connected] = scaled[:, 0], scaled[:, 1]
    height = BOX if connected.size else 0.0
    isolates_top = None
    if isolates.size:
        per_row = int((BOX - 2 * MARGIN) // ISOLATE_STEP) + 1
        isolates_top = height + (ISOLATE_GAP if connected.size else MARGIN)
        rank = np.arange(isolates.size)
        x[isolates] = MARGIN + (rank % per_row) * ISOLATE_STEP
        y[isolates] = isolates_top + (rank // per_row) * ISOLATE_STEP
        height = float(y[isolates].max()) + MARGIN
    placed = int(connected.size + isolates.size)
    box = {
        "width": BOX,
        "height": height,
        "isolates_top": isolates_top,
        "placed": placed,
        "not_placed": int(n - placed),
    }
    return Layout(x=x, y=y, box=box)
