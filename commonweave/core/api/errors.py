"""How the API says no, in one shape per kind of no.

- Bad input is a 400 naming each field: {"errors": [{"field": ..., "message": ...}]},
  whether pydantic, a service's Django ValidationError or the endpoint found it.
- Not found and not allowed are the same 404 body, so existence never leaks.
- An edit that lost a race is a 409 carrying the record's current version.
- A body that is not sent as JSON (Content-Type: application/json) is a 415 and one over
  DATA_UPLOAD_MAX_MEMORY_SIZE a 413, both in the 400's shape naming "body".
- Whatever else answers under /api/ with an error (an unknown address, a method the
  address does not take, a server error) answers in JSON too: JsonErrorsMiddleware.
- No error body echoes what was sent: inputs may hold personal data.

`install(api)` registers the handlers on a NinjaAPI instance; an app whose services raise
an error of its own registers that handler itself (see commonweave/people/api/conflicts.py).
"""

from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Literal, Self

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

NOT_FOUND = {"detail": "Not found"}
GENERAL = NON_FIELD_ERRORS  # "__all__": an error about the request as a whole

# One entry of a 400's "errors": {"field": ..., "message": ...}.
FieldError = dict[str, str]


API_PREFIX = "/api/"
JSON_TYPES = ("application/json",)


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def is_json_type(content_type: str) -> bool:
    """application/json, or a JSON-based type such as application/merge-patch+json."""
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind in JSON_TYPES or (kind.startswith("application/") and kind.endswith("+json"))


class UnsupportedMediaType(Exception):
    """A request body sent as something other than JSON (see JsonOnlyParser in
    commonweave/api/urls.py)."""


def errors_response(errors: list[FieldError], status: int = 400) -> JsonResponse:
    """The 400 shape, {"errors": [{"field", "message"}]}, for answers made outside an
    endpoint (middleware) and for the 413 and 415 that share it."""
    return JsonResponse({"errors": errors}, status=status)


def _too_large_errors() -> list[FieldError]:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    message = _("The request is too large: send at most %(size)s MB") % {
        "size": f"{limit / 2**20:.3g}"
    }
    return [{"field": "body", "message": message}]


def too_large_response() -> JsonResponse:
    return errors_response(_too_large_errors(), status=413)


def unsupported_type_response() -> JsonResponse:
    message = _("Send the body as JSON, with the header Content-Type: application/json")
    return errors_response([{"field": "body", "message": message}], status=415)


def _json_error_body(status: int, reason: str) -> dict[str, Any]:
    if status == 404:
        return NOT_FOUND
    if status == 400:
        return {"errors": [{"field": GENERAL, "message": _("The request could not be read")}]}
    if status == 413:
        return {"errors": _too_large_errors()}
    if status == 405:
        return {"detail": _("This address does not take that method")}
    if status >= 500:
        return {"detail": _("Something went wrong on our side. Please try again later")}
    return {"detail": reason}


class JsonErrorsMiddleware:
    """Every error answer under /api/ is JSON, in the documented shapes, whoever made it:
    Django's 404 for an address no endpoint has, the 405 of an endpoint asked with another
    method, the 400 of a body Django could not read, and the 500 of an endpoint that
    failed (logged by Django as usual; its message is never sent). Listed near the top of
    MIDDLEWARE so that it sees the answers of every other middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.status_code < 400 or not is_api(request):
            return response
        if is_json_type(response.get("Content-Type", "")):
            return response
        converted = JsonResponse(
            _json_error_body(response.status_code, response.reason_phrase),
            status=response.status_code,
        )
        for header, value in response.headers.items():
            if not header.lower().startswith("content-"):
                converted[header] = value
        converted.cookies = response.cookies
        return converted


class InvalidInput(Exception):
    """Raised by an endpoint for input that passed the schema but not the rules."""

    def __init__(self, errors: Mapping[str, str] | Iterable[tuple[str, str]]) -> None:
        # errors: {field: message} or [(field, message), ...]
        items = errors.items() if isinstance(errors, Mapping) else errors
        self.errors = [{"field": field, "message": message} for field, message in items]
        super().__init__(self.errors)


def _join(items: Iterable[object]) -> str:
    return ", ".join(str(item) for item in items)


def _plain_message(error: Mapping[str, Any]) -> str:
    """A pydantic error in plain words, without echoing the input."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    messages = {
        "missing": "This field is required",
        "string_type": "Enter text",
        "string_too_short": "This cannot be blank",
        "string_too_long": f"Use {ctx.get('max_length')} characters or fewer",
        "int_type": "Enter a whole number",
        "int_parsing": "Enter a whole number",
        "int_from_float": "Enter a whole number",
        "bool_type": "Enter true or false",
        "bool_parsing": "Enter true or false",
        "greater_than_equal": f"Enter a number of at least {ctx.get('ge')}",
        "less_than_equal": f"Enter a number of at most {ctx.get('le')}",
        "date_type": "Enter a date like 1950-03-27",
        "date_parsing": "Enter a date like 1950-03-27",
        "date_from_datetime_parsing": "Enter a date like 1950-03-27",
        "date_from_datetime_inexact": "Enter a date like 1950-03-27",
        "datetime_type": "Enter a date and time like 2025-03-27T14:30:00Z",
        "datetime_parsing": "Enter a date and time like 2025-03-27T14:30:00Z",
        "datetime_from_date_parsing": "Enter a date and time like 2025-03-27T14:30:00Z",
        "enum": f"Choose one of: {ctx.get('expected', '')}".replace("'", ""),
        "literal_error": f"Choose one of: {ctx.get('expected', '')}".replace("'", ""),
        "extra_forbidden": "This field is not recognised",
        "model_type": "Send a JSON object",
        "model_attributes_type": "Send a JSON object",
        "dict_type": "Send a JSON object",
        "json_invalid": "The request body is not valid JSON",
    }
    if kind in messages:
        return messages[kind]
    if kind == "value_error":
        # Our own validators raise ValueError with the message meant for people.
        return str(ctx.get("error") or error.get("msg", "")).removeprefix("Value error, ")
    return str(error.get("msg", "This value is not valid"))


def _field_name(loc: tuple[Any, ...]) -> str:
    """('body', 'payload', 'full_name') -> 'full_name'; ('query', 'size') -> 'size'."""
    parts = [str(part) for part in loc[1:]]
    if loc and loc[0] == "body" and parts:
        parts = parts[1:]  # drop the endpoint's parameter name
    return ".".join(parts) if parts else ("body" if loc and loc[0] == "body" else GENERAL)


def pydantic_errors(errors: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    return [
        {"field": _field_name(tuple(error.get("loc", ()))), "message": _plain_message(error)}
        for error in errors
    ]


def django_errors(
    error: DjangoValidationError, rename: Mapping[str, str] | None = None
) -> list[FieldError]:
    rename = rename or {}
    if hasattr(error, "error_dict"):
        return [
            {"field": rename.get(field, field), "message": message}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"field": GENERAL, "message": message} for message in error.messages]


class ServiceErrors:
    """Context manager: a service's ValidationError becomes a 400 naming the API's field.

    with service_errors(stage="to_stage"):
        services.resident_move_stage(...)
    """

    def __init__(self, **rename: str) -> None:
        self.rename = rename

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> Literal[False]:
        if isinstance(exc, DjangoValidationError):
            raise InvalidInput(
                [(e["field"], e["message"]) for e in django_errors(exc, self.rename)]
            )
        return False


service_errors = ServiceErrors


def install(api: NinjaAPI) -> None:
    """Register the handlers on the NinjaAPI instance."""

    def bad_input(request: HttpRequest, errors: list[FieldError]) -> HttpResponse:
        return api.create_response(request, {"errors": errors}, status=400)

    def not_found(request: HttpRequest, exc: object) -> HttpResponse:
        return api.create_response(request, NOT_FOUND, status=404)

    @api.exception_handler(NinjaValidationError)
    def schema_failed(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors = list(exc.errors)
        if any(error.get("loc", ("",))[0] == "path" for error in errors):
            # A malformed id in the address is a record that does not exist.
            return not_found(request, exc)
        return bad_input(request, pydantic_errors(errors))

    @api.exception_handler(InvalidInput)
    def rules_failed(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
        return bad_input(request, exc.errors)

    @api.exception_handler(DjangoValidationError)
    def service_failed(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return bad_input(request, django_errors(exc))

    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(ObjectDoesNotExist, not_found)
    api.add_exception_handler(PermissionDenied, not_found)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = api.create_response(
            request,
            {"detail": "Send a valid API token (Authorization: Bearer cw_...) or sign in"},
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="commonweave"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, UnsupportedMediaType):  # raised by the body parser
            return unsupported_type_response()
        if exc.status_code == 400:  # e.g. a body that is not JSON
            return bad_input(request, [{"field": "body", "message": "Send a valid JSON body"}])
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return too_large_response()
