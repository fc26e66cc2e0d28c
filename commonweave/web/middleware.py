import json

from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.utils.translation import gettext_lazy as _

from commonweave.core import text
from commonweave.core.api import errors

from .views import bad_request, page_not_found

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
REFUSED_MESSAGE = _(
    "This holds a character that cannot be stored (NUL or an unpaired surrogate): remove it"
)


class PrivatePagesMiddleware:
    """Pages for signed-in staff may hold personal data: never store them in any cache
    (no personal data in logs or URLs). Public pages and static files are unaffected."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated or request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store, private"
        return response


class PublicPagesGZipMiddleware(GZipMiddleware):
    """Compresses HTML only where compression cannot leak a secret (BREACH): a GET by
    someone not signed in whose answer may be cached publicly. Pages for signed-in staff
    (personal data), the API, form posts (they show back what was typed) and anything
    marked no-store or private (check-in links, the referral form) go uncompressed.
    Static files are compressed at collectstatic and served by WhiteNoise, above this.
    See docs/architecture.md, "Compression"."""

    def process_response(self, request, response):
        if not _may_compress(request, response):
            return response
        return super().process_response(request, response)


def _may_compress(request, response) -> bool:
    if request.method not in ("GET", "HEAD") or request.path.startswith("/api/"):
        return False
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    cache_control = response.get("Cache-Control", "")
    directives = {part.split("=")[0].strip().lower() for part in cache_control.split(",")}
    return not directives & {"no-store", "private"}


class RefusedCookiesMiddleware:
    """Drops a cookie holding text no database column can hold (see
    commonweave/core/text.py), as if it had not been sent: a quoted cookie can spell NUL
    as \\000, and the session cookie's value is looked up in the database. Listed before
    the session middleware, which reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name in [n for n, v in request.COOKIES.items() if text.has_refused(n + v)]:
            del request.COOKIES[name]
        return self.get_response(request)


class TextInputMiddleware:
    """Refuses, before any view sees it, text that no database column can hold: NUL and
    unpaired surrogates (see commonweave/core/text.py), wherever it comes in.

    - The API (JSON bodies at any depth, forms, query strings): a 400 in the API's shape
      naming the field by its path, e.g. "items.0.name".
    - A page's query string: the 400 page. Nobody types these characters into a search.
    - A page's form post: the characters are dropped and the post goes on. A person never
      types them either; one pasted in by accident should not cost them a long note they
      typed, and a bare 400 page (middleware cannot show the form again) would.
    - A header: 400 (HTTP forbids NUL there). An address: 404, as one no page has.

    Listed after the security headers' middleware (its answers carry them) and before any
    middleware that reads the database; CSRF's check of a form runs after it (in
    process_view), on the cleaned form. Cookies: RefusedCookiesMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self.refusal(request)
        return self.get_response(request) if refusal is None else refusal

    def refusal(self, request):
        api = errors.is_api(request)
        if text.has_refused(request.path_info):
            return JsonResponse(errors.NOT_FOUND, status=404) if api else page_not_found(request)
        for key, value in request.META.items():
            if key.startswith("HTTP_") and key != "HTTP_COOKIE" and text.has_refused(str(value)):
                return self._bad(request, api, key.removeprefix("HTTP_").replace("_", "-").title())
        field = text.refused_in_querydict(request.GET)
        if field is not None:
            return self._bad(request, api, field or errors.GENERAL)
        if errors.is_json_type(request.content_type):
            try:
                body = request.body
            except RequestDataTooBig:
                if api:
                    return errors.too_large_response()
                raise
            try:
                data = json.loads(body)
            except (ValueError, RecursionError):
                return None  # not JSON: the view says so
            field = text.refused_in_json(data)
            if field is not None:
                return self._bad(request, True, field or "body")
        elif request.method == "POST" and request.content_type in FORM_TYPES:
            try:
                form = request.POST
            except RequestDataTooBig:
                if api:
                    return errors.too_large_response()
                raise
            field = text.refused_in_querydict(form)
            if field is not None:
                if api:
                    return self._bad(request, api, field or errors.GENERAL)
                request.POST = text.querydict_without_refused(form)
        return None

    def _bad(self, request, as_json, field):
        if as_json:
            return errors.errors_response([{"field": field, "message": str(REFUSED_MESSAGE)}])
        return bad_request(request)
