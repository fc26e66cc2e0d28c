"""The client's address: X-Forwarded-For is believed only from our own proxies, and the
rate limits and sign-in lockouts count by it."""

import pytest
from django.core.cache import caches
from django.test import Client, RequestFactory
from django.urls import reverse

from commonweave.core import ratelimit
from commonweave.core.net import client_address, client_key, parse_address
from tests.conftest import PASSWORD
from tests.people.test_referral_views import public_data, send

LOGIN = reverse("accounts:login")


def request(peer, forwarded=None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8", "2001:db8:ffff::/48"]


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"
    assert client_address(request("127.0.0.1", "198.51.100.1")) == "127.0.0.1"


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(behind_proxy):
    assert client_address(request("203.0.113.9", "10.0.0.1")) == "203.0.113.9"
    assert client_address(request("203.0.113.9", "198.51.100.1, 127.0.0.1")) == "203.0.113.9"


def test_from_a_trusted_proxy_the_right_most_untrusted_address_is_the_client(behind_proxy):
    # The client wrote "6.6.6.6" itself; our proxy appended the address it really saw.
    assert client_address(request("127.0.0.1", "6.6.6.6, 203.0.113.9")) == "203.0.113.9"
    # Two of our proxies in a row: both are skipped.
    assert client_address(request("10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.1")) == "203.0.113.9"
    assert client_address(request("127.0.0.1", "198.51.100.7")) == "198.51.100.7"


def test_odd_but_honest_headers_and_missing_ones(behind_proxy):
    assert client_address(request("127.0.0.1")) == "127.0.0.1"  # the proxy's own request
    assert client_address(request("127.0.0.1", "")) == "127.0.0.1"
    assert client_address(request("127.0.0.1", "203.0.113.9:52100")) == "203.0.113.9"
    assert client_address(request("127.0.0.1", "[2001:DB8::1]:443")) == "2001:db8::1"
    assert client_address(request("127.0.0.1", "::ffff:203.0.113.9")) == "203.0.113.9"
    # Our proxy wrote something unreadable: the proxy is all we know, never the garbage.
    assert client_address(request("127.0.0.1", "203.0.113.9, unknown")) == "127.0.0.1"
    # Only the proxy's own IP version counts as contained in a network.
    assert client_address(request("2001:db8:ffff::5", "203.0.113.9")) == "203.0.113.9"


def test_addresses_are_canonical_and_ipv6_is_counted_by_its_slash_64(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(request("2001:0DB8:0000::0001")) == "2001:db8::1"
    assert client_key(request("2001:db8:0:1:aaaa::1")) == client_key(request("2001:db8:0:1::2"))
    assert client_key(request("2001:db8:0:1::1")) == "2001:db8:0:1::/64"
    assert client_key(request("203.0.113.9")) == "203.0.113.9"
    assert parse_address("not an address") is None


# --- the public form and the sign-in lockout use the same rule ---------------------------


@pytest.fixture
def limit_one(world, settings):
    settings.PUBLIC_REFERRAL_RATE_PER_HOUR = 1
    caches[ratelimit.CACHE_ALIAS].clear()
    yield
    caches[ratelimit.CACHE_ALIAS].clear()


def test_rotating_a_spoofed_header_does_not_escape_the_public_form_limit(limit_one, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    statuses = [
        send(
            Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}"),
            public_data(),
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 429, 429]


def test_behind_our_proxy_each_visitor_has_their_own_allowance(limit_one, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]

    def via_proxy(visitor):
        client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=visitor)
        return send(client, public_data()).status_code

    assert [via_proxy("203.0.113.9"), via_proxy("203.0.113.9")] == [302, 429]
    assert via_proxy("198.51.100.7") == 302  # not everyone behind the proxy is refused
    # A visitor cannot pose as someone else by adding an address in front of their own.
    assert via_proxy("198.51.100.8, 203.0.113.9") == 429


def test_sign_in_lockouts_follow_the_client_behind_our_proxy(world, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    email = "catalyst.a@example.org"

    def sign_in(visitor, password):
        client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=visitor)
        return client.post(LOGIN, {"username": email, "password": password}).status_code

    assert [sign_in("203.0.113.9", "wrong") for _ in range(5)][-1] == 429
    assert sign_in("203.0.113.9", PASSWORD) == 429
    # Locked is that visitor with that email, not everyone coming through the proxy.
    assert sign_in("198.51.100.7", PASSWORD) == 302


def test_a_spoofed_header_does_not_escape_a_sign_in_lockout(world, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    email = "catalyst.a@example.org"
    for n in range(5):
        Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").post(
            LOGIN, {"username": email, "password": "wrong"}
        )
    spoofed = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert spoofed.post(LOGIN, {"username": email, "password": PASSWORD}).status_code == 429
