from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import places_for_user


def current_place(request: HttpRequest) -> dict[str, Any]:
    viewer = getattr(request, "viewer", None)
    return {
        "viewer": viewer if viewer else None,
        # The places the signed-in person works in (the place switcher's choices): read
        # only by a page that shows them, such as the security page.
        "user_places": SimpleLazyObject(lambda: list(places_for_user(request.user))),
    }
