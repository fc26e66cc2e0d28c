"""How the API says no, in one shape per kind of no.

- Bad input is a 400 naming each field: {"errors": [{"field": ..., "message": ...}]},
  whether pydantic, a service's Django ValidationError or the endpoint found it.
- Not found and not allowed are the same 404 body, so existence never leaks.
- An edit that lost a race is a 409 carrying the record's current version.
- No error body echoes what was sent: inputs may hold personal data (SAFETY 16).
"""

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.people.services import PROFILE_FIELDS, EditConflict

NOT_FOUND = {"detail": "Not found"}
GENERAL = NON_FIELD_ERRORS  # "__all__": an error about the request as a whole
CONFLICT_MESSAGE = (
    "Someone else changed this record after you loaded it. Nothing was saved: "
    "look at the current record and make your change again."
)


class InvalidInput(Exception):
    """Raised by an endpoint for input that passed the schema but not the rules."""

    def __init__(self, errors):
        # errors: {field: message} or [(field, message), ...]
        items = errors.items() if isinstance(errors, dict) else errors
        self.errors = [{"field": field, "message": message} for field, message in items]
        super().__init__(self.errors)


def _join(items):
    return ", ".join(str(item) for item in items)


def _plain_message(error) -> str:
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
    return error.get("msg", "This value is not valid")


def _field_name(loc) -> str:
    """('body', 'payload', 'full_name') -> 'full_name'; ('query', 'size') -> 'size'."""
    parts = [str(part) for part in loc[1:]]
    if loc and loc[0] == "body" and parts:
        parts = parts[1:]  # drop the endpoint's parameter name
    return ".".join(parts) if parts else ("body" if loc and loc[0] == "body" else GENERAL)


def pydantic_errors(errors) -> list:
    return [
        {"field": _field_name(tuple(error.get("loc", ()))), "message": _plain_message(error)}
        for error in errors
    ]


def django_errors(error: DjangoValidationError, rename=None) -> list:
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

    def __init__(self, **rename):
        self.rename = rename

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and issubclass(exc_type, DjangoValidationError):
            raise InvalidInput(
                [(e["field"], e["message"]) for e in django_errors(exc, self.rename)]
            )
        return False


service_errors = ServiceErrors


def conflict_body(request, current) -> dict:
    """The record as it is now, so the client can redo its change on top of it. Reading it
    is a read of a personal record: one audited VIEW (services only raise EditConflict
    after checking the viewer holds the record in full)."""
    viewer = getattr(request, "auth", None)
    if viewer is not None:
        audit_record(
            viewer=viewer,
            action=Action.VIEW,
            purpose=Purpose.CASEWORK,
            obj=current,
            resident=current,
            detail={"conflict": True},
        )
    record = {name: getattr(current, name) for name in PROFILE_FIELDS}
    record.update(public_id=current.public_id, stage=current.stage, version=current.version)
    return {"detail": CONFLICT_MESSAGE, "version": current.version, "current": record}


def install(api):
    """Register the handlers on the NinjaAPI instance."""

    def bad_input(request, errors):
        return api.create_response(request, {"errors": errors}, status=400)

    def not_found(request, exc):
        return api.create_response(request, NOT_FOUND, status=404)

    @api.exception_handler(NinjaValidationError)
    def schema_failed(request, exc):
        errors = list(exc.errors)
        if any(error.get("loc", ("",))[0] == "path" for error in errors):
            # A malformed id in the address is a record that does not exist.
            return not_found(request, exc)
        return bad_input(request, pydantic_errors(errors))

    @api.exception_handler(InvalidInput)
    def rules_failed(request, exc):
        return bad_input(request, exc.errors)

    @api.exception_handler(DjangoValidationError)
    def service_failed(request, exc):
        return bad_input(request, django_errors(exc))

    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(ObjectDoesNotExist, not_found)
    api.add_exception_handler(PermissionDenied, not_found)

    @api.exception_handler(EditConflict)
    def edit_conflict(request, exc):
        return api.create_response(request, conflict_body(request, exc.current), status=409)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        response = api.create_response(
            request,
            {"detail": "Send a valid API token (Authorization: Bearer cw_...) or sign in"},
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="commonweave"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        if exc.status_code == 400:  # e.g. a body that is not JSON
            return bad_input(request, [{"field": "body", "message": "Send a valid JSON body"}])
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
