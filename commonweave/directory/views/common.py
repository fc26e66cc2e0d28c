"""What the directory's views share: resolving the place and the viewer, map tiles, and
the rate limit on anonymous submissions."""

from urllib.parse import urlparse

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404

from commonweave.core import net, ratelimit
from commonweave.tenancy.models import Place

from .. import services

PER_PAGE = 20
SUGGESTIONS_PER_HOUR = 20


def get_place(slug):
    return get_object_or_404(Place, slug=slug)


def viewer_in(request, place):
    """The signed-in viewer if they work in this place, else None (they see the public page)."""
    viewer = request.viewer
    return viewer if viewer and viewer.place.pk == place.pk else None


def place_viewer(request, place_slug):
    """The signed-in viewer of the place named in the URL; anyone else gets a 404."""
    viewer = request.viewer
    if not viewer or viewer.place.slug != place_slug:
        raise Http404
    return viewer


def editor(request, place_slug):
    """A coordinator or place admin of the place in the URL, else 404."""
    viewer = place_viewer(request, place_slug)
    if not services.can_edit(viewer):
        raise Http404
    return viewer


def caseworker(request, place_slug):
    """A catalyst or coordinator of the place in the URL, else 404."""
    viewer = place_viewer(request, place_slug)
    if not viewer.can_do_casework:
        raise Http404
    return viewer


def tile_source(tile_url: str) -> str:
    """The CSP source for a tile URL template: its scheme and host ("{s}." becomes "*.")."""
    parts = urlparse(tile_url.replace("{s}.", "*."))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""


def with_tiles(response):
    """Allow the configured tile server's images through the Content Security Policy."""
    source = tile_source(settings.DIRECTORY_TILE_URL or "")
    if source:
        config = dict(settings.SECURE_CSP)
        config["img-src"] = [*config.get("img-src", []), source]
        response._csp_config = config
    return response


def over_rate_limit(request):
    """Count an anonymous suggestion against the sender's hourly allowance (the page and the
    API share it)."""
    return not ratelimit.hit(
        "directory-suggest", net.client_key(request), limit=SUGGESTIONS_PER_HOUR, window=3600
    )
