"""The session pack PDF, built in the background: start the build, poll it, download it.

POST /learning/sessions/{id}/pack-jobs starts it (202) and answers with the job; GET
/learning/pack-jobs/{job_id} says how far it has got; once `ready`, GET its `download`
address for the PDF. Only whoever started it (that person, or that token) finds the job;
the PDF can be downloaded once and is deleted after that or after a day. A download
re-checks the naming rule: if the file names someone who may no longer be named (consent
withdrawn, another organisation now at the session), it is deleted and the answer is 410.
The HTML pack stays immediate: GET /learning/sessions/{id}/pack.
"""

from django.http import HttpResponse
from ninja.responses import Status

from commonweave.core.api.schemas import Detail

from .. import pack_jobs, selectors
from . import router
from ._out import pack_job_out
from .schemas import PackJobOut

GONE = {
    "not_ready": "The pack is not built yet: poll the job until it is ready",
    "gone": "This pack was downloaded already or could not be built: start a new build",
    "changed": (
        "Something changed what this pack may show (a consent withdrawn, or another "
        "organisation at the session); the file was deleted: start a new build"
    ),
}


@router.post("/learning/sessions/{public_id}/pack-jobs", response={202: PackJobOut, 404: Detail})
def pack_job_start(request, public_id: str):
    """Start building the session's PDF pack for you. An unfinished build of it that you
    started is answered instead of starting another."""
    viewer = request.auth
    session = selectors.session_get(viewer, public_id)
    pack, _ = pack_jobs.pack_start(viewer=viewer, session=session)
    return Status(202, pack_job_out(pack))


@router.get("/learning/pack-jobs/{job_id}", response={200: PackJobOut, 404: Detail})
def pack_job_detail(request, job_id: str):
    return pack_job_out(pack_jobs.pack_get(request.auth, job_id))


@router.get(
    "/learning/pack-jobs/{job_id}/pdf", response={200: None, 404: Detail, 409: Detail, 410: Detail}
)
def pack_job_pdf(request, job_id: str):
    """The PDF, once. 409 while it is still being built; 410 once it is gone (downloaded,
    failed, or no longer allowed to name someone it names)."""
    viewer = request.auth
    pack = pack_jobs.pack_get(viewer, job_id)
    try:
        data = pack_jobs.pack_download(viewer=viewer, pack=pack)
    except pack_jobs.PackUnavailable as unavailable:
        status = 409 if unavailable.reason == "not_ready" else 410
        return Status(status, {"detail": GONE[unavailable.reason]})
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="session-{pack.session.public_id}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
