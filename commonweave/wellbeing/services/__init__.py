"""Writes for the life map and wellbeing measures. Each takes the viewer, runs in a
transaction and writes its audit event; access is checked here as well as in the views.

Field names in ValidationErrors are the API's: "ratings.<area key>", "better.<area key>",
"measures.<instrument code>.<item code>", "own_words"; pages map them onto their forms.

By concern: `lifemap` (the place's areas of life and its measures), `checkins` (answering
and completing a check-in), `tracks` (first and latest answers for cohort change),
`priorities`, and `links` (one-time links). The scores export for evaluators is a
background job in `wellbeing.exports`.
"""

from .checkins import checkin_record, checkin_start, checkin_submit
from .lifemap import (
    SHIPPED_INSTRUMENTS,
    current_lifemap,
    instrument_load,
    instruments_for,
    lifemap_publish,
    load_shipped_instruments,
    validate_areas,
)
from .links import LINK_DAYS_DEFAULT, LinkUnavailable, hash_token, link_open, link_send
from .priorities import priority_add, priority_met
from .tracks import tracks_rebuild

__all__ = [
    "LINK_DAYS_DEFAULT",
    "SHIPPED_INSTRUMENTS",
    "LinkUnavailable",
    "checkin_record",
    "checkin_start",
    "checkin_submit",
    "current_lifemap",
    "hash_token",
    "instrument_load",
    "instruments_for",
    "lifemap_publish",
    "link_open",
    "link_send",
    "load_shipped_instruments",
    "priority_add",
    "priority_met",
    "tracks_rebuild",
    "validate_areas",
]
