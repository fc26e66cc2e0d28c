"""The recompute stores a snapshot of the network as it stood on a date, as a job."""

import datetime

import numpy as np
import pytest
from django.urls import reverse

from commonweave.jobs.enums import JobKind, JobStatus
from commonweave.network import compute, derive, services
from commonweave.network import metrics as stored
from commonweave.network.enums import NodeKind, SnapshotStatus, TieType
from commonweave.network.jobs import recompute_start
from commonweave.network.models import NetworkSnapshot, Node, Tie
from commonweave.network.selectors import latest_snapshot
from commonweave.people import services as people
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
D = datetime.date


def _node(world, label):
    return services.node_create(
        viewer=world.viewer(world.manager_a), kind=NodeKind.ORGANISATION, label=label
    )


def _tie(world, a, b, start, end=None, **kw):
    tie = services.tie_record(
        viewer=world.viewer(world.manager_a),
        source=a,
        target=b,
        tie_type=kw.pop("tie_type", TieType.PARTNERSHIP),
        started_on=start,
        **kw,
    )
    if end:
        Tie.objects.filter(pk=tie.pk).update(ended_on=end)
    return tie


def test_graph_on_a_date_has_only_ties_active_then(world):
    a, b, c = (_node(world, x) for x in "ABC")
    _tie(world, a, b, D(2025, 1, 1))
    _tie(world, b, c, D(2025, 3, 1), end=D(2025, 6, 1))
    ids, g = compute.load_graph(world.place, D(2025, 2, 1))
    assert (g.n, g.src.size) == (2, 1)  # C had no tie yet
    ids, g = compute.load_graph(world.place, D(2025, 4, 1))
    assert (g.n, g.src.size) == (3, 2)
    ids, g = compute.load_graph(world.place, D(2025, 7, 1))
    assert (g.n, g.src.size) == (3, 1)  # C is now isolated
    assert set(ids.tolist()) == {a.pk, b.pk, c.pk}


def test_snapshot_stores_metrics_per_node_and_growth(world):
    a, b, c, d = (_node(world, x) for x in "ABCD")
    _tie(world, a, b, D(2025, 1, 5))
    _tie(world, b, c, D(2025, 2, 5))
    _tie(world, c, a, D(2025, 2, 9))
    _tie(world, c, d, D(2025, 3, 1), directed=True)
    snap = compute.snapshot_compute(world.place, as_of=D(2025, 12, 31))
    assert snap.status == SnapshotStatus.DONE
    s = snap.summary
    assert (s["nodes"], s["edges"], s["components"], s["isolates"]) == (4, 4, 1, 0)
    assert [(p["month"], p["existing"], p["new"]) for p in s["growth"]] == [
        ("2025-01", 0, 1),
        ("2025-02", 1, 2),
        ("2025-03", 3, 1),
    ]
    metrics = stored.rows_for(snap, [a.pk, b.pk, c.pk, d.pk])
    assert metrics[c.pk].degree == 3
    assert (metrics[d.pk].in_degree, metrics[d.pk].out_degree) == (1, 0)
    assert metrics[c.pk].holds_together is True  # only C links D to the rest
    assert metrics[c.pk].betweenness == pytest.approx(2 / 3)


def test_increasing_returns_elasticity():
    series = [{"existing": e, "new": int(e**1.2)} for e in (10, 20, 40, 80, 160)]
    assert compute.increasing_returns(series) == pytest.approx(1.2, abs=0.05)
    assert compute.increasing_returns(series[:2]) is None


def test_recompute_runs_as_a_job_and_keeps_only_recent_snapshots(world, resident_a):
    people.connection_add(
        viewer=world.viewer(world.catalyst_a), resident=resident_a, kind="group", name="Choir"
    )
    Tie.objects.all().delete()  # the job re-derives ties before analysing
    for _ in range(compute.KEEP_SNAPSHOTS + 1):
        job, started = recompute_start(viewer=world.viewer(world.manager_a))
        assert started and job.status == JobStatus.DONE and job.kind == JobKind.NETWORK_RECOMPUTE
    assert job.result["snapshot"] == NetworkSnapshot.objects.first().public_id
    assert NetworkSnapshot.objects.count() == compute.KEEP_SNAPSHOTS
    snap = NetworkSnapshot.objects.first()
    # the resident, the group, their organisation, and organisation B (an isolate so far)
    assert (snap.summary["nodes"], snap.summary["isolates"]) == (4, 1)
    assert stored.read(snap, ["degree"])["degree"].size == 4
    assert Node.objects.filter(kind=NodeKind.RESIDENT).count() == 1


@pytest.mark.parametrize("persona", ["catalyst_a", "worker_b", "outsider"])
def test_only_admins_coordinators_and_analysts_start_a_recompute(world, persona):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        recompute_start(viewer=world.viewer(world.personas[persona]))


def test_stored_metrics_read_back_per_node_whatever_the_order_given(world):
    a, b = _node(world, "Alone"), _node(world, "Also alone")
    snap = NetworkSnapshot.objects.create(place=world.place, as_of=D(2025, 1, 1))
    metrics = {name: np.zeros(2) for name in stored.METRIC_FIELDS}
    metrics["constraint"] = np.array([0.25, np.nan])  # an isolate has no constraint
    metrics["degree"] = np.array([7, 3])
    metrics["holds_together"] = np.array([1.0, 0.0])
    stored.store(snap, np.array([b.pk, a.pk]), metrics)  # not in id order
    rows = stored.rows_for(snap, [a.pk, b.pk, 999_999])
    assert set(rows) == {a.pk, b.pk}
    assert (rows[b.pk].degree, rows[b.pk].constraint, rows[b.pk].holds_together) == (
        7,
        0.25,
        True,
    )
    assert (rows[a.pk].degree, rows[a.pk].constraint, rows[a.pk].holds_together) == (
        3,
        None,
        False,
    )
    assert derive  # imported for side effects in other tests


def test_pages_serve_the_last_finished_analysis_while_a_recompute_runs(world, network):
    finished = NetworkSnapshot.objects.get(status=SnapshotStatus.DONE)
    client = client_for(world.analyst)
    seen = []

    class Peek:
        """Progress reporting that looks at the pages in the middle of the analysis."""

        def set_message(self, text):
            if text.startswith("Analysing"):
                page = client.get(reverse("network:index"))
                data = client.get(reverse("network:data")).json()
                seen.append(
                    (
                        NetworkSnapshot.objects.filter(status=SnapshotStatus.RUNNING).count(),
                        page.context["snapshot"].pk,
                        len(page.context["rows"]),
                        data["metrics_as_of"],
                    )
                )

    newer = compute.snapshot_compute(world.place, progress=Peek())
    assert seen == [(1, finished.pk, finished.summary["nodes"], finished.as_of.isoformat())]
    assert client.get(reverse("network:index")).context["snapshot"].pk == newer.pk


def test_a_failed_recompute_is_marked_and_the_last_result_stays(world, network, monkeypatch):
    finished = NetworkSnapshot.objects.get(status=SnapshotStatus.DONE)

    def broken(*args, **kwargs):
        raise RuntimeError("igraph ran out of memory")

    monkeypatch.setattr(compute, "analyse", broken)
    with pytest.raises(RuntimeError):
        compute.snapshot_compute(world.place)
    assert list(NetworkSnapshot.objects.values_list("status", flat=True)) == [
        SnapshotStatus.FAILED,
        SnapshotStatus.DONE,
    ]
    assert latest_snapshot(world.viewer(world.analyst)) == finished
