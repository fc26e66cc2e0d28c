"""Checks for one field of an incoming record: each returns the clean value or raises Invalid
with a reason that names the field, never its content."""

import uuid
from datetime import time
from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.html import strip_tags

from .report import Invalid


def clean_text(value, limit=None) -> str:
    """Text as text: HTML tags are removed (descriptions are shown as plain text anyway)."""
    if value is None:
        return ""
    text = strip_tags(str(value)).strip()
    return text[:limit] if limit else text


def clean_url(value, what="url") -> str:
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlparse(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid(f"{what} must be an http or https address")
    return value[:500]


def clean_email(value) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise Invalid("email is not a valid address") from None
    return value


def clean_id(value, what="id") -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise Invalid(f"{what} is missing or not a UUID") from None


def clean_age(value, what):
    if value in (None, ""):
        return None
    try:
        age = int(float(value))
    except (TypeError, ValueError):
        raise Invalid(f"{what} is not a number") from None
    if not 0 <= age <= 130:
        raise Invalid(f"{what} is out of range")
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
        return time.fromisoformat(str(value)[:8])
    except ValueError:
        return None
