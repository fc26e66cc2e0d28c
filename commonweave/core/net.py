"""Who is really asking: the client's address, believed from our own proxies only.

Behind a reverse proxy every request comes from the proxy's address, so counting by
REMOTE_ADDR alone would put every visitor in one bucket. X-Forwarded-For fixes that, but
anyone can send the header, so it is read only when the request came from a proxy we run
(settings.TRUSTED_PROXIES, IP addresses or networks), and then from the right: each of
our proxies appends the address it saw, so the right-most address that is not one of
ours is the client as our outermost proxy saw it. Anything further left was written by
the client and is ignored.

The rate limiter and django-axes (AXES_CLIENT_IP_CALLABLE) both use `client_address`.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# A whole IPv6 /64 usually belongs to one subscriber, who can pick any address in it.
IPV6_BUCKET_PREFIX = 64


@lru_cache(maxsize=16)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def trusted_networks() -> tuple[Network, ...]:
    """The configured trusted proxies (settings are read each time, so tests can change them)."""
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def parse_address(value: str | None) -> Address | None:
    """An IP address from a socket or header value ("203.0.113.9", "203.0.113.9:443",
    "[2001:db8::1]:443", an IPv4-mapped IPv6 address), or None if it is not one."""
    if not value:
        return None
    value = value.strip().strip('"')
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:  # IPv4 with a port; IPv6 has at least two colons
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: Address | None, networks: tuple[Network, ...]) -> bool:
    # Compare within one IP version only: mixing them is not containment.
    return address is not None and any(
        address.version == network.version and address in network for network in networks
    )


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent this request (see the module's docstring).

    REMOTE_ADDR unless the immediate peer is a trusted proxy; then the right-most
    address in X-Forwarded-For that is not a trusted proxy. Addresses are returned in
    their canonical form, so one client always gets the same string.
    """
    raw_peer = request.META.get("REMOTE_ADDR", "") or ""
    peer = parse_address(raw_peer)
    networks = trusted_networks()
    if not _is_trusted(peer, networks):
        return str(peer) if peer is not None else raw_peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed(forwarded.split(",")):
        address = parse_address(hop)
        if address is None:
            # Our own proxy wrote something we cannot read: the proxy is all we know.
            break
        if not _is_trusted(address, networks):
            return str(address)
    return str(peer)


def client_key(request: HttpRequest) -> str:
    """What to count a client's requests by: its address, or its /64 for IPv6 (one
    subscriber can rotate through a whole /64, so counting single addresses would let
    them past any limit)."""
    address = parse_address(client_address(request))
    if isinstance(address, ipaddress.IPv6Address):
        network = ipaddress.IPv6Network((address, IPV6_BUCKET_PREFIX), strict=False)
        return str(network)
    return str(address) if address is not None else ""
