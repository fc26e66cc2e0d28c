"""The network recompute as a background job (commonweave/jobs), with a progress bar.

The runner for JobKind.NETWORK_RECOMPUTE is registered with the jobs app's runners when
this app is ready, so the jobs app does not import this one.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.insights.disclosure import publish_count
from commonweave.jobs.enums import JobKind
from commonweave.tenancy.enums import Role

RECOMPUTERS = (Role.PLACE_ADMIN, Role.COORDINATOR, Role.ANALYST)


def can_recompute(viewer) -> bool:
    return bool(viewer) and viewer.has_role(*RECOMPUTERS)


def recompute_start(*, viewer, as_of=None):
    """Start re-deriving ties and recomputing the analysis of the viewer's place.

    Returns (job, started); an unfinished recompute already under way is returned instead.
    Side effects: a Job row and a queued task (with the ImmediateBackend it has run).
    """
    from commonweave.jobs import services as jobs

    if not can_recompute(viewer):
        raise PermissionDenied
    existing = jobs.active_job(place=viewer.place, kind=JobKind.NETWORK_RECOMPUTE)
    if existing is not None:
        return existing, False
    job = jobs.job_create(
        place=viewer.place, kind=JobKind.NETWORK_RECOMPUTE, started_by=viewer.user
    )
    if as_of is not None:
        job.result = {"as_of": as_of.isoformat()}
        job.save(update_fields=["result"])
    return jobs.job_enqueue(job), True


def run_recompute(*, job, progress):
    """The job's work: sync_ties, then snapshot_compute. One audit event for the run."""
    import datetime

    from commonweave.people.models import Resident

    from .compute import snapshot_compute
    from .derive import sync_ties

    as_of = (job.result or {}).get("as_of")
    as_of = datetime.date.fromisoformat(as_of) if as_of else None
    progress.set_total(Resident.objects.filter(place_id=job.place_id).count() + 1)
    progress.set_message("Deriving ties from connections, referrals and sessions")
    counts = sync_ties(job.place, progress=progress)
    snapshot = snapshot_compute(job.place, as_of=as_of, job=job, progress=progress)
    progress.advance(1)
    # The job's page shows published counts, as the network page does (one rule): the
    # snapshot's counts cell-keyed, the counts of ties changed only suppressed and rounded.
    from .selectors import snapshot_count

    summary = snapshot.summary
    nodes, edges, ties = (snapshot_count(job.place, summary, k) for k in ("nodes", "edges", "ties"))
    progress.message = (
        _("Analysed %(nodes)s nodes and %(edges)s links in %(seconds)s s")
        % {"nodes": nodes.label, "edges": edges.label, "seconds": f"{snapshot.seconds:.1f}"}
    )[:200]
    threshold = job.place.suppression_threshold
    progress.result = {
        "snapshot": snapshot.public_id,
        "nodes": nodes.label,
        "ties": ties.label,
        **{f"ties_{k}": publish_count(v, threshold=threshold).label for k, v in counts.items()},
    }
    from commonweave.jobs.services import _audit_actor

    audit_record(
        viewer=_audit_actor(job),
        action=Action.UPDATE,
        purpose=Purpose.ADMIN,
        object_type="network.networksnapshot",
        object_id=snapshot.public_id,
        detail={"job": job.public_id, "kind": job.kind},
    )


def register():
    from commonweave.jobs import services as jobs

    jobs.RUNNERS.setdefault(JobKind.NETWORK_RECOMPUTE, run_recompute)
