from collections.abc import Callable
from typing import cast

from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import SimpleLazyObject

from .http import PlaceRequest
from .models import Place
from .viewer import Viewer, viewer_for_user

SESSION_KEY = "current_place_id"


def _current_place(request: HttpRequest) -> Place | None:
    user = request.user
    if not user.is_authenticated:
        return None
    places = Place.objects.filter(organisations__memberships__user=user).distinct()
    place_id = request.session.get(SESSION_KEY)
    if place_id is not None:
        place = places.filter(pk=place_id).first()
        if place is not None:
            return place
    return places.order_by("pk").first()


class CurrentPlaceMiddleware:
    """Sets request.place (the place the user is working in) and request.viewer.

    Both are recomputed on every request, so a removed membership ends access at once.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: PlaceRequest) -> HttpResponseBase:
        # Lazy stand-ins, computed on first use; an empty one is falsy like None.
        request.place = cast("Place | None", SimpleLazyObject(lambda: _current_place(request)))
        request.viewer = cast(
            "Viewer | None",
            SimpleLazyObject(lambda: viewer_for_user(request.user, request.place or None)),
        )
        return self.get_response(request)
