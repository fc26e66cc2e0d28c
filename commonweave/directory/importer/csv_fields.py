"""Cells of a council spreadsheet read into ORUK values: a status or an "active" flag, a
cost that means free, opening hours in words, and languages by name or code.

Each returns None (or leaves a value out) when the cell cannot be read simply; the CSV
importer then keeps what it can (opening hours as words only) or warns about the field.
"""

import re

from django.conf.locale import LANG_INFO

from ..enums import ServiceStatus
from ..oruk import LANGUAGE_NAMES


def _key(text: str) -> str:
    """Lower case, punctuation and spaces dropped: "E-mail" and "e mail" are "email"."""
    return re.sub(r"[^0-9a-z]", "", str(text).casefold())


# What a status (or an "Active" yes/no column) says, by _key, -> our status.
STATUS_WORDS = {
    **dict.fromkeys(
        ["active", "yes", "y", "true", "1", "open", "live", "current", "running", "published"],
        ServiceStatus.ACTIVE,
    ),
    **dict.fromkeys(
        [
            "inactive", "no", "n", "false", "0", "closed", "notactive", "notrunning",
            "ended", "finished", "stopped", "archived", "unpublished", "hidden",
        ],
        ServiceStatus.INACTIVE,
    ),
    **dict.fromkeys(
        ["defunct", "ceased", "permanentlyclosed", "closedpermanently", "nolongerrunning"],
        ServiceStatus.DEFUNCT,
    ),
    **dict.fromkeys(
        [
            "temporarilyclosed", "closedtemporarily", "tempclosed", "temporarilysuspended",
            "suspended", "paused", "onhold",
        ],
        ServiceStatus.TEMPORARILY_CLOSED,
    ),
}  # fmt: skip

# A cost that means there is none.
FREE_WORDS = frozenset(
    {"free", "freeofcharge", "nocharge", "nocost", "0", "000", "£0", "£000", "nil", "none"}
)


def read_status(value: str) -> str | None:
    """Our status for the cell, or None when it says none we know."""
    return STATUS_WORDS.get(_key(value))


def is_free(value: str) -> bool:
    """Whether a cost cell says the service is free ("Free", "£0", "No charge", ...)."""
    text = str(value).casefold().replace("£", "").strip()
    return _key(text) in FREE_WORDS or re.fullmatch(r"0+(\.0+)?", text) is not None


def _language_codes() -> dict:
    codes = {}
    for code, info in LANG_INFO.items():
        if "name" in info and "-" not in code:
            codes[_key(info["name"])] = code
            codes[_key(info.get("name_local", ""))] = code
            codes[_key(code)] = code
    for code, name in LANGUAGE_NAMES.items():
        codes[_key(name)] = code
        codes[_key(code)] = code
    codes["bsl"] = "bsl"
    codes.pop("", None)
    return codes


LANGUAGE_CODES = _language_codes()


def read_languages(value: str) -> tuple[list[str], list[str]]:
    """([codes], [names not known]) for a cell of names or codes split by , ; / or "and"."""
    codes, unknown = [], []
    for part in re.split(r"[,;/]|\band\b|&", str(value)):
        if not part.strip():
            continue
        code = LANGUAGE_CODES.get(_key(part))
        if code is None:
            unknown.append(part.strip())
        elif code not in codes:
            codes.append(code)
    return codes, unknown


# --- opening hours --------------------------------------------------------------------------

DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
_DAY_NAMES = {
    "MO": ["mon", "monday"],
    "TU": ["tue", "tues", "tuesday"],
    "WE": ["wed", "weds", "wednesday"],
    "TH": ["thu", "thur", "thurs", "thursday"],
    "FR": ["fri", "friday"],
    "SA": ["sat", "saturday"],
    "SU": ["sun", "sunday"],
}
_DAY_BY_NAME = {name: code for code, names in _DAY_NAMES.items() for name in names}
# A day's name, not the start of another word ("Mon" but not "Monthly").
_DAY = r"(?:" + "|".join(sorted(_DAY_BY_NAME, key=len, reverse=True)) + r")s?\.?(?![a-z])"
_TIME = r"\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?"
# One session: its days (left out when it shares the previous session's), then its times.
_SESSION = re.compile(
    rf"(?:(?P<days>{_DAY}(?:\s*(?:-|–|to|,|&|and)\s*{_DAY})*)\s*[:,]?\s*)?"
    rf"(?:from\s+)?(?P<opens>{_TIME})\s*(?:-|–|to|until|till)\s*(?P<closes>{_TIME})",
    re.IGNORECASE,
)
# What may stand between sessions: "Mon 9am-12pm, Wed 1-4pm", "... and ...", "...; ...".
_BETWEEN = re.compile(r"\s*(?:[,;/|&.]|\band\b)?\s*", re.IGNORECASE)
MAX_SESSIONS = 14


def _day(word: str) -> str:
    word = word.lower().rstrip(".")
    return _DAY_BY_NAME.get(word) or _DAY_BY_NAME[word.removesuffix("s")]


def _days(text: str) -> list[str] | None:
    """["MO", ...] for "Mon-Fri", "Monday to Friday", "Mon, Wed & Fri" or "Wednesdays"."""
    found: list[str] = []
    parts = re.findall(rf"({_DAY})|(-|–|\bto\b)", text, re.IGNORECASE)
    range_next = False
    for day, dash in parts:
        if dash:
            if not found or range_next:
                return None
            range_next = True
            continue
        code = _day(day)
        if range_next:
            start, end = DAYS.index(found[-1]), DAYS.index(code)
            if end <= start:
                return None
            found += DAYS[start + 1 : end + 1]
            range_next = False
        elif code not in found:
            found.append(code)
    return None if range_next or not found else found


def _time(text: str) -> tuple[int, int, str] | None:
    """(hour, minute, "am"/"pm"/"") of "9", "9am", "9:30pm" or "17.00"."""
    match = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?", text.strip(), re.I)
    if not match:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    suffix = (match[3] or "").replace(".", "").lower()
    if minute > 59 or hour > 23 or (suffix and not 1 <= hour <= 12):
        return None
    return hour, minute, suffix


def _clock(hour, minute, suffix) -> str:
    if suffix == "pm" and hour != 12:
        hour += 12
    elif suffix == "am" and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


def _times(opens_text: str, closes_text: str) -> tuple[str, str] | None:
    """("HH:MM", "HH:MM") of a session's times, or None when they are not clear.

    Hours with neither minutes nor am/pm are clear only as a 24-hour clock ("9-17",
    "13-16") or as a morning ending at noon ("9-12"); "9-5" or "1-4" could be either."""
    opens, closes = _time(opens_text), _time(closes_text)
    if opens is None or closes is None:
        return None
    plain = not any(":" in t or "." in t or s for t, (_h, _m, s) in [
        (opens_text, opens), (closes_text, closes)
    ])  # fmt: skip
    if plain and not (closes[0] >= 13 or (closes[0] == 12 and 6 <= opens[0] < 12)):
        return None
    if closes[2] and not opens[2] and ":" not in opens_text and "." not in opens_text:
        # "9-11am", "1-3pm": the start shares the end's am/pm when that keeps it earlier
        opens = (opens[0], opens[1], closes[2])
        if _clock(*opens) >= _clock(*closes):
            opens = (opens[0], opens[1], "am")
    opens_at, closes_at = _clock(*opens), _clock(*closes)
    return (opens_at, closes_at) if opens_at < closes_at else None


def read_sessions(value: str) -> list[dict] | None:
    """[{"byday", "opens_at", "closes_at", "text"}] for weekly sessions written one after
    another ("Mon 9-12, Wed 1-4pm", "Tuesday and Thursday 10am-2pm", "Mon-Fri 9am-12pm,
    1pm-4pm": a session without days has the previous one's). None when any part of the
    cell is not clearly a session: then it is kept in words only."""
    text = str(value).strip()
    sessions: list[dict] = []
    position, days_text, days = 0, "", None
    while position < len(text):
        match = _SESSION.match(text, position)
        if not match or len(sessions) == MAX_SESSIONS:
            return None
        if match["days"]:
            days_text, days = match["days"].strip(), _days(match["days"])
        times = _times(match["opens"], match["closes"])
        if not days or times is None:
            return None
        own = match[0].strip()
        sessions.append(
            {
                "byday": ",".join(days),
                "opens_at": times[0],
                "closes_at": times[1],
                "text": own if match["days"] else f"{days_text} {own}",
            }
        )
        between = _BETWEEN.match(text, match.end())  # always matches: all of it is optional
        position = between.end() if between else match.end()
    return sessions or None


def read_hours(value: str) -> dict | None:
    """{"byday", "opens_at", "closes_at"} for one simple weekly session ("Mon-Fri 9am-5pm",
    "Wednesdays 10:00-12:00"), or None for anything else."""
    sessions = read_sessions(value)
    if not sessions or len(sessions) > 1:
        return None
    return {k: v for k, v in sessions[0].items() if k != "text"}
