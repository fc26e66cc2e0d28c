"""The public Open Referral UK 3.0 read API: /oruk/<place>/... No sign-in; CORS open."""

import json
import uuid
from functools import wraps

from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_safe

from commonweave.tenancy.models import Place

from .. import geo, oruk
from ..models import Organization, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
from ..selectors import Filters, find_services

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


def _json(data, status=200):
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def oruk_view(view):
    """Resolve the place; answer errors as JSON with CORS; GET/HEAD only."""

    @require_safe
    @wraps(view)
    def wrapped(request, place_slug, *args, **kwargs):
        place = Place.objects.filter(slug=place_slug).first()
        if place is None:
            return _json({"error": "not found"}, status=404)
        try:
            return _json(view(request, place, *args, **kwargs))
        except Http404:
            return _json({"error": "not found"}, status=404)
        except ValueError as exc:
            return _json({"error": str(exc)}, status=400)

    return wrapped


def _int(request, name, default=None, minimum=None, maximum=None):
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number") from None
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}")
    return min(value, maximum) if maximum is not None else value


def _paging(request):
    number = _int(request, "page", 1, minimum=1)
    per_page = _int(request, "per_page", DEFAULT_PER_PAGE, minimum=1, maximum=MAX_PER_PAGE)
    return number, per_page


def _uuid_or_404(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def _paged(request, qs, render):
    number, per_page = _paging(request)
    total = qs.count()
    start = (number - 1) * per_page
    items = [render(obj) for obj in qs[start : start + per_page]]
    return oruk.page(items, total_items=total, page_number=number, per_page=per_page)


def _full_services(qs):
    return qs.select_related("organization").prefetch_related(
        "at_locations__location",
        "schedules",
        "contacts",
        "taxonomy_terms__taxonomy",
    )


@oruk_view
def root(request, place):
    openapi = request.build_absolute_uri(reverse("oruk:openapi", args=[place.slug]))
    return {"version": oruk.VERSION, "profile": oruk.PROFILE, "openapi_url": openapi}


@oruk_view
def openapi(request, place):
    path = oruk_openapi_path()
    return json.loads(path.read_text()) if path.exists() else {"openapi": "3.1.0"}


def oruk_openapi_path():
    from pathlib import Path

    return Path(__file__).parent / "data" / "oruk_openapi.json"


@oruk_view
def services(request, place):
    number, per_page = _paging(request)
    text = request.GET.get("text") or request.GET.get("search") or ""
    filters = Filters(
        text=text,
        term_ids=[_uuid_or_404(t) for t in request.GET.getlist("taxonomy_term_id") if t],
        taxonomy_id=str(_uuid_or_404(request.GET["taxonomy_id"]))
        if request.GET.get("taxonomy_id")
        else "",
        age_min=_int(request, "minimum_age"),
        age_max=_int(request, "maximum_age"),
        organization_id=str(_uuid_or_404(request.GET["organization_id"]))
        if request.GET.get("organization_id")
        else "",
        include_inactive=True,
    )
    _time_filters(request, filters)
    postcode = request.GET.get("postcode", "")
    if postcode:
        point = geo.lookup_postcode(postcode)
        if point is None:
            raise ValueError("postcode not recognised")
        filters.near = point
        filters.radius_m = _int(request, "proximity", 5000, minimum=1, maximum=100_000)
    results = find_services(place, filters)
    start = (number - 1) * per_page
    page_ids = results[start : start + per_page]
    by_id = {
        s.id: s for s in Service.objects.filter(id__in=page_ids).select_related("organization")
    }
    items = [oruk.service_summary(by_id[i]) for i in page_ids if i in by_id]
    return oruk.page(items, total_items=results.total, page_number=number, per_page=per_page)


DAY_CODES = {
    "mo": "MO", "monday": "MO", "tu": "TU", "tuesday": "TU", "we": "WE", "wednesday": "WE",
    "th": "TH", "thursday": "TH", "fr": "FR", "friday": "FR", "sa": "SA", "saturday": "SA",
    "su": "SU", "sunday": "SU",
}  # fmt: skip


def _time_filters(request, filters):
    """ORUK's `day`, `start_time`, `end_time` (HH:MM): services open then."""
    from datetime import time

    day = request.GET.get("day", "").strip().lower()
    if day:
        if day not in DAY_CODES:
            raise ValueError("day must be a day of the week, like MO or Monday")
        filters.day = DAY_CODES[day]
    for name in ("start_time", "end_time"):
        raw = request.GET.get(name, "").strip()
        if raw:
            try:
                setattr(filters, name, time.fromisoformat(raw))
            except ValueError:
                raise ValueError(f"{name} must be a time like 09:30") from None


@oruk_view
def service_detail(request, place, pk):
    qs = _full_services(Service.objects.filter(place=place))
    return oruk.service_full(get_object_or_404(qs, pk=_uuid_or_404(pk)))


@oruk_view
def organizations(request, place):
    return _paged(
        request,
        Organization.objects.filter(place=place).order_by("name", "id"),
        oruk.organization_summary,
    )


@oruk_view
def organization_detail(request, place, pk):
    org = get_object_or_404(Organization, place=place, pk=_uuid_or_404(pk))
    return oruk.organization_full(org, _full_services(org.services.all()))


@oruk_view
def taxonomies(request, place):
    return _paged(
        request, Taxonomy.objects.filter(place=place).order_by("name", "id"), oruk.taxonomy
    )


@oruk_view
def taxonomy_detail(request, place, pk):
    t = get_object_or_404(Taxonomy, place=place, pk=_uuid_or_404(pk))
    return oruk.taxonomy(t, with_terms=True)


@oruk_view
def taxonomy_terms(request, place):
    qs = TaxonomyTerm.objects.filter(place=place).select_related("taxonomy").order_by("name", "id")
    if request.GET.get("taxonomy_id"):
        qs = qs.filter(taxonomy_id=_uuid_or_404(request.GET["taxonomy_id"]))
    return _paged(request, qs, oruk.taxonomy_term)


@oruk_view
def taxonomy_term_detail(request, place, pk):
    qs = TaxonomyTerm.objects.filter(place=place).select_related("taxonomy")
    return oruk.taxonomy_term(get_object_or_404(qs, pk=_uuid_or_404(pk)))


def _sal_qs(place):
    return (
        ServiceAtLocation.objects.filter(place=place)
        .select_related("service__organization", "location")
        .order_by("service__name", "id")
    )


@oruk_view
def service_at_locations(request, place):
    qs = _sal_qs(place)
    postcode = request.GET.get("postcode", "")
    if postcode:
        point = geo.lookup_postcode(postcode)
        if point is None:
            raise ValueError("postcode not recognised")
        radius = _int(request, "proximity", 5000, minimum=1, maximum=100_000)
        min_lat, max_lat, min_lon, max_lon = geo.bounding_box(*point, radius)
        qs = qs.filter(
            location__confidential=False,
            location__latitude__range=(min_lat, max_lat),
            location__longitude__range=(min_lon, max_lon),
        )
    return _paged(request, qs, oruk.service_at_location)


@oruk_view
def service_at_location_detail(request, place, pk):
    sal = get_object_or_404(_sal_qs(place), pk=_uuid_or_404(pk))
    return oruk.service_at_location(sal, full=True)
