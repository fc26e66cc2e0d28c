"""Reading a feed's bytes: from a file, an upload or an http(s) URL, with a size limit."""

import codecs
import ipaddress
import json
import socket
from urllib.parse import urlparse

from django.utils.translation import gettext as _

from commonweave.core.text import without_refused, without_refused_json

from .report import Invalid

MAX_FEED_BYTES = 200 * 1024 * 1024  # an import has a size limit, like every upload
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
        return without_refused_json(json.loads(raw.decode("utf-8-sig")))
    except (UnicodeDecodeError, ValueError):
        raise Invalid("the file is not JSON") from None


def decode_text(raw: bytes) -> str:
    """A CSV file's text (Invalid if it is not UTF-8)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("the file is not UTF-8 text") from None
    return without_refused(text)


CP1252 = "Windows-1252"


def _makes_sense(text: str, *, strict: bool) -> bool:
    """Text, not another kind of file: few NULs (UTF-16 has one every other byte) and,
    when `strict`, no control characters but tabs and line ends."""
    if text.count("\x00") * 10 > len(text):
        return False
    return not strict or not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text)


def decode_csv(raw: bytes) -> tuple[str, str]:
    """A CSV file's text and, when it was not UTF-8, the encoding it was read as ("" for
    UTF-8, with or without a byte-order mark, tried strictly first). On failure the bytes
    are read as Windows-1252, Excel's usual save. Invalid when neither gives text."""
    refused = _(
        "the file is neither UTF-8 nor Windows-1252 text: save it as CSV (UTF-8) and upload that"
    )
    try:
        text, encoding = raw.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        try:
            text, encoding = raw.decode("cp1252"), CP1252
        except UnicodeDecodeError:
            raise Invalid(refused) from None
    if not _makes_sense(text, strict=bool(encoding)):
        raise Invalid(refused)
    return without_refused(text), encoding


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


def encoding_label(raw: bytes, encoding: str) -> str:
    """The encoding decode_csv read `raw` as, in words: "UTF-8", "UTF-8 with a byte-order
    mark" or "Windows-1252"."""
    if encoding:
        return encoding
    return _("UTF-8 with a byte-order mark") if raw.startswith(codecs.BOM_UTF8) else "UTF-8"


def load_csv(path: str) -> tuple[str, str]:
    """A CSV file's text and the encoding it was read as, in words (encoding_label): read
    as the import page reads an upload (decode_csv), so Excel's saves work here too.
    Invalid if too big or not text."""
    with open(path, "rb") as fh:
        raw = read_limited(fh)
    text, encoding = decode_csv(raw)
    return text, encoding_label(raw, encoding)


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
