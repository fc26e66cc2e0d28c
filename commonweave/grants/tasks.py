"""Background work of the money (django.tasks): the dashboard, worked out again after the
money changes (grants/dashboard.py)."""

from django.tasks import task


@task
def work_out_dashboard(place_id: int) -> None:
    from commonweave.tenancy.models import Place

    from . import dashboard

    place = Place.objects.filter(pk=place_id).first()
    if place is not None:
        dashboard.work_out_and_keep(place)
