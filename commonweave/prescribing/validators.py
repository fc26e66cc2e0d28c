import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def nhs_number_digits(value: str) -> str:
    """The ten digits of an NHS number as people write it ("943 476 5919")."""
    return re.sub(r"[\s-]", "", value or "")


def nhs_number_is_valid(value: str) -> bool:
    """The NHS number's modulus 11 check digit (NHS Data Dictionary, "NHS Number")."""
    digits = nhs_number_digits(value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def validate_nhs_number(value: str):
    if value and not nhs_number_is_valid(value):
        raise ValidationError(
            _("Enter a 10-digit NHS number, like 943 476 5919. Check each digit."),
            code="nhs_number",
        )


def validate_ods_code(value: str):
    # GP practice codes are a letter and five characters (ODS), e.g. P83001.
    if not re.fullmatch(r"[A-Z]\d{5}", (value or "").strip().upper()):
        raise ValidationError(
            _("Enter the practice's ODS code: a letter then 5 numbers, like P83001."),
            code="ods_code",
        )
