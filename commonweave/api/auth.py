"""Who is calling the API: an organisation's token, or a signed-in person's session.

Both end as a Viewer in `request.auth`, so every endpoint applies the same selectors and
services as the pages. A token that is sent but unknown or revoked is a 401 at once: it
never falls back to the session. Session calls that change anything must carry the CSRF
token, as a form post would.
"""

from django.conf import settings
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from commonweave.tenancy.tokens import authenticate_api_token
from commonweave.tenancy.viewer import Viewer, viewer_for_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer cw_...`: a per-organisation token acting with one role."""

    def __call__(self, request):
        header = request.headers.get("Authorization")
        if not header:
            return None  # not a token call: try the session
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer":
            raise AuthenticationError
        return self.authenticate(request, raw.strip())

    def authenticate(self, request, token):
        api_token = authenticate_api_token(token)
        if api_token is None:
            raise AuthenticationError
        return viewer_for_token(api_token)


class SessionAuth(APIKeyCookie):
    """The signed-in person's session (request.viewer), with CSRF on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        viewer = getattr(request, "viewer", None)
        if not viewer:
            return None  # signed in, but no role in any place
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header")
        return getattr(viewer, "_wrapped", viewer)  # the Viewer behind the lazy object

    def authenticate(self, request, key):  # pragma: no cover - __call__ does the work
        return None


AUTH = [TokenAuth(), SessionAuth()]


def viewer_of(request) -> Viewer:
    return request.auth
