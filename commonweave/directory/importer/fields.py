"""Checks for one field of an incoming record: each returns the clean value or raises Invalid
with a reason that names the field, never its content.

Repairs are made where the intent is clear (see docs in each function): placeholders such
as "N/A" or "TBC" in an address, email or phone field mean "none"; a website without its
scheme gets https://; an email wrapped in <…>, "mailto:" or a trailing full stop is
unwrapped; a UK phone number is written in its national format (phonenumbers), for a feed
and a CSV alike. What still cannot be used raises Invalid, and the importer drops that field
with a warning (feed.py), never the whole service.
"""

import html
import re
import uuid
from datetime import date, time
from urllib.parse import urlparse

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from commonweave.core.text import html_to_text

from .report import Invalid

# Values people put in an address, email or phone column that mean "we have none".
PLACEHOLDERS = frozenset(
    {
        "-", "--", "---", ".", "?", "n/a", "n.a.", "n.a", "na", "nil", "none", "null",
        "tbc", "tba", "tbd", "unknown", "not known", "not applicable", "no", "0",
    }
)  # fmt: skip
_url_check = URLValidator(schemes=["http", "https"])
URL_MAX = 500
EMAIL_MAX = 254


def is_placeholder(value) -> bool:
    return str(value).strip().lower() in PLACEHOLDERS


def clean_text(value, limit=None) -> str:
    """Text as text: HTML becomes plain text (core.text.html_to_text), entities decoded.
    A short field (one with a limit: names, titles) is one line; a long one keeps its
    paragraphs and list items."""
    if value is None:
        return ""
    text = html_to_text(value)
    if limit:
        return " ".join(text.split())[:limit]
    return text


def clean_url(value, what="url") -> str:
    """An http(s) address. Repairs: surrounding spaces and quotes, a placeholder ("N/A") is
    none, "www.example.org" gains https://. Invalid for another scheme or a malformed one."""
    value = html.unescape(str(value or "")).strip().strip("\"'<>").strip()
    if not value or is_placeholder(value):
        return ""
    parts = urlparse(value)
    if not parts.scheme or (not parts.netloc and "." in parts.scheme):  # "example.org:8080"
        value = "https://" + value.lstrip("/")
        parts = urlparse(value)
    if parts.scheme.lower() not in ("http", "https"):
        raise Invalid(_("%(field)s is not an http or https address") % {"field": what}, what)
    if len(value) > URL_MAX:
        raise Invalid(_("%(field)s is longer than 500 characters") % {"field": what}, what)
    try:
        _url_check(value)
    except ValidationError:
        raise Invalid(_("%(field)s is not a valid web address") % {"field": what}, what) from None
    return value


def clean_email(value, what="email") -> str:
    """An email address. Repairs: spaces, a placeholder is none, "mailto:", <…>, quotes
    and trailing punctuation removed; of several addresses the first is kept. Invalid when
    what is left is not an address."""
    value = html.unescape(str(value or "")).strip()
    if not value or is_placeholder(value):
        return ""
    for separator in (";", ",", " / ", " or ", " and "):
        value = value.split(separator)[0]
    if "<" in value and ">" in value:  # "Info <info@example.org>"
        value = value[value.index("<") + 1 : value.rindex(">")]
    if len(value.split()) > 1:  # "info@example.org (office)"
        value = next((word for word in value.split() if "@" in word), value)
    value = value.strip().strip("\"'<>()[]").strip()
    if value.lower().startswith("mailto:"):
        value = value[len("mailto:") :].split("?")[0]
    value = value.strip().rstrip(".,;:").strip("\"'<>()[]")
    if is_placeholder(value):
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise Invalid(_("%(field)s is not a valid address") % {"field": what}, what) from None
    if len(value) > EMAIL_MAX:
        raise Invalid(_("%(field)s is longer than 254 characters") % {"field": what}, what)
    return value


# A cell that is one phone number and nothing else: digits, spaces, brackets, dashes, dots,
# a leading + and an extension ("ext 2", "x2"). Words around a number are kept as typed.
_PHONE_ONLY = re.compile(r"\+?[\d\s().\-]+(?:(?:ext\.?|extension|x)\s*\d{1,6})?", re.IGNORECASE)


def uk_phone(text) -> str | None:
    """A UK number in its national format ("0161 123 4567"), however it was typed
    ("01611234567", "+44 161 123 4567", "(0161) 123-4567"); None when the text is not one
    valid UK number. Short numbers (111, 116 123) are None too: they are kept as typed."""
    text = str(text or "").strip()
    if not _PHONE_ONLY.fullmatch(text):
        return None
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 44 or not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def is_short_phone(text) -> bool:
    """A UK short number such as 111 or 116 123, which is kept as typed without a warning."""
    try:
        number = phonenumbers.parse(str(text or ""), "GB")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_short_number_for_region(number, "GB")


def clean_phone(value, limit=40) -> str:
    """A phone number (one line), or none for a placeholder. A valid UK number is stored in
    its national format, so one number typed two ways is one value; anything else is kept
    as given (the CSV importer warns about it, see csv_import.py)."""
    text = clean_text(value, limit)
    if is_placeholder(text):
        return ""
    return uk_phone(text) or text


def clean_id(value, what="id") -> uuid.UUID:
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, TypeError, AttributeError):
        raise Invalid(_("%(field)s is missing or not a UUID") % {"field": what}, what) from None


def stable_id(*parts) -> uuid.UUID:
    """The same UUID for the same parts every time, for a record whose own id is not one:
    a re-import of the same feed then updates the same entry."""
    return uuid.uuid5(uuid.NAMESPACE_URL, "import:" + ":".join(str(p) for p in parts))


def clean_age(value, what):
    if value in (None, "") or is_placeholder(value):
        return None
    try:
        age = int(float(value))
    except (TypeError, ValueError):
        raise Invalid(_("%(field)s is not a number") % {"field": what}, what) from None
    if not 0 <= age <= 130:
        raise Invalid(_("%(field)s is out of range") % {"field": what}, what)
    return age


def clean_coord(value, low, high):
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def clean_time(value):
    if not value:
        return None
    try:
        return time.fromisoformat(str(value).strip()[:8])
    except ValueError:
        return None


def clean_date(value):
    """A date (YYYY-MM-DD, or the date part of a date-time), or None when there is none or
    it cannot be read."""
    if not value:
        return None
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def clean_number(value):
    """A number as a number (an int when it is whole), or None when it is not one."""
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return int(number) if number.is_integer() else number
