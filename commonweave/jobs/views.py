"""Job pages: resolve -> authorise -> service -> render. Another person's job is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from commonweave.tenancy.viewer import viewer_or_404

from . import selectors, services

LIST_LIMIT = 50


@login_required
def job_list(request):
    """The jobs the user started in this place (every job there, for a place admin)."""
    viewer = viewer_or_404(request)
    jobs = list(selectors.jobs_visible_to(viewer)[:LIST_LIMIT])
    return render(request, "jobs/list.html", {"jobs": jobs})


@login_required
def job_detail(request, public_id):
    """How far the job has got. htmx polls the status fragment every second until it ends."""
    job = selectors.job_get(request.user, public_id)
    template = "jobs/detail.html"
    if request.htmx:
        template += "#status"
    return render(request, template, {"job": job})


@login_required
@require_POST
def start_recompute(request):
    """A place admin starts recomputing the duplicate keys of every resident in the place."""
    viewer = viewer_or_404(request)
    if not viewer.is_place_admin:
        raise Http404
    job, started = services.recompute_keys_start(viewer=viewer)
    if not started:
        messages.info(request, "Duplicate keys are already being recomputed: here is that job.")
    return redirect("jobs:detail", public_id=job.public_id)
