"""Wellbeing pages, by concern: `residents` (a resident's picture, check-ins, priorities
and the one-time link), `cohort` (cohort change and the scores export for evaluators),
`lifemap` (the place's life map)."""

from .cohort import cohort_change_csv, cohort_page, export_detail, export_download, export_start
from .lifemap import area_edit, area_remove, lifemap
from .residents import (
    checkin_fill,
    checkin_new,
    link_checkin,
    link_done,
    picture,
    priority_met,
    priority_new,
    send_link,
)

__all__ = [
    "area_edit",
    "area_remove",
    "checkin_fill",
    "checkin_new",
    "cohort_change_csv",
    "cohort_page",
    "export_detail",
    "export_download",
    "export_start",
    "lifemap",
    "link_checkin",
    "link_done",
    "picture",
    "priority_met",
    "priority_new",
    "send_link",
]
