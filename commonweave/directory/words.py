"""A directory entry in the words a resident reads: opening times, languages, distances.

"WE,SA 09:00-11:00" becomes "Wednesdays and Saturdays, 9am to 11am"; "ur" becomes "Urdu".
"""

import datetime
from collections.abc import Iterable

from django.utils.text import get_text_list
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _

# RFC 5545 day codes, in the order of the week.
DAYS = {
    "MO": gettext_lazy("Mondays"),
    "TU": gettext_lazy("Tuesdays"),
    "WE": gettext_lazy("Wednesdays"),
    "TH": gettext_lazy("Thursdays"),
    "FR": gettext_lazy("Fridays"),
    "SA": gettext_lazy("Saturdays"),
    "SU": gettext_lazy("Sundays"),
}
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR"]

# Languages spoken in English places that Django's own list does not name (ISO 639).
MORE_LANGUAGES = {
    "am": gettext_lazy("Amharic"),
    "bfi": gettext_lazy("British Sign Language"),
    "gu": gettext_lazy("Gujarati"),
    "ku": gettext_lazy("Kurdish"),
    "ps": gettext_lazy("Pashto"),
    "so": gettext_lazy("Somali"),
    "ti": gettext_lazy("Tigrinya"),
    "yo": gettext_lazy("Yoruba"),
}


def time_in_words(moment: datetime.time) -> str:
    """9am, 9:30am, 12 noon, 5pm."""
    if moment.hour == 12 and moment.minute == 0:
        return _("12 noon")
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    if moment.minute:
        return f"{hour}:{moment.minute:02d}{suffix}"
    return f"{hour}{suffix}"


def days_in_words(byday: str) -> str:
    codes = [code for code in (part.strip().upper()[-2:] for part in byday.split(",")) if code]
    known = [code for code in DAYS if code in codes]
    if not known:
        return ""
    if len(known) == 7:
        return _("Every day")
    if known == WEEKDAYS:
        return _("Monday to Friday")
    return get_text_list([str(DAYS[code]) for code in known], _("and"))


def schedule_in_words(schedule) -> str:
    """A schedule as a sentence; its own description when it has one."""
    if schedule.description:
        return schedule.description
    parts = [days_in_words(schedule.byday or "")]
    if schedule.opens_at and schedule.closes_at:
        parts.append(
            _("%(opens)s to %(closes)s")
            % {
                "opens": time_in_words(schedule.opens_at),
                "closes": time_in_words(schedule.closes_at),
            }
        )
    elif schedule.opens_at:
        parts.append(_("from %(opens)s") % {"opens": time_in_words(schedule.opens_at)})
    return ", ".join(part for part in parts if part)


def language_name(code: str) -> str:
    """'ur' -> 'Urdu'; a code nobody knows stays as it was given."""
    code = (code or "").strip()
    if code.lower() in MORE_LANGUAGES:
        return str(MORE_LANGUAGES[code.lower()])
    try:
        return str(get_language_info(code.lower())["name_translated"])
    except KeyError:
        return code


def language_names(codes: Iterable[str]) -> str:
    return ", ".join(language_name(code) for code in codes if code)
