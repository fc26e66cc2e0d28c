"""Keeping what people type out of access logs.

A GET form puts its fields in the address: the public directory's "near me" search sends
?postcode=OL1+1AA, and its free text may name a person. Access logs keep addresses for
months, so ours keep each query's parameter names (what kind of request it was) and drop
their values: /directory/oldham/?postcode=*&page=* . Referer headers carry the previous
page's address, so they are treated the same.

Used by the `django.server` log (`manage.py runserver`, via settings.LOGGING) and by
gunicorn's access log (gunicorn.conf.py at the top of the repository names
`GunicornLogger`). The reverse proxy in front has its own log: see README.
"""

import logging
import re
from typing import Any

REDACTED = "*"
# A path or absolute URL followed by a query string, up to the next space or quote.
_URL_WITH_QUERY = re.compile(r"(?P<path>[^\s\"?]*)\?(?P<query>[^\s\"#]*)")


def redact_query(query: str) -> str:
    """'postcode=OL1+1AA&page=2' -> 'postcode=*&page=*' (names kept, values dropped)."""
    if not query:
        return query
    names = []
    for part in re.split(r"[&;]", query):
        if not part:
            continue
        name, equals, _value = part.partition("=")
        # A name is short and plain; anything else (a bare value such as "?OL11AA") goes.
        plain = equals and re.fullmatch(r"[\w.\-\[\]]{1,40}", name)
        names.append(f"{name}={REDACTED}" if plain else REDACTED)
    return "&".join(names)


def redact_urls(text: str) -> str:
    """Every URL-with-query inside `text` (a request line, a Referer) with its values dropped."""
    if "?" not in text:
        return text
    return _URL_WITH_QUERY.sub(lambda m: f"{m['path']}?{redact_query(m['query'])}", text)


class RedactQueryStrings(logging.Filter):
    """A logging filter: drops query-string values from the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_urls(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_urls(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        elif isinstance(record.args, dict):
            record.args = {
                key: redact_urls(value) if isinstance(value, str) else value
                for key, value in record.args.items()
            }
        return True


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # gunicorn is only needed where it serves the site
    _GunicornLogger = None

if _GunicornLogger is not None:

    class GunicornLogger(_GunicornLogger):  # type: ignore[misc]  # gunicorn ships no types
        """Gunicorn's logger with query-string values dropped from every access-log atom
        (%(r)s, %(q)s, %(f)s, {referer}i, {raw_uri}e, ...)."""

        def atoms(
            self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any
        ) -> dict[str, Any]:
            atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
            for name, value in atoms.items():
                if not isinstance(value, str):
                    continue
                if name in ("q", "{query_string}e"):
                    atoms[name] = redact_query(value)
                elif "?" in value:
                    atoms[name] = redact_urls(value)
            return atoms
