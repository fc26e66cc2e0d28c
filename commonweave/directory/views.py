"""Directory pages. Search, entries and suggestions are public (no sign-in); reviewing,
history and connecting residents need a role in the place.

resolve -> authorise -> call a service -> render. Confidential locations are shown by their
area only, on every page and on the map.
"""

import hashlib
import hmac
import json
from urllib.parse import urlparse

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from commonweave.people.access import Access, resident_get, resident_open
from commonweave.tenancy.models import Place

from . import exporter, selectors, services
from .enums import SuggestionStatus
from .forms import (
    HONEYPOT_FIELD,
    CommunityAreaForm,
    ConnectForm,
    EntryForm,
    FollowUpForm,
    ReviewForm,
    SearchForm,
    SuggestionForm,
)
from .models import ChangeRecord, FollowUp, Organization, Service, Suggestion

PER_PAGE = 20
SUGGESTIONS_PER_HOUR = 20


def _place(slug):
    return get_object_or_404(Place, slug=slug)


def _viewer_in(request, place):
    """The signed-in viewer if they work in this place, else None (they see the public page)."""
    viewer = request.viewer
    return viewer if viewer and viewer.place.pk == place.pk else None


def _editor(request):
    viewer = request.viewer
    if not viewer or not services.can_edit(viewer):
        raise Http404
    return viewer


def tile_source(tile_url: str) -> str:
    """The CSP source for a tile URL template: its scheme and host ("{s}." becomes "*.")."""
    parts = urlparse(tile_url.replace("{s}.", "*."))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""


def _with_tiles(response):
    """Allow the configured tile server's images through the Content Security Policy."""
    source = tile_source(settings.DIRECTORY_TILE_URL or "")
    if source:
        config = dict(settings.SECURE_CSP)
        config["img-src"] = [*config.get("img-src", []), source]
        response._csp_config = config
    return response


def index(request):
    """Signed-in staff go to their place's directory; others choose a place."""
    if request.viewer:
        return redirect("directory:search", place_slug=request.viewer.place.slug)
    places = Place.objects.order_by("name")
    return render(request, "directory/index.html", {"places": places})


def _filters(form):
    data = form.cleaned_data
    filters = selectors.Filters(
        text=data.get("q") or "",
        term_ids=[data["category"]] if data.get("category") else [],
        kinds=[data["kind"]] if data.get("kind") else [],
        age=data.get("age"),
        free=data.get("free") or False,
        open_now=data.get("open_now") or False,
        takes_referrals=data.get("takes_referrals") or False,
        neighbourhood_id=int(data["neighbourhood"]) if data.get("neighbourhood") else None,
    )
    if data.get("postcode"):
        from .geo import lookup_postcode

        filters.near = lookup_postcode(data["postcode"])
    elif data.get("lat") is not None and data.get("lon") is not None:
        filters.near = (data["lat"], data["lon"])
    return filters


def _map_points(place, entries):
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


def search(request, place_slug):
    place = _place(place_slug)
    viewer = _viewer_in(request, place)
    form = SearchForm(request.GET or None, place=place)
    searched = bool(request.GET) and form.is_valid()
    filters = _filters(form) if searched else selectors.Filters()
    results = selectors.find_services(place, filters)
    paginator = Paginator(results, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    entries = selectors.services_by_ids(list(page.object_list))
    for entry in entries:
        entry.distance_m = results.distances.get(entry.id)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "place": place,
        "form": form,
        "searched": searched,
        "page": page,
        "entries": entries,
        "total": results.total,
        "radius_m": results.radius_m,
        "query": query.urlencode(),
        "map_points": _map_points(place, entries),
        "tile_url": settings.DIRECTORY_TILE_URL,
        "is_staff_viewer": viewer is not None,
    }
    return _with_tiles(render(request, "directory/search.html", context))


def entry(request, place_slug, pk):
    place = _place(place_slug)
    viewer = _viewer_in(request, place)
    service = get_object_or_404(
        Service.objects.select_related("organization").prefetch_related(
            "at_locations__location__neighbourhood", "schedules", "contacts", "taxonomy_terms"
        ),
        place=place,
        pk=pk,
    )
    context = {
        "place": place,
        "service": service,
        "points": _map_points(place, [service]),
        "tile_url": settings.DIRECTORY_TILE_URL,
        "can_edit": services.can_edit(viewer),
        "can_connect": bool(viewer) and viewer.can_do_casework,
        "history": ChangeRecord.objects.filter(object_type="service", object_id=str(service.pk))[
            :20
        ]
        if services.can_edit(viewer)
        else [],
    }
    return _with_tiles(render(request, "directory/entry.html", context))


@login_required
@require_POST
def mark_checked(request, place_slug, pk):
    viewer = _editor(request)
    service = get_object_or_404(Service, place=viewer.place, place__slug=place_slug, pk=pk)
    services.service_mark_checked(viewer=viewer, service=service)
    messages.success(request, "Marked as checked today.")
    return redirect("directory:entry", place_slug=place_slug, pk=pk)


# ---- Suggestions (no account) -------------------------------------------------------------


def _rate_key(request):
    address = request.META.get("REMOTE_ADDR", "")
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()
    return f"directory-suggest:{digest}:{int(timezone.now().timestamp() // 3600)}"


def _over_rate_limit(request):
    key = _rate_key(request)
    cache.add(key, 0, 3600)
    return cache.incr(key) > SUGGESTIONS_PER_HOUR


def suggest(request, place_slug, pk=None):
    """Suggest a new entry, or (with pk) a correction to one. No sign-in needed."""
    place = _place(place_slug)
    service = get_object_or_404(Service, place=place, pk=pk) if pk else None
    initial = {f: getattr(service, f) for f in SuggestionForm.base_fields if hasattr(service, f)}
    form = SuggestionForm(request.POST or None, initial=initial if service else None)
    context = {"place": place, "service": service, "form": form, "honeypot": HONEYPOT_FIELD}
    if request.method == "POST":
        if request.POST.get(HONEYPOT_FIELD):
            return render(request, "directory/suggest_thanks.html", {"place": place})
        if form.is_valid():
            if _over_rate_limit(request):
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
    return render(request, "directory/suggest.html", context)


@login_required
def review_list(request):
    viewer = _editor(request)
    pending = Suggestion.objects.filter(
        place=viewer.place, status=SuggestionStatus.PENDING
    ).select_related("service")
    stale = selectors.needing_review(viewer.place)[:50]
    return render(
        request,
        "directory/review_list.html",
        {"pending": pending, "stale": stale, "place": viewer.place},
    )


@login_required
def review(request, public_id):
    viewer = _editor(request)
    suggestion = get_object_or_404(
        Suggestion.objects.select_related("service"), place=viewer.place, public_id=public_id
    )
    form = ReviewForm(request.POST or None)
    pending = suggestion.status == SuggestionStatus.PENDING
    if request.method == "POST" and pending and form.is_valid():
        services.suggestion_review(
            viewer=viewer,
            suggestion=suggestion,
            accept=form.cleaned_data["decision"] == "accept",
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, "Decision recorded.")
        return redirect("directory:review_list")
    return render(
        request,
        "directory/review.html",
        {
            "suggestion": suggestion,
            "rows": services.suggestion_rows(suggestion),
            "form": form,
            "place": viewer.place,
        },
    )


# ---- Export -------------------------------------------------------------------------------


def export(request, place_slug, fmt):
    """The public directory as ORUK JSON, CSV or GeoJSON (confidential addresses left out)."""
    place = _place(place_slug)
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


# ---- Connecting a resident ----------------------------------------------------------------


def _casework_viewer(request):
    viewer = request.viewer
    if not viewer or not viewer.can_do_casework:
        raise Http404
    return viewer


@login_required
def connect(request, resident_id):
    """Find an entry and connect the resident to it (follow-ups at 3 and 6 months)."""
    viewer = _casework_viewer(request)
    if request.method != "POST":
        # Reading which connections a resident has is a read of their record: audited.
        resident, _access = resident_open(viewer, resident_id, need=Access.FULL)
    else:
        resident, _access = resident_get(viewer, resident_id, need=Access.FULL)
    place = viewer.place
    if request.method == "POST":
        form = ConnectForm(request.POST)
        if form.is_valid():
            service = get_object_or_404(Service, place=place, pk=form.cleaned_data["service"])
            try:
                services.connect_resident(viewer=viewer, resident=resident, service=service)
            except PermissionDenied:
                raise Http404 from None
            messages.success(request, f"Connected to {service.name}. We will ask in 3 months.")
            return redirect("directory:connect", resident_id=resident_id)
    q = request.GET.get("q", "")[:200]
    entries = []
    if q:
        results = selectors.find_services(place, selectors.Filters(text=q))
        entries = selectors.services_by_ids(results[:20])
    links = FollowUp.objects.filter(link__connection__resident=resident).select_related(
        "link__service"
    )
    return render(
        request,
        "directory/connect.html",
        {
            "resident_id": resident_id,
            "q": q,
            "entries": entries,
            "follow_ups": links,
            "place": place,
            "today": timezone.localdate(),
        },
    )


@login_required
def follow_up(request, pk):
    viewer = _casework_viewer(request)
    item = get_object_or_404(
        FollowUp.objects.select_related("link__service", "link__connection__resident"), pk=pk
    )
    resident = item.link.connection.resident
    # 404 unless the resident is theirs; a GET is an audited read, a POST audited by the service.
    opener = resident_get if request.method == "POST" else resident_open
    opener(viewer, resident.public_id, need=Access.FULL)
    form = FollowUpForm(request.POST or None, initial={"outcome": item.outcome, "why": item.why})
    if request.method == "POST" and form.is_valid():
        services.follow_up_answer(viewer=viewer, follow_up=item, **form.cleaned_data)
        messages.success(request, "Follow-up recorded.")
        return redirect("directory:connect", resident_id=resident.public_id)
    return render(
        request,
        "directory/follow_up.html",
        {"item": item, "form": form, "resident_id": resident.public_id},
    )


# ---- Editing (coordinators and place admins) ----------------------------------------------

LOCATION_FORM_FIELDS = {
    "location_name": "name",
    "address_1": "address_1",
    "city": "city",
    "postal_code": "postal_code",
    "confidential": "confidential",
    "area": "area",
}


def _entry_initial(service):
    initial = {f: getattr(service, f) for f in services.SERVICE_FIELDS}
    initial["languages"] = ", ".join(service.languages or [])
    initial["organization"] = str(service.organization_id or "")
    initial["categories"] = [str(t) for t in service.taxonomy_terms.values_list("id", flat=True)]
    sal = service.at_locations.select_related("location").first()
    if sal:
        for form_name, field in LOCATION_FORM_FIELDS.items():
            initial[form_name] = getattr(sal.location, field)
    return initial


@login_required
def entry_edit(request, place_slug, pk=None):
    """Create (pk=None) or edit an entry; every change is kept in its history."""
    viewer = _editor(request)
    if viewer.place.slug != place_slug:
        raise Http404
    place = viewer.place
    service = get_object_or_404(Service, place=place, pk=pk) if pk else None
    form = EntryForm(
        request.POST or None,
        place=place,
        initial=_entry_initial(service) if service else {"kind": "group", "status": "active"},
    )
    if request.method == "POST" and form.is_valid():
        service = _save_entry(viewer, place, service, form.cleaned_data)
        messages.success(request, "Saved.")
        return redirect("directory:entry", place_slug=place.slug, pk=service.pk)
    return render(
        request, "directory/entry_edit.html", {"form": form, "service": service, "place": place}
    )


@transaction.atomic
def _save_entry(viewer, place, service, data):
    """The entry and its main location, together or not at all."""
    organization = None
    if data["organization"]:
        organization = get_object_or_404(Organization, place=place, pk=data["organization"])
    location = None
    loc_data = {field: data[name] for name, field in LOCATION_FORM_FIELDS.items()}
    if any(loc_data[k] for k in ("name", "address_1", "postal_code")):
        sal = service.at_locations.select_related("location").first() if service else None
        location = services.location_save(
            viewer=viewer, place=place, data=loc_data, location=sal.location if sal else None
        )
    return services.service_save(
        viewer=viewer,
        place=place,
        data={k: data[k] for k in services.SERVICE_FIELDS if k in data},
        service=service,
        organization=organization,
        term_ids=data["categories"],
        location=location,
    )


# ---- Community maps (seed 004) -------------------------------------------------------------


def community(request, place_slug):
    """ "Colour the area you consider your community": anyone, no account, nothing personal."""
    place = _place(place_slug)
    form = CommunityAreaForm(request.POST or None, place=place)
    if not form.fields["neighbourhoods"].choices:
        raise Http404  # the place has not loaded its neighbourhoods yet
    if request.method == "POST" and request.POST.get(HONEYPOT_FIELD):
        return render(request, "directory/community_thanks.html", {"place": place})
    if request.method == "POST" and form.is_valid():
        if _over_rate_limit(request):
            return render(
                request,
                "directory/community.html",
                {"form": form, "place": place, "limited": True, "honeypot": HONEYPOT_FIELD},
                status=429,
            )
        services.community_area_add(
            place=place,
            neighbourhood_ids=[int(pk) for pk in form.cleaned_data["neighbourhoods"]],
            activities=form.cleaned_data["activities"],
        )
        return render(request, "directory/community_thanks.html", {"place": place})
    return render(
        request,
        "directory/community.html",
        {"form": form, "place": place, "honeypot": HONEYPOT_FIELD},
    )


@login_required
def community_summary(request):
    """Staff who see aggregates: how many people include each area (disclosure rules)."""
    viewer = request.viewer
    if not viewer or not viewer.can_see_aggregates:
        raise Http404
    rows = services.community_map(viewer.place)
    return render(
        request, "directory/community_summary.html", {"rows": rows, "place": viewer.place}
    )
