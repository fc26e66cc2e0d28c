"""API test helpers: tokens for the personas' organisations, and a JSON client."""

import json

import pytest
from django.test import Client

from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from tests.conftest import client_for


class ApiClient:
    """A test client that speaks JSON, with a bearer token or a signed-in session."""

    def __init__(self, client):
        self.client = client

    def _send(self, method, url, body=None, **params):
        kwargs = {}
        if body is not None:
            kwargs = {"data": json.dumps(body), "content_type": "application/json"}
        elif params:
            kwargs = {"data": params}
        return getattr(self.client, method)(url, **kwargs)

    def get(self, url, **params):
        return self._send("get", url, **params)

    def post(self, url, body=None):
        return self._send("post", url, {} if body is None else body)

    def patch(self, url, body=None):
        return self._send("patch", url, {} if body is None else body)


def token_client(raw):
    return ApiClient(Client(headers={"Authorization": f"Bearer {raw}"}))


def session_client(user, **kwargs):
    return ApiClient(client_for(user) if not kwargs else _session(user, **kwargs))


def _session(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def issue_token():
    def issue(organisation, role=Role.PARTNER_WORKER, name="Partner system"):
        _, raw = issue_api_token(organisation=organisation, name=name, role=role)
        return raw

    return issue


@pytest.fixture
def api_as(issue_token):
    """api_as(org, role) -> an ApiClient holding a fresh token for that organisation."""

    def make(organisation, role=Role.PARTNER_WORKER):
        return token_client(issue_token(organisation, role))

    return make
