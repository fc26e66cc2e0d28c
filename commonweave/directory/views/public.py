"""Public pages: no sign-in. Confidential locations are shown by their area only, on every
page and on the map."""

import json
import uuid

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from shapely.geometry import mapping, shape

from commonweave.tenancy.models import Place

from .. import community as community_maps
from .. import exporter, geo, referrals, selectors, services
from ..forms import HONEYPOT_FIELD, CommunityAreaForm, SearchForm, SuggestionForm
from ..models import ChangeRecord, Neighbourhood, Service, ServiceAtLocation
from .common import PER_PAGE, get_place, over_rate_limit, viewer_in, with_tiles


def index(request):
    """Signed-in staff go to their place's directory; others choose a place."""
    if request.viewer:
        return redirect("directory:search", place_slug=request.viewer.place.slug)
    places = Place.objects.order_by("name")
    return render(request, "directory/index.html", {"places": places})


def map_points(place, entries):
    points = []
    for service in entries:
        for sal in service.at_locations.all():
            loc = sal.location
            if loc.confidential or loc.latitude is None:
                continue
            points.append(
                {
                    "lat": round(loc.latitude, 6),
                    "lon": round(loc.longitude, 6),
                    "name": service.name,
                    "url": reverse("directory:entry", args=[place.slug, service.id]),
                }
            )
    return points


# Every result goes on the search page's map (clustered); past this many, the first ones.
MAP_POINT_LIMIT = 2000


def result_points(place, results):
    """Map points for every result, not only the page shown: one query over the results'
    public locations (confidential ones are never placed on a map), best results first."""
    ids = list(results[:MAP_POINT_LIMIT])
    rank = {str(service_id): i for i, service_id in enumerate(ids)}
    rows = ServiceAtLocation.objects.filter(
        place=place,
        service_id__in=ids,
        location__confidential=False,
        location__latitude__isnull=False,
    ).values_list("service_id", "service__name", "location__latitude", "location__longitude")
    # One reverse() for all: at 2,000 points, a reverse() each was most of the page's time.
    placeholder = uuid.UUID(int=0)
    url = reverse("directory:entry", args=[place.slug, placeholder])
    return [
        {
            "lat": round(lat, 6),
            "lon": round(lon, 6),
            "name": name,
            "url": url.replace(str(placeholder), str(service_id)),
        }
        for service_id, name, lat, lon in sorted(rows, key=lambda row: rank[str(row[0])])
    ]


def _search_results(request, place):
    """The search form and what it finds (the page and its map's points ask the same)."""
    form = SearchForm(request.GET or None, place=place)
    searched = bool(request.GET) and form.is_valid()
    filters = form.filters() if searched else selectors.Filters()
    return form, searched, selectors.find_services(place, filters)


def search(request, place_slug):
    place = get_place(place_slug)
    viewer = viewer_in(request, place)
    form, searched, results = _search_results(request, place)
    postcode_data_missing = False
    if not searched and "postcode" in form.errors:
        # Say why: not a postcode, not in the data loaded here, or no data loaded at all.
        status, problem = geo.postcode_problem(place, request.GET.get("postcode", ""))
        if problem:
            form.errors["postcode"] = form.error_class([problem])
        postcode_data_missing = status == geo.PostcodeStatus.NO_DATA
    paginator = Paginator(results, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    entries = selectors.services_by_ids(list(page.object_list))
    for entry in entries:
        entry.distance_m = results.distances.get(entry.id)
        entry.distance = geo.format_distance(entry.distance_m)
    query = request.GET.copy()
    query.pop("page", None)
    points_url = reverse("directory:search_points", args=[place.slug])
    context = {
        "place": place,
        "form": form,
        "searched": searched,
        "page": page,
        "entries": entries,
        "total": results.total,
        "radius_m": results.radius_m,
        "radius": geo.format_distance(results.radius_m),
        "postcode_data_missing": postcode_data_missing,
        "query": query.urlencode(),
        # The map (JavaScript only) fetches its points: thousands of results must not
        # weigh down or slow the list every reader gets.
        "points_url": f"{points_url}?{query.urlencode()}" if results.total else "",
        "tile_url": settings.DIRECTORY_TILE_URL,
        "is_staff_viewer": viewer is not None,
        "can_edit": services.can_edit(viewer),
        "can_casework": bool(viewer) and viewer.can_do_casework,
        "receives_referrals": bool(referrals.receiving_org_ids(viewer)),
        "can_see_aggregates": bool(viewer) and viewer.can_see_aggregates,
    }
    return with_tiles(render(request, "directory/search.html", context))


def search_points(request, place_slug):
    """The search page's map: every result's public locations, and the base layer of
    neighbourhood outlines when no tile server is configured."""
    place = get_place(place_slug)
    _form, _searched, results = _search_results(request, place)
    return JsonResponse({"points": result_points(place, results), "outlines": base_outlines(place)})


def entry(request, place_slug, pk):
    place = get_place(place_slug)
    viewer = viewer_in(request, place)
    service = get_object_or_404(
        Service.objects.select_related("organization", "referral_organisation").prefetch_related(
            "at_locations__location__neighbourhood", "schedules", "contacts", "taxonomy_terms"
        ),
        place=place,
        pk=pk,
    )
    can_edit = services.can_edit(viewer)
    through_us = referrals.takes_commonweave_referrals(service)
    context = {
        "place": place,
        "service": service,
        "points": map_points(place, [service]),
        "tile_url": settings.DIRECTORY_TILE_URL,
        "outlines": base_outlines(place),
        "can_edit": can_edit,
        "through_commonweave": through_us,
        "places_free": referrals.places_free(service) if through_us else None,
        "history": ChangeRecord.objects.filter(object_type="service", object_id=str(service.pk))[
            :20
        ]
        if can_edit
        else [],
    }
    return with_tiles(render(request, "directory/entry.html", context))


def suggest(request, place_slug, pk=None):
    """Suggest a new entry, or (with pk) a correction to one. No sign-in needed."""
    place = get_place(place_slug)
    service = get_object_or_404(Service, place=place, pk=pk) if pk else None
    initial = {f: getattr(service, f) for f in SuggestionForm.base_fields if hasattr(service, f)}
    form = SuggestionForm(request.POST or None, initial=initial if service else None)
    context = {"place": place, "service": service, "form": form, "honeypot": HONEYPOT_FIELD}
    if request.method == "POST":
        if request.POST.get(HONEYPOT_FIELD):
            return render(request, "directory/suggest_thanks.html", {"place": place})
        if form.is_valid():
            if over_rate_limit(request):
                context["limited"] = True
                return render(request, "directory/suggest.html", context, status=429)
            proposed = {k: v for k, v in form.cleaned_data.items() if k != "comment"}
            services.suggestion_create(
                place=place,
                service=service,
                proposed=proposed,
                comment=form.cleaned_data["comment"],
            )
            return render(request, "directory/suggest_thanks.html", {"place": place})
    return render(request, "directory/suggest.html", context, status=400 if form.errors else 200)


def export(request, place_slug, fmt):
    """The public directory as ORUK JSON, CSV or GeoJSON (confidential addresses left out)."""
    place = get_place(place_slug)
    if fmt == "json":
        response = JsonResponse(exporter.export_oruk(place), safe=False)
    elif fmt == "geojson":
        response = HttpResponse(
            json.dumps(exporter.export_geojson(place)), content_type="application/geo+json"
        )
    elif fmt == "csv":
        response = HttpResponse(exporter.export_csv(place), content_type="text/csv")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{place.slug}-directory.{fmt}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


# ---- Community maps ("the area I consider my community") ------------------------------

OUTLINE_TOLERANCE_DEG = 0.0003  # about 30 m: enough to recognise an area, light to send


def neighbourhood_outlines(place) -> dict:
    """The place's neighbourhoods, simplified, as GeoJSON for the drawing map."""
    features = []
    for name, geometry in Neighbourhood.objects.filter(place=place).values_list("name", "geometry"):
        simple = shape(geometry).simplify(OUTLINE_TOLERANCE_DEG, preserve_topology=True)
        features.append(
            {
                "type": "Feature",
                "properties": {"name": name},
                "geometry": mapping(simple),
            }
        )
    text = json.dumps({"type": "FeatureCollection", "features": features})
    # Five decimals (about a metre) are plenty for outlines.
    return json.loads(text, parse_float=lambda v: round(float(v), 5))


def base_outlines(place):
    """The map's base layer when no tile server is configured: the place's neighbourhoods
    with their names (None when tiles are configured or no neighbourhoods are loaded)."""
    if settings.DIRECTORY_TILE_URL:
        return None
    return (
        neighbourhood_outlines(place)
        if Neighbourhood.objects.filter(place=place).exists()
        else None
    )


def community(request, place_slug):
    """ "Colour the area you consider your community": choose areas, or draw yours on the map
    (with JavaScript). Anyone, no account, nothing personal."""
    place = get_place(place_slug)
    form = CommunityAreaForm(request.POST or None, place=place)
    if not form.fields["neighbourhoods"].choices:
        raise Http404  # the place has not loaded its neighbourhoods yet
    context = {
        "form": form,
        "place": place,
        "honeypot": HONEYPOT_FIELD,
        "outlines": neighbourhood_outlines(place),
        "tile_url": settings.DIRECTORY_TILE_URL,
        "max_vertices": community_maps.MAX_VERTICES,
    }
    if request.method == "POST" and request.POST.get(HONEYPOT_FIELD):
        return render(request, "directory/community_thanks.html", {"place": place})
    if request.method == "POST" and form.is_valid():
        if over_rate_limit(request):
            context["limited"] = True
            return with_tiles(render(request, "directory/community.html", context, status=429))
        community_maps.community_area_add(
            place=place,
            neighbourhood_ids=[int(pk) for pk in form.cleaned_data["neighbourhoods"]],
            activities=form.cleaned_data["activities"],
            geometry=form.cleaned_data["drawn"],
        )
        return render(request, "directory/community_thanks.html", {"place": place})
    return with_tiles(
        render(request, "directory/community.html", context, status=400 if form.errors else 200)
    )
