"""The session pack PDF: start the build, watch it, download it once (see pack_jobs)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import pack_jobs, selectors
from ._common import staff

UNAVAILABLE = {
    "not_ready": "The pack is not ready yet. Wait for it to finish, then download it.",
    "gone": (
        "This pack has been downloaded already, or could not be built. Packs can be "
        "downloaded once. Build it again for a new copy."
    ),
    "changed": (
        "Something has changed what this pack may show: for example, someone withdrew their "
        "consent or another organisation joined the session. The file has been deleted. "
        "Build the pack again."
    ),
}


@require_POST
@login_required
def pack_start(request, public_id):
    """Start building the session's PDF pack and go to its progress page."""
    viewer = staff(request)
    session = selectors.session_get(viewer, public_id)
    pack, started = pack_jobs.pack_start(viewer=viewer, session=session)
    if not started:
        messages.info(request, "This pack is already being built: here is its progress.")
    return redirect("learning:pack", pack.job.public_id)


@never_cache
@login_required
def pack_status(request, job_id):
    """How far the build has got; with htmx the status region polls until it ends. Only
    the person who asked finds it."""
    viewer = staff(request)
    pack = pack_jobs.pack_get(viewer, job_id)
    context = {"pack": pack, "job": pack.job, "ready": pack_jobs.pack_ready(pack)}
    template = "learning/pack_job.html#status" if request.htmx else "learning/pack_job.html"
    return render(request, template, context)


@require_POST
@never_cache
@login_required
def pack_download(request, job_id):
    """The PDF, once (a POST: sending it deletes it). If it cannot be sent, the progress
    page says why (410 when it is gone, 409 while it is still being built)."""
    viewer = staff(request)
    pack = pack_jobs.pack_get(viewer, job_id)
    try:
        data = pack_jobs.pack_download(viewer=viewer, pack=pack)
    except pack_jobs.PackUnavailable as unavailable:
        pack = pack_jobs.pack_get(viewer, job_id)
        context = {
            "pack": pack,
            "job": pack.job,
            "ready": False,
            "unavailable": UNAVAILABLE[unavailable.reason],
        }
        status = 409 if unavailable.reason == "not_ready" else 410
        return render(request, "learning/pack_job.html", context, status=status)
    response = HttpResponse(data, content_type="application/pdf")
    name = f"session-{pack.session.public_id}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
