"""The session pack PDF, built by a background job (commonweave/jobs) with a progress bar.

Making a PDF takes seconds, so it runs as a job (JobKind.LEARNING_PACK; the runner is
registered when this app is ready, so the jobs app does not import this one). The PDF is
kept on a SessionPack row for the one who asked, and for them only:

* it is built as them (their access, the pack naming rule of `pack.pack_context`);
* only they download it, once: the bytes are cleared when it is sent, and the row is
  purged a day after it was built (`packs_purge`, also run by `purge_session_packs`);
* a download re-checks that every resident the file names may still be named by them now,
  so a consent withdrawn (or an attendee added) since the build makes the file unusable at
  once: it is cleared and they are asked to build it again;
* the download, not the build, is the export: one audit event then.

The Job row itself holds ids and counts only, as every job does.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from commonweave.jobs.enums import JobKind, JobStatus
from commonweave.jobs.models import STALE_AFTER
from commonweave.people.models import Resident
from commonweave.tenancy.viewer import viewer_for_token, viewer_for_user

from .models import SessionPack
from .pack import audit_export, pack_context, pack_html, pdf_from_html
from .selectors import require_staff

LEARNING_PACK = JobKind.LEARNING_PACK.value
PACK_LIFETIME = timedelta(days=1)


class PackUnavailable(Exception):
    """The PDF cannot be sent: `reason` is "not_ready", "gone" (sent already, or failed)
    or "changed" (it names someone who may no longer be named; it has been cleared)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


class RequesterLostAccess(Exception):
    """Whoever asked for the pack no longer has a role in the place: nothing is built."""


def _mine(viewer) -> Q:
    if viewer.user_id is not None:
        return Q(requested_by_id=viewer.user_id)
    if viewer.token is not None:
        return Q(requested_token_id=viewer.token.pk)
    return Q(pk__in=[])


def packs_purge(*, now=None) -> int:
    """Delete every pack past its time (a day after it was asked for or built). Idempotent;
    returns how many went."""
    return SessionPack.objects.filter(expires_at__lte=now or timezone.now()).delete()[0]


def pack_start(*, viewer, session) -> tuple[SessionPack, bool]:
    """Start building the session's PDF pack for the viewer (a person or a token). An
    unfinished build of the same pack by them is returned instead. Returns (pack, started).
    Side effects: purges expired packs; a Job and a SessionPack; a queued task (with the
    ImmediateBackend it has run when this returns). Call outside a transaction."""
    from commonweave.jobs import services as jobs

    require_staff(viewer)
    if session.place_id != viewer.place.pk:
        raise Http404
    now = timezone.now()
    packs_purge(now=now)
    existing = (
        SessionPack.objects.filter(_mine(viewer), session=session)
        .filter(
            job__status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
            job__updated_at__gte=now - STALE_AFTER,
        )
        .select_related("job", "session")
        .defer("data")
        .first()
    )
    if existing is not None:
        return existing, False
    with transaction.atomic():
        job = jobs.job_create(place=viewer.place, kind=LEARNING_PACK, started_by=viewer.user)
        pack = SessionPack.objects.create(
            job=job,
            place=viewer.place,
            session=session,
            requested_by=viewer.user,
            requested_token=viewer.token if viewer.user is None else None,
            expires_at=now + PACK_LIFETIME,
        )
    jobs.job_enqueue(job)
    # Read back: with the ImmediateBackend it has been built by now.
    pack = SessionPack.objects.select_related("job", "session").defer("data").get(pk=pack.pk)
    return pack, True


def pack_get(viewer, job_public_id) -> SessionPack:
    """The viewer's own pack (not its bytes), or 404: nobody else's, and none past its time."""
    require_staff(viewer)
    pack = (
        SessionPack.objects.filter(
            _mine(viewer),
            place=viewer.place,
            job__public_id=job_public_id,
            expires_at__gt=timezone.now(),
        )
        .select_related("job", "session")
        .defer("data")
        .first()
    )
    if pack is None:
        raise Http404
    return pack


def pack_ready(pack) -> bool:
    return pack.job.status == JobStatus.DONE and pack.built_at and not pack.downloaded_at


def pack_download(*, viewer, pack) -> bytes:
    """The PDF, once, for whoever asked for it. Raises PackUnavailable if it is not built,
    was sent already, or names someone the viewer may no longer name (it is then cleared).
    Side effects: clears the bytes; one audit event (EXPORT) when sent."""
    require_staff(viewer)
    if not SessionPack.objects.filter(_mine(viewer), pk=pack.pk).exists():
        raise Http404
    with transaction.atomic():
        row = SessionPack.objects.select_for_update().select_related("job").get(pk=pack.pk)
        if row.job.status == JobStatus.FAILED:
            raise PackUnavailable("gone")
        if row.job.status != JobStatus.DONE or row.built_at is None:
            raise PackUnavailable("not_ready")
        if row.downloaded_at is not None or not row.data:
            raise PackUnavailable("gone")
        context = pack_context(viewer, pack.session)
        may_name = {r.pk for r in context["identities"].values()}
        outcome = "sent" if set(row.named) <= may_name else "changed"
        data = bytes(row.data)
        SessionPack.objects.filter(pk=row.pk).update(data=b"", downloaded_at=timezone.now())
        if outcome == "sent":
            audit_export(
                viewer,
                pack.session,
                fmt="pdf",
                stories=row.stories,
                residents=Resident.objects.filter(pk__in=row.named).values_list(
                    "public_id", flat=True
                ),
                job=row.job.public_id,
            )
    if outcome == "changed":  # raised after the commit, so the file stays cleared
        raise PackUnavailable("changed")
    return data


# --- the job --------------------------------------------------------------------------------


def _requester_viewer(pack):
    """The viewer the pack is built as: whoever asked, with their access as it is now."""
    if pack.requested_by_id is not None:
        return viewer_for_user(pack.requested_by, pack.place)
    token = pack.requested_token
    if (
        token is None
        or token.revoked_at is not None
        or token.organisation.place_id != pack.place_id
    ):
        return None
    return viewer_for_token(token)


def run_pack(*, job, progress):
    """The job's work: gather the session as the requester sees it, lay it out, make the
    PDF and keep it for them. Side effects: SessionPack.data, .named, .built_at."""
    pack = (
        SessionPack.objects.select_related(
            "session", "place", "requested_by", "requested_token__organisation"
        )
        .defer("data")
        .get(job=job)
    )
    viewer = _requester_viewer(pack)
    if not viewer or not viewer.grants:
        raise RequesterLostAccess
    progress.set_total(3)
    progress.set_message("Gathering the session's stories, barriers and actions")
    context = pack_context(viewer, pack.session)
    progress.advance(message="Laying out the pack")
    html = pack_html(context, pdf=True)
    progress.advance(message="Making the PDF")
    data = pdf_from_html(html)
    now = timezone.now()
    SessionPack.objects.filter(pk=pack.pk).update(
        data=data,
        named=sorted(r.pk for r in context["identities"].values()),
        stories=len(context["stories"]),
        built_at=now,
        expires_at=now + PACK_LIFETIME,
    )
    kilobytes = max(1, len(data) // 1024)
    progress.advance(message=f"The pack is ready to download ({kilobytes:,} KB)")
    progress.result = {"session": pack.session.public_id, "kilobytes": kilobytes}


def register():
    from commonweave.jobs import services as jobs

    jobs.RUNNERS.setdefault(LEARNING_PACK, run_pack)
