"""Phone numbers as texts carry them: normalised to E.164 with the phonenumbers library
(UK numbers by default), masked for lists, and keyed as people's records key them."""

import phonenumbers

from commonweave.people.models import phone_key

DEFAULT_REGION = "GB"
MASK = "\u2022"


def normalise(raw: str) -> str:
    """ "+447700900123" for "07700 900123", "447700900123" or "+44 7700 900123"; a number
    phonenumbers cannot read is kept as its digits (with a leading +), never dropped."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    candidate = raw
    if raw[0].isdigit() and not raw.startswith("0") and len(raw) > 10:
        candidate = "+" + raw  # providers send international numbers without the "+"
    try:
        number = phonenumbers.parse(candidate, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = "".join(ch for ch in raw if ch.isdigit())
    return ("+" + digits) if raw.startswith("+") else digits


def national(e164: str) -> str:
    """The number as a person writes it down ("07700 900123"), for a resident's record."""
    try:
        number = phonenumbers.parse(e164, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 44:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def key(e164: str) -> str:
    """The key people's records find a phone number by (Resident.phone_key)."""
    return phone_key(e164)


def masked(number: str) -> str:
    """Enough to recognise a number, not to ring it: "07••• ••• 123"."""
    digits = "".join(ch for ch in national(number) if ch.isdigit())
    if len(digits) < 6:
        return MASK * 3
    return f"{digits[:2]}{MASK * 3} {MASK * 3} {digits[-3:]}"
