"""Reads of the directory. The directory is public, so selectors take the place, not a viewer;
confidential locations never leave through them except to editors (see location_for_editor).
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from . import geo, search
from .enums import ServiceStatus
from .models import REVIEW_AFTER, Location, Service, ServiceAtLocation

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@dataclass
class Filters:
    text: str = ""
    term_ids: list = field(default_factory=list)
    taxonomy_id: str = ""
    kinds: list = field(default_factory=list)
    age: int | None = None
    age_min: int | None = None
    age_max: int | None = None
    free: bool = False
    open_now: bool = False
    takes_referrals: bool = False
    neighbourhood_id: int | None = None
    organization_id: str = ""
    near: tuple | None = None  # (lat, lon)
    radius_m: int | None = None  # None: grow until enough are found
    include_inactive: bool = False


class Results:
    """Matching service ids, in order, sliceable like a list (Paginator-friendly).

    Plain filters stay a queryset, so a page costs a COUNT and a LIMIT query; text and
    distance searches rank in Python and hold the ordered ids.
    """

    def __init__(self, *, ids=None, queryset=None, distances=None, radius_m=None):
        self._ids = ids
        self._queryset = queryset
        self._count = None
        self.distances = distances or {}
        self.radius_m = radius_m

    def count(self):
        if self._ids is not None:
            return len(self._ids)
        if self._count is None:
            self._count = self._queryset.count()
        return self._count

    __len__ = count

    @property
    def total(self):
        return self.count()

    @property
    def ids(self):
        if self._ids is None:
            self._ids = list(self._queryset)
        return self._ids

    def __getitem__(self, index):
        if self._ids is not None:
            return self._ids[index]
        return list(self._queryset[index])


def _open_now_q(now):
    day = DAYS[now.weekday()]
    t = now.time()
    return Q(
        schedules__byday__contains=day,
        schedules__opens_at__lte=t,
        schedules__closes_at__gt=t,
    )


def filtered_services(place, filters: Filters):
    qs = Service.objects.filter(place=place)
    if not filters.include_inactive:
        qs = qs.filter(status=ServiceStatus.ACTIVE)
    if filters.text.strip():
        condition = search.text_filter(place, filters.text)
        if condition is not None:
            qs = qs.filter(condition)
    if filters.term_ids:
        qs = qs.filter(taxonomy_terms__id__in=filters.term_ids)
    if filters.taxonomy_id:
        qs = qs.filter(taxonomy_terms__taxonomy_id=filters.taxonomy_id)
    if filters.kinds:
        qs = qs.filter(kind__in=filters.kinds)
    if filters.age is not None:
        filters.age_min = filters.age_max = filters.age
    if filters.age_max is not None:
        qs = qs.filter(Q(minimum_age__isnull=True) | Q(minimum_age__lte=filters.age_max))
    if filters.age_min is not None:
        qs = qs.filter(Q(maximum_age__isnull=True) | Q(maximum_age__gte=filters.age_min))
    if filters.free:
        qs = qs.filter(is_free=True)
    if filters.takes_referrals:
        qs = qs.filter(takes_referrals=True)
    if filters.open_now:
        qs = qs.filter(_open_now_q(timezone.localtime()))
    if filters.neighbourhood_id:
        qs = qs.filter(at_locations__location__neighbourhood_id=filters.neighbourhood_id)
    if filters.organization_id:
        qs = qs.filter(organization_id=filters.organization_id)
    return qs


def nearby_distances(qs, lat, lon, radius_m) -> dict:
    """service id -> metres to its nearest public (non-confidential) location within radius."""
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(lat, lon, radius_m)
    rows = qs.filter(
        at_locations__location__confidential=False,
        at_locations__location__latitude__range=(min_lat, max_lat),
        at_locations__location__longitude__range=(min_lon, max_lon),
    ).values_list("id", "at_locations__location__latitude", "at_locations__location__longitude")
    best = {}
    for service_id, slat, slon in rows:
        d = geo.distance_m(lat, lon, slat, slon)
        if d <= radius_m and d < best.get(service_id, float("inf")):
            best[service_id] = d
    return best


AUTO_RADII_M = (500, 1000, 2000, 5000, 10000, 25000)


def find_services(place, filters: Filters, *, enough=20) -> Results:
    """Matching services: by distance when near a point, by relevance for text, else by name.

    Near a point with no radius given, the radius grows (500 m, 1 km, 2 km ...) until at
    least `enough` entries are found, so a dense directory answers from a small area.
    """
    qs = filtered_services(place, filters)
    if filters.near:
        radii = [filters.radius_m] if filters.radius_m else list(AUTO_RADII_M)
        for radius in radii:
            distances = nearby_distances(qs, *filters.near, radius)
            if len(distances) >= enough:
                break
        ids = sorted(distances, key=lambda i: (distances[i], str(i)))
        return Results(ids=ids, distances=distances, radius_m=radius)
    if filters.text.strip():
        rows = qs.values_list("id", "name").distinct()
        groups = search.expand(place, filters.text)
        # Entries whose name holds the words come first; the rest matched on description/terms.
        ranked = sorted(set(rows), key=lambda row: (-_name_score(row[1], groups), row[1], row[0]))
        return Results(ids=[i for i, _ in ranked])
    if filters.term_ids or filters.taxonomy_id or filters.neighbourhood_id or filters.open_now:
        qs = qs.distinct()  # these filters join to many-valued relations
    return Results(queryset=qs.order_by("name", "id").values_list("id", flat=True))


def _name_score(name, groups):
    name_words = set(search.words(name))
    return sum(1 for alike in groups if alike & name_words)


def services_by_ids(ids):
    """Services in the given order, with what list pages show."""
    found = (
        Service.objects.filter(id__in=ids)
        .select_related("organization")
        .prefetch_related("taxonomy_terms", "at_locations__location", "schedules")
    )
    by_id = {s.id: s for s in found}
    return [by_id[i] for i in ids if i in by_id]


def needing_review(place):
    return Service.objects.filter(
        place=place, last_checked_at__lt=timezone.now() - REVIEW_AFTER
    ).order_by("last_checked_at")


def public_locations(place):
    return Location.objects.filter(place=place, confidential=False)
