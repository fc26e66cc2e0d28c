"""The request as views see it once CurrentPlaceMiddleware has run: for type annotations.

At run time the request is Django's own HttpRequest; this class only tells the type
checker about the two attributes the middleware sets (commonweave/tenancy/middleware.py).
"""

from django.http import HttpRequest

from .models import Place
from .viewer import Viewer


class PlaceRequest(HttpRequest):
    place: Place | None  # the place the user is working in (None: no role anywhere)
    viewer: Viewer | None  # who is asking in that place (None: no role there)
