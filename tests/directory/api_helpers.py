"""Helpers for the directory's API tests: a JSON client holding a fresh token of an
organisation acting with one role, and the audit events written since a point."""

from commonweave.audit.models import AuditEvent
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from tests.api.conftest import ApiClient, token_client

NOT_FOUND = {"detail": "Not found"}


def api(organisation, role=Role.PARTNER_WORKER) -> ApiClient:
    _, raw = issue_api_token(organisation=organisation, name="Test system", role=role)
    return token_client(raw)


def anonymous() -> ApiClient:
    from django.test import Client

    return ApiClient(Client())


def audit_mark() -> int:
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last or 0


def audited_since(mark) -> list:
    """(action, object_type, resident) of each event written after `mark`, in order."""
    return list(
        AuditEvent.objects.filter(pk__gt=mark)
        .order_by("pk")
        .values_list("action", "object_type", "resident_id")
    )


def fields_named(response) -> list:
    return [error["field"] for error in response.json()["errors"]]


def queries_for(call) -> int:
    """How many database queries `call()` makes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code == 200, response.content
    return len(captured)
