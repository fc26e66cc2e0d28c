"""The words of the automatic texts: the acknowledgement (in and out of opening hours),
STOP and START confirmations, and when the place is open. Pure functions of the set-up
and the time, so they test at exact boundaries."""

import datetime
import string

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from commonweave.people.enums import Urgency

from .models import MessagingSetup
from .segments import count_segments

PLACEHOLDERS = frozenset({"place", "hours", "opens"})

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "UNSTOP", "SUBSCRIBE"})


def default_acknowledgement() -> str:
    return _(
        "Thank you for your text to {place}. We will reply within {hours} hours. "
        "In an emergency call 999. For urgent medical help call 111."
    )


def default_out_of_hours() -> str:
    return _(
        "Thank you for your text to {place}. We are closed now and will reply from {opens}. "
        "In an emergency call 999. For urgent medical help call 111."
    )


def stop_confirmation(place_name: str) -> str:
    return _("You will get no more texts from %(place)s. Text START to undo this.") % {
        "place": place_name
    }


def start_confirmation(place_name: str) -> str:
    return _("You will get texts from %(place)s again. Text STOP to stop them.") % {
        "place": place_name
    }


def keyword(body: str) -> str:
    """ "STOP", "START" or "": only a text that is nothing but the word counts, so "please
    don't stop helping me" is a text, not an opt-out."""
    word = (body or "").strip().strip(".!").upper()
    if word in STOP_WORDS:
        return "STOP"
    if word in START_WORDS:
        return "START"
    return ""


def is_urgent(body: str, setup: MessagingSetup) -> bool:
    text = " ".join((body or "").lower().split())
    return any(word in text for word in setup.urgent_word_list())


def is_open(setup: MessagingSetup, at: datetime.datetime) -> bool:
    local = timezone.localtime(at)
    return (
        str(local.isoweekday()) in setup.open_days
        and setup.opens_at <= local.time() < setup.closes_at
    )


def next_opening(setup: MessagingSetup, at: datetime.datetime) -> datetime.datetime | None:
    """When the place next opens after `at` (None when it has no open days)."""
    local = timezone.localtime(at)
    for ahead in range(8):
        day = local.date() + datetime.timedelta(days=ahead)
        if str(day.isoweekday()) not in setup.open_days:
            continue
        opens = timezone.make_aware(datetime.datetime.combine(day, setup.opens_at))
        if opens > local:
            return opens
    return None


def opens_words(setup: MessagingSetup, at: datetime.datetime) -> str:
    opens = next_opening(setup, at)
    if opens is None:
        return _("our next working day")
    return date_format(timezone.localtime(opens), "g:i A l")  # "9:00 AM Monday"


def template_errors(template: str) -> list[str]:
    """What is wrong with an edited template's placeholders."""
    problems = []
    try:
        names = {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}
    except ValueError:
        return [_("Curly brackets must come in pairs around {place}, {hours} or {opens}.")]
    unknown = sorted(names - PLACEHOLDERS)
    if unknown:
        problems.append(
            _("Use only {place}, {hours} and {opens}, not %(names)s.")
            % {"names": ", ".join("{" + n + "}" for n in unknown)}
        )
    return problems


def fill(template: str, *, place_name: str, urgency: str, opens: str) -> str:
    hours = "3" if urgency == Urgency.URGENT else "24"
    return template.format(place=place_name, hours=hours, opens=opens)


def acknowledgement(
    setup: MessagingSetup, *, place_name: str, urgency: str, at: datetime.datetime
) -> str:
    """The automatic reply to a new text: the promise and where to get urgent help, in the
    out-of-hours version when the place is closed."""
    if is_open(setup, at):
        template = setup.acknowledgement or default_acknowledgement()
    else:
        template = setup.acknowledgement_out_of_hours or default_out_of_hours()
    return fill(template, place_name=place_name, urgency=urgency, opens=opens_words(setup, at))


def longest_filling(template: str, *, place_name: str) -> str:
    """The template as its longest text would read (for counting its segments)."""
    return template.format(place=place_name, hours="24", opens="12:00 PM Wednesday")


def segment_warning(text: str) -> str:
    """A sentence saying the text is longer than one SMS, or ""."""
    segments = count_segments(text)
    if segments.single:
        return ""
    limit = 160 if segments.encoding == "GSM-7" else 70
    return _(
        "This is %(units)s characters, so it is sent as %(count)s texts (one text holds "
        "%(limit)s). Shorten it to send one text."
    ) % {"units": segments.units, "count": segments.count, "limit": limit}
