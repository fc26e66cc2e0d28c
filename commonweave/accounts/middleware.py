"""Two-factor gate for signed-in sessions.

* Someone with a confirmed authenticator who has signed in with only their password is
  sent to the verify step before any other page.
* In a place that requires two-factor sign-in, staff without an authenticator are sent
  to set one up before they can work there.

Must sit after AuthenticationMiddleware, OTPMiddleware and CurrentPlaceMiddleware.
"""

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from .two_factor import has_confirmed_device

# Pages an unverified session may still open: finishing or abandoning sign-in.
VERIFY_OPEN = frozenset({"accounts:verify", "accounts:logout", "accounts:login"})
# Pages open to someone who must set up two-factor before working in their place.
SETUP_OPEN = VERIFY_OPEN | frozenset(
    {
        "accounts:security",
        "accounts:two_factor_setup",
        "accounts:password_change",
        "tenancy:switch_place",
        "tenancy:invitation",
    }
)


def _place_requires_two_factor(request) -> bool:
    place = getattr(request, "place", None)
    return bool(place) and bool(place.require_two_factor)


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        view_name = match.view_name if match else ""
        is_api = request.path_info.startswith("/api/")
        if has_confirmed_device(user):
            if view_name in VERIFY_OPEN:
                return None
            if is_api:
                return JsonResponse({"detail": "Two-factor sign-in is not finished"}, status=401)
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:verify')}?{query}")
        if _place_requires_two_factor(request) and view_name not in SETUP_OPEN:
            if is_api:
                return JsonResponse({"detail": "Two-factor sign-in must be set up"}, status=403)
            return redirect("accounts:two_factor_setup")
        return None
