"""Reading a feed's bytes: from a file, an upload or an http(s) URL, with a size limit."""

import ipaddress
import json
import socket
from urllib.parse import urlparse

from .report import Invalid

MAX_FEED_BYTES = 200 * 1024 * 1024  # SAFETY 11: imports have a size limit
FETCH_TIMEOUT_S = 30


def read_limited(fh, limit=None) -> bytes:
    limit = limit or MAX_FEED_BYTES
    data = fh.read(limit + 1)
    if len(data) > limit:
        raise Invalid(f"the file is larger than {limit // (1024 * 1024)} MB")
    return data


def parse_json(raw: bytes):
    """A feed's JSON (Invalid if it is not UTF-8 JSON)."""
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise Invalid("the file is not JSON") from None


def decode_text(raw: bytes) -> str:
    """A CSV file's text (Invalid if it is not UTF-8)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("the file is not UTF-8 text") from None


def load_json(source: str):
    """Parse a feed from a file path or an http(s) URL (Invalid if too big or not JSON)."""
    if source.startswith(("http://", "https://")):
        from urllib.request import urlopen

        with urlopen(source, timeout=FETCH_TIMEOUT_S) as response:  # noqa: S310 (scheme checked)
            raw = read_limited(response)
    else:
        with open(source, "rb") as fh:
            raw = read_limited(fh)
    return parse_json(raw)


def load_text(path: str) -> str:
    """A CSV file's text (Invalid if too big or not UTF-8)."""
    with open(path, "rb") as fh:
        raw = read_limited(fh)
    return decode_text(raw)


def _public_host(host: str) -> bool:
    """True when every address the host resolves to is on the public internet."""
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError, ValueError):
        raise Invalid("the address's server could not be found") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            return False
    return True


def fetch_url(url: str, *, limit=None, allow_private=False) -> bytes:
    """The bytes at an http(s) URL, for an import started from the web.

    A URL typed into a page must not reach the server's own network (SSRF): hosts that
    resolve to private, loopback or link-local addresses are refused unless `allow_private`.
    Redirects are not followed, for the same reason. Errors say what went wrong in words,
    never with the server's reply.
    """
    from urllib.error import HTTPError, URLError
    from urllib.request import HTTPRedirectHandler, build_opener

    parts = urlparse(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("the address must start with http:// or https://")
    if not allow_private and not _public_host(parts.hostname):
        raise Invalid("the address is on a private network")

    class NoRedirect(HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=FETCH_TIMEOUT_S) as response:
            return read_limited(response, limit)
    except HTTPError as exc:
        raise Invalid(f"the server answered with status {exc.code}") from None
    except (URLError, OSError):
        raise Invalid("the address could not be reached") from None
