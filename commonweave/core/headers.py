"""Response headers that Django's own security middleware does not set."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

# Nothing here uses the camera, microphone, location (near-me is by postcode, not the
# browser's geolocation), payments or USB: say so, so an injected script or a framed page
# cannot ask the visitor for them either.
DEFAULT_PERMISSIONS_POLICY = {
    "camera": "()",
    "microphone": "()",
    "geolocation": "()",
    "payment": "()",
    "usb": "()",
}


def permissions_policy_value(policy: dict[str, str]) -> str:
    return ", ".join(f"{feature}={allow}" for feature, allow in policy.items())


class PermissionsPolicyMiddleware:
    """Sends Permissions-Policy on every response (settings.PERMISSIONS_POLICY).

    Placed before WhiteNoise in MIDDLEWARE so static files carry it too. A view that needs
    a feature sets its own header, which is left alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        policy = getattr(settings, "PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)
        self.value = permissions_policy_value(policy)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self.value:
            response.headers.setdefault("Permissions-Policy", self.value)
        return response
