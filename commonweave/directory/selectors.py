"""Reads of the directory. The directory is public, so selectors take the place, not a viewer;
confidential locations never leave through them except to editors (see location_for_editor).
"""

import re
import uuid
from dataclasses import dataclass, field, replace

from django.db.models import CharField, F, Prefetch, Q
from django.db.models.functions import Cast
from django.utils import timezone

from . import geo, search
from .enums import ServiceStatus
from .models import REVIEW_AFTER, Location, Schedule, Service, ServiceAtLocation

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
    day: str = ""  # MO..SU: open at some time on this day
    start_time: object = None  # with end_time: open at some point in [start, end)
    end_time: object = None


class Results:
    """Matching service ids, in order, sliceable like a list (Paginator-friendly).

    Plain filters stay a queryset, so a page costs a COUNT and a LIMIT query; text,
    selective-filter and distance searches read the ordered ids once. Long lists arrive as
    text keys (see _keys) and only the page asked for becomes UUIDs.
    """

    def __init__(self, *, ids=None, queryset=None, distances=None, radius_m=None, keys=None):
        self._ids = ids
        self._keys = keys
        if keys is not None:
            self._ids = keys
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
        if self._keys is not None:
            return [uuid.UUID(k) for k in self._keys]
        return self._ids

    def __getitem__(self, index):
        if self._keys is not None:
            found = self._keys[index]
            return [uuid.UUID(k) for k in found] if isinstance(index, slice) else uuid.UUID(found)
        if self._ids is not None:
            return self._ids[index]
        return list(self._queryset[index])


def _keys(qs):
    """The ids of an ordered queryset as text: converting thousands of rows to UUID objects
    costs more than the query, and only one page of them is ever needed as UUIDs."""
    return list(qs.annotate(key=Cast("id", output_field=CharField())).values_list("key", flat=True))


def _open_now_q(now):
    day = DAYS[now.weekday()]
    t = now.time()
    return Q(byday__contains=day, opens_at__lte=t, closes_at__gt=t)


def _links():
    return Service.taxonomy_terms.through.objects


def filtered_services(place, filters: Filters, *, ids=None):
    """The services matching every filter but text and distance. With `ids` (already known
    to be this place's), the query starts from those primary keys instead of the place."""
    # Start from the most selective set so SQLite and PostgreSQL walk the fewest rows: the
    # given ids, else the services filed under the chosen terms (terms are the place's own),
    # else the whole place. Many-valued filters are IN-subqueries: rows never repeat.
    links = _links().filter(taxonomyterm__place=place)
    if ids is not None:
        qs = Service.objects.filter(pk__in=ids)
    elif filters.term_ids or filters.taxonomy_id:
        qs = Service.objects.all()
    elif filters.text.strip():
        # A text search reads every row's search_text anyway: one sequential pass is faster
        # than walking the place index and fetching each row. `place_id + 0` keeps the
        # planner off that index (SQLite and PostgreSQL alike).
        qs = Service.objects.alias(place_scan=F("place_id") + 0).filter(place_scan=place.pk)
    else:
        qs = Service.objects.filter(place=place)
    if filters.term_ids:
        chosen_terms = mapped_term_ids(place, filters.term_ids)
        qs = qs.filter(id__in=links.filter(taxonomyterm_id__in=chosen_terms).values("service_id"))
    if filters.taxonomy_id:
        chosen = links.filter(taxonomyterm__taxonomy_id=filters.taxonomy_id)
        qs = qs.filter(id__in=chosen.values("service_id"))
    if not filters.include_inactive:
        qs = qs.filter(status=ServiceStatus.ACTIVE)
    if filters.text.strip():
        condition = search.text_filter(_plan(place, filters))
        if condition is not None:
            qs = qs.filter(condition)
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
    if filters.day or filters.start_time or filters.end_time:
        sessions = Schedule.objects.all()
        if filters.day:
            sessions = sessions.filter(byday__contains=filters.day)
        if filters.end_time:
            sessions = sessions.filter(opens_at__lt=filters.end_time)
        if filters.start_time:
            sessions = sessions.filter(closes_at__gt=filters.start_time)
        qs = qs.filter(id__in=sessions.values("service_id"))
    if filters.open_now:
        open_now = Schedule.objects.filter(_open_now_q(timezone.localtime()))
        qs = qs.filter(id__in=open_now.values("service_id"))
    if filters.neighbourhood_id:
        inside = ServiceAtLocation.objects.filter(
            location__neighbourhood_id=filters.neighbourhood_id
        )
        qs = qs.filter(id__in=inside.values("service_id"))
    if filters.organization_id:
        qs = qs.filter(organization_id=filters.organization_id)
    return qs


def nearby_distances(place, filters, lat, lon, radius_m) -> dict:
    """service id -> metres to its nearest public (non-confidential) location within radius,
    for the services in `qs`.

    Driven from the location side so the (place, latitude, longitude) index does the work;
    the candidates are then checked against the other filters in batches (unless the only
    other condition is "active", checked in the same query).
    """
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(lat, lon, radius_m)
    # From the service-at-location rows of the locations in the box, one join each way (a
    # filter on Location's reverse relation per call had joined it twice), unordered.
    rows = ServiceAtLocation.objects.filter(
        place=place,
        location__place=place,
        location__confidential=False,
        location__latitude__range=(min_lat, max_lat),
        location__longitude__range=(min_lon, max_lon),
    ).order_by()
    status_only = _only_near(filters)
    if status_only and not filters.include_inactive:
        rows = rows.filter(service__status=ServiceStatus.ACTIVE)
    best = {}
    for service_id, slat, slon in rows.values_list(
        "service_id", "location__latitude", "location__longitude"
    ):
        d = geo.distance_m(lat, lon, slat, slon)
        if d <= radius_m and d < best.get(service_id, float("inf")):
            best[service_id] = d
    if status_only:
        return best
    candidates = list(best)
    allowed = set()
    for i in range(0, len(candidates), 2000):
        batch = filtered_services(place, filters, ids=candidates[i : i + 2000])
        allowed.update(batch.order_by().values_list("id", flat=True))
    return {k: v for k, v in best.items() if k in allowed}


def _only_near(filters) -> bool:
    """True when nothing but the point, the radius and "active only" filters the search."""
    return replace(filters, near=None, radius_m=None, include_inactive=False) == Filters()


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
            distances = nearby_distances(place, filters, *filters.near, radius)
            if len(distances) >= enough:
                break
        ids = sorted(distances, key=lambda i: (distances[i], str(i)))
        return Results(ids=ids, distances=distances, radius_m=radius)
    if filters.text.strip():
        plan = _plan(place, filters)
        if not plan:
            return Results(queryset=qs.order_by("name", "id").values_list("id", flat=True))
        keys = _keys(_ranked(qs, plan))
        if not keys and len(plan.groups) > 1:
            # Nothing holds everything asked ("somewhere to knit on tuesday"): the entries
            # that hold most of it, best first.
            filters._plan = plan.relaxed()
            keys = _keys(_ranked(filtered_services(place, filters), filters._plan))
        return Results(keys=keys)
    ordered = qs.order_by("name", "id")
    if _selective(filters):
        # A few hundred ids at most: one query, rather than a COUNT and a page that each
        # do the same work.
        return Results(keys=_keys(ordered))
    return Results(queryset=ordered.values_list("id", flat=True))


def _selective(filters) -> bool:
    """Filters that pick a small part of the directory (an IN-subquery drives the query)."""
    return bool(
        filters.term_ids
        or filters.taxonomy_id
        or filters.neighbourhood_id
        or filters.organization_id
        or filters.open_now
        or filters.day
        or filters.start_time
        or filters.end_time
    )


def _plan(place, filters) -> search.Plan:
    """The query's words and what each may mean, worked out once per search."""
    if getattr(filters, "_plan", None) is None:
        filters._plan = search.plan(place, filters.text)
    return filters._plan


def _ranked(qs, plan):
    """Best matches first (exact, then close spellings, then related words); among equals,
    entries whose name holds the words; then by name. Ranked in the database, read once:
    the ids give the count and every page."""
    matched = search.match_score(plan)
    if matched is None:
        return qs.alias(named=search.name_score(plan)).order_by("-named", "name", "id")
    return qs.alias(matched=matched, named=search.name_score(plan)).order_by(
        "-matched", "-named", "name", "id"
    )


# What the categories Commonweave ships with (services.DEFAULT_TERMS, by code) are called in
# the taxonomies places import (Open Referral UK's, LGA's, a place's own list): a term whose
# name holds one of these words files its services under the category too.
CATEGORY_WORDS = {
    "food": ("food", "lunch", "meal", "pantry", "nutrition", "hunger", "cafe"),
    "social": ("social", "friend", "befriend", "lonel", "isolation", "coffee morning"),
    "physical": ("physical", "exercise", "sport", "fitness", "walking", "dance", "leisure"),
    "mental": ("mental", "wellbeing", "well-being", "emotional", "counselling"),
    "bereavement": ("bereave", "grief", "loss"),
    "money": ("money", "debt", "benefit", "financ", "budget", "welfare"),
    "housing": ("housing", "homeless", "accommodation", "tenan"),
    "learning": ("learning", "education", "skills", "esol", "digital", "literacy", "classes"),
    "work": ("employ", "job", "volunteer", "training", "work"),
    "carers": ("carer", "caring"),
    "families": ("famil", "child", "parent", "young people", "youth", "baby"),
    "older": ("older", "elderly", "ageing", "aging", "later life", "retire"),
    "health": ("health", "medical", "disab", "condition", "dementia"),
    "arts": ("art", "craft", "music", "choir", "culture", "garden", "heritage"),
    "faith": ("faith", "church", "mosque", "religio", "belief", "worship"),
    "spaces": ("space", "venue", "park", "community centre", "community center"),
}


def mapped_term_ids(place, term_ids) -> set:
    """The chosen terms and every term of the place that means the same: their narrower
    terms, terms of other taxonomies with the same code or name, and, for a category
    Commonweave ships with, imported terms named for it (CATEGORY_WORDS). So filtering by
    "Food and lunch clubs" finds the entries an imported feed filed under "Food banks"."""
    from .models import TaxonomyTerm

    terms = list(
        TaxonomyTerm.objects.filter(place=place).values_list("id", "parent_id", "code", "name")
    )
    chosen = {str(t) for t in term_ids}
    picked = [t for t in terms if str(t[0]) in chosen]
    codes = {t[2].lower() for t in picked if t[2]}
    names = {t[3].lower() for t in picked}
    keywords = [w for t in picked for w in CATEGORY_WORDS.get(t[2].lower(), ())]
    named_for = re.compile(r"\b(" + "|".join(map(re.escape, keywords)) + ")") if keywords else None
    found = {t[0] for t in picked}
    for pk, _parent, code, name in terms:
        lowered = name.lower()
        if (
            (code and code.lower() in codes)
            or lowered in names
            or (named_for is not None and named_for.search(lowered))
        ):
            found.add(pk)
    # Narrower terms of anything found (an imported tree files services under its leaves).
    children: dict = {}
    for pk, parent, _code, _name in terms:
        children.setdefault(parent, []).append(pk)
    todo = list(found)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found or chosen


def services_by_ids(ids):
    """Services in the given order, with what list pages show."""
    found = (
        Service.objects.filter(id__in=ids)
        .select_related("organization")
        .prefetch_related(
            Prefetch("at_locations", queryset=ServiceAtLocation.objects.select_related("location"))
        )
    )
    by_id = {s.id: s for s in found}
    return [by_id[i] for i in ids if i in by_id]


def needing_review(place):
    return Service.objects.filter(
        place=place, last_checked_at__lt=timezone.now() - REVIEW_AFTER
    ).order_by("last_checked_at")


def public_locations(place):
    return Location.objects.filter(place=place, confidential=False)
