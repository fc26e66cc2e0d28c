"""Every operation of the published OpenAPI schema, fuzzed from the schema itself
(schemathesis) with a caseworker's token in a small demo place: no server error, and every
answer matches the schema documented for its status and its content type.

Valid and invalid requests are both generated. Path parameters are either generated or,
half of the time, an id the caseworker can really see (read from the list endpoints), so
the fuzzing reaches records and not only 404s. Deterministic (derandomized, no example
database) and bounded: a fixed number of examples per operation, no shrinking.
"""

import io
import itertools
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.db.models import Count
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from commonweave.tenancy.enums import Role
from commonweave.tenancy.models import Membership, Place
from commonweave.tenancy.tokens import issue_api_token

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Examples per operation and mode: 105 operations x (6 + 4) requests stays well under a
# minute and a half on SQLite on a shared two-core machine.
EXAMPLES = {GenerationMode.POSITIVE: 6, GenerationMode.NEGATIVE: 4}
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
IDS_PER_LIST = 3


@contextmanager
def kept_connection():
    """Run the real WSGI application, as a server does, inside the test's transaction: like
    Django's test client, keep each request from closing the database connection (the test
    client puts the closing back after each of its own requests, so this is per call)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def caseworker_token(db):
    """A catalyst's token at the demo organisation that holds the most residents."""
    call_command("demo", "--residents", "10", "--seed", "6", stdout=io.StringIO(),
                 stderr=io.StringIO())  # fmt: skip
    place = Place.objects.get()
    membership = (
        Membership.objects.filter(organisation__place=place, role=Role.CATALYST)
        .annotate(held=Count("organisation__residents", distinct=True))
        .order_by("-held", "pk")
        .first()
    )
    _, raw = issue_api_token(organisation=membership.organisation, name="fuzz", role=Role.CATALYST)
    return raw


def _ids(body, param):
    items = body.get("items") if isinstance(body, dict) else body
    found = []
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict):
            value = item.get(param) or item.get("public_id") or item.get("id")
            if value is not None:
                found.append(str(value))
    return found[:IDS_PER_LIST]


def known_path_parameters(paths, client):
    """{path template: [path parameters naming real records]} for the templates whose first
    parameter is an item of a list endpoint (/api/residents -> /api/residents/{public_id}),
    and a second "<thing>_id" found in that item's "<thing>s" (a board's cards)."""
    listed = {}
    for path, operations in paths.items():
        if "{" not in path and "get" in operations:
            response = client.get(path)
            if response.status_code == 200 and "json" in response["Content-Type"]:
                listed[path] = response.json()
    by_tail = {path.rsplit("/", 1)[-1]: body for path, body in listed.items()}
    known = {}
    for template in paths:
        if "{" not in template:
            continue
        head, _, rest = template.partition("/{")
        param, _, tail = rest.partition("}")
        body = listed.get(head, by_tail.get(head.rsplit("/", 1)[-1]))
        firsts = _ids(body, param) if body is not None else []
        combos = []
        for first in firsts:
            if "{" not in tail:
                combos.append({param: first})
                continue
            second = tail.partition("{")[2].partition("}")[0]
            detail = client.get(f"{head}/{first}")
            ok = detail.status_code == 200 and "json" in detail["Content-Type"]
            items = detail.json().get(second.removesuffix("_id") + "s") if ok else None
            for value in _ids(items or [], second):
                combos.append({param: first, second: value})
        if combos:
            known[template] = combos
    return known


def test_every_operation_answers_as_documented_to_generated_requests(caseworker_token):
    headers = {"Authorization": f"Bearer {caseworker_token}"}
    with kept_connection():
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    known = known_path_parameters(schema.raw_schema["paths"], Client(headers=headers))
    assert len(known) >= 10  # the fuzzing reaches real records

    operations = [result.ok() for result in schema.get_all_operations()]
    problems = []
    for operation, mode in itertools.product(operations, EXAMPLES):
        strategy = operation.as_strategy(generation_mode=mode)
        real = known.get(operation.path)
        if real:
            with_real = st.sampled_from(real).flatmap(
                lambda params, op=operation, m=mode: op.as_strategy(
                    generation_mode=m, path_parameters=params
                )
            )
            strategy = st.one_of(with_real, strategy)

        @settings(
            max_examples=EXAMPLES[mode],
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: bounded time
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def check(case):
            savepoint = transaction.savepoint_create()
            with kept_connection():
                response = case.call(headers=headers)
            if response.status_code >= 500:
                # On PostgreSQL a failed query spoils the transaction: keep the next
                # examples (and the other operations) running in a clean one.
                transaction.savepoint_rollback(savepoint)
            else:
                transaction.savepoint_commit(savepoint)
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except Unsatisfiable:
            # Nothing invalid can be sent: a public operation (no token to leave out) whose
            # only input is a free-text path parameter. Its positive run still counts.
            if mode != GenerationMode.NEGATIVE:
                problems.append(f"{operation.label} ({mode.value}): no request could be made")
        except (Exception, FailureGroup) as failure:  # reported below, one per operation
            problems.append(f"{operation.label} ({mode.value}):\n{str(failure)[:3000]}")
    assert not problems, f"{len(problems)} operations failed:\n\n" + "\n\n".join(problems)
