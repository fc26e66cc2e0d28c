import re
from urllib.parse import urlencode

from django.apps import apps
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import requires_csrf_token

PLACE_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")
DIRECTORY_FIELDS = ("q", "postcode")


def _directory_places() -> list:
    """The places whose directories a visitor can search, as the directory's index lists
    them. Looked up by name (the web layer imports no app above it)."""
    place_model = apps.get_model("tenancy", "Place")
    return list(place_model.objects.order_by("name").only("slug", "name"))


def home(request):
    """Public landing page; signed-in staff go straight to their work."""
    viewer = request.viewer
    if viewer:
        if viewer.can_do_casework:
            return redirect("people:caseload")
        if viewer.has_role("partner_worker"):
            return redirect("people:my_referrals")
        return redirect("insights:overview")
    context = {"places": _directory_places(), "login_url": reverse("accounts:login")}
    return render(request, "web/home.html", context)


def find(request):
    """The home page's directory search when there is more than one place: on to that
    place's search with the words and postcode (a GET, as the directory's own search is).
    An unknown place is the directory's 404."""
    slug = request.GET.get("place", "")
    if not PLACE_SLUG.fullmatch(slug):
        return redirect("directory:index")
    query = {k: request.GET[k] for k in DIRECTORY_FIELDS if request.GET.get(k, "").strip()}
    url = reverse("directory:search", args=[slug])
    return redirect(f"{url}?{urlencode(query)}" if query else url)


# Error pages never echo what was asked for: it may hold personal data, or be an attack.
def bad_request(request, exception=None):
    return render(
        request,
        "web/error.html",
        {"title": "Sorry, there is a problem with that request"},
        status=400,
    )


def permission_denied(request, exception=None):
    return render(request, "web/error.html", {"title": "You cannot do that"}, status=403)


def page_not_found(request, exception=None):
    return render(request, "web/error.html", {"title": "Page not found"}, status=404)


@requires_csrf_token
def server_error(request):
    return render(request, "web/error.html", {"title": "Sorry, something went wrong"}, status=500)
