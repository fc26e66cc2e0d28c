from django.http import Http404

from commonweave.tenancy.viewer import viewer_for_user

from .models import Job


def jobs_visible_to(viewer):
    """Jobs in the viewer's place they may watch: their own, or all of them for a place admin."""
    jobs = Job.objects.filter(place=viewer.place).select_related("started_by")
    if not viewer.is_place_admin:
        jobs = jobs.filter(started_by=viewer.user)
    return jobs


def job_get(user, public_id) -> Job:
    """The job if `user` started it or is a place admin of its place; otherwise 404.

    Whoever started it must still hold a role in its place (removal ends access at once).
    """
    job = Job.objects.select_related("place").filter(public_id=public_id).first()
    if job is None:
        raise Http404
    viewer = viewer_for_user(user, job.place)
    if not viewer or not (viewer.is_place_admin or job.started_by_id == user.pk):
        raise Http404
    return job
