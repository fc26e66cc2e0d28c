"""Mutual-aid test data: areas, helpers with checks, offers and needs. Built with the
services where the behaviour matters (alerts, audit) and directly where it does not."""

import datetime
import itertools

from django.utils import timezone

from commonweave.directory.models import Neighbourhood
from commonweave.mutualaid.enums import AidFrontDoor, DbsType, Kind, When
from commonweave.mutualaid.models import Category, Request, Volunteer, VolunteerChecks
from commonweave.mutualaid.services import place_settings

_n = itertools.count()


def neighbourhood(place, name=None, *, west=-2.12, south=53.54, size=0.01):
    """A square area `size` degrees across (about 0.7 km east-west at Oldham's latitude)."""
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south + size]]
    return Neighbourhood.objects.create(
        place=place,
        name=name or f"Area {next(_n)}",
        kind="ward",
        geometry={"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
        min_lon=west,
        min_lat=south,
        max_lon=west + size,
        max_lat=south + size,
    )


def category(place, slug="shopping"):
    place_settings(place)
    return Category.objects.get(place=place, slug=slug)


def full_checks(today=None):
    """Every check, current for a year: allows every tier."""
    today = today or timezone.localdate()
    return {
        "dbs_type": DbsType.ENHANCED_BARRED,
        "dbs_issued_on": today - datetime.timedelta(days=30),
        "barred_list_checked_on": today - datetime.timedelta(days=30),
        "update_service_checked_on": today - datetime.timedelta(days=5),
        "references_checked_on": today - datetime.timedelta(days=60),
        "training_completed_on": today - datetime.timedelta(days=20),
        "recheck_due_on": today + datetime.timedelta(days=365),
    }


def helper(
    place,
    organisation,
    *,
    home=None,
    checks=None,
    languages=("en",),
    when=When.ANY,
    first_name="Sam",
    last_alerted_at=None,
):
    volunteer = Volunteer.objects.create(
        place=place,
        organisation=organisation,
        first_name=first_name,
        phone="07700 900123",
        home=home,
        languages=list(languages),
        when=when,
        last_alerted_at=last_alerted_at,
    )
    VolunteerChecks.objects.create(volunteer=volunteer, **(checks or {}))
    return volunteer


def offer(volunteer, cat, *, neighbourhood=None, when=When.ANY, created_at=None):
    return Request.objects.create(
        place_id=volunteer.place_id,
        organisation_id=volunteer.organisation_id,
        kind=Kind.OFFER,
        category=cat,
        what="I can help",
        neighbourhood=neighbourhood or volunteer.home,
        when=when,
        front_door=AidFrontDoor.WEB,
        first_name=volunteer.first_name,
        volunteer=volunteer,
        created_at=created_at or timezone.now(),
    )
