"""The service navigation: one list of items per viewer, computed here rather than in
template branches, so each role sees each destination once and the current one is marked.

The web layer imports no app above it: the viewer is read through its attributes
(`can_do_casework`, `has_role`, ...) and destinations are named by their URL names, so an
item whose page is not (yet) installed is left out instead of breaking every page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url: str
    # "page" when this is the item's own page, "true" when it is a page in its section
    # (the GOV.UK component's two values of aria-current); "" otherwise.
    current: str = ""

    @property
    def active(self) -> bool:
        return bool(self.current)


@dataclass(frozen=True)
class _Entry:
    key: str
    label: Promise
    url_name: str
    shown: Callable[[Any], bool]
    # The pages in this item's section: path prefixes (the longest match wins) and URL
    # namespaces (used when no prefix matches).
    prefixes: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    place_arg: bool = False


def _casework(viewer: Any) -> bool:
    return bool(viewer.can_do_casework)


def _shared_records(viewer: Any) -> bool:
    # Catalysts, coordinators and partner workers open the records residents agreed to
    # share with their organisation (people.access.SHARE_ROLES, which this layer may not
    # import: tests/web/test_navigation.py holds the two together).
    return bool(viewer.org_ids("catalyst", "coordinator", "partner_worker"))


def _aggregates(viewer: Any) -> bool:
    return bool(viewer.can_see_aggregates)


def _place_admin(viewer: Any) -> bool:
    return bool(viewer.is_place_admin)


def _runs_funds(viewer: Any) -> bool:
    # Coordinators and place admins run the partnership's funds (grants.rules.RUNNER_ROLES).
    return bool(viewer.org_ids("coordinator", "place_admin"))


def _values(viewer: Any) -> bool:
    # Coordinators, analysts and place admins value change (impact.rules.VALUER_ROLES,
    # which this layer may not import: tests/web/test_navigation.py holds the two together).
    return bool(viewer.org_ids("coordinator", "analyst", "place_admin"))


def _reads_theory(viewer: Any) -> bool:
    # impact.rules.may_read_theory: everyone who sees published numbers, and partner workers
    # (tests/web/test_navigation.py holds the two together).
    return bool(viewer.can_see_aggregates or viewer.org_ids("partner_worker"))


def _anyone(viewer: Any) -> bool:
    return True


def _refers(viewer: Any) -> bool:
    return bool(viewer.can_refer)


# In the order shown. Each destination appears once; labels say what is there.
ENTRIES: tuple[_Entry, ...] = (
    _Entry("caseload", _("Caseload"), "people:caseload", _casework, ("/caseload/",)),
    _Entry("triage", _("Triage"), "people:triage", _casework, ("/triage/",)),
    _Entry("texts", _("Texts"), "messaging:inbox", _casework, ("/messages/residents/",)),
    _Entry("mutual_aid", _("Mutual aid"), "mutualaid:need_list", _casework, ("/mutual-aid/",)),
    _Entry(
        "residents",
        _("Residents"),
        "people:resident_search",
        _casework,
        ("/residents/", "/wellbeing/residents/", "/wellbeing/checkins/", "/audit/residents/"),
    ),
    _Entry("shared", _("Shared with us"), "people:shared_with_us", _shared_records),
    _Entry("referrals", _("Your referrals"), "people:my_referrals", _refers, ("/referrals/",)),
    _Entry(
        "directory",
        _("Directory"),
        "directory:search",
        _anyone,
        namespaces=("directory",),
        place_arg=True,
    ),
    _Entry("learning", _("Learning"), "learning:home", _anyone, namespaces=("learning",)),
    _Entry("network", _("Network"), "network:index", _anyone, namespaces=("network",)),
    _Entry("money", _("Money"), "grants:fund_list", _runs_funds, ("/money/",)),
    _Entry("overview", _("Overview"), "insights:overview", _aggregates, namespaces=("insights",)),
    _Entry(
        "wellbeing",
        _("Wellbeing change"),
        "wellbeing:cohort",
        _aggregates,
        ("/wellbeing/cohort/", "/wellbeing/exports/"),
    ),
    _Entry("area", _("Area profile"), "impact:area_profile", _aggregates, ("/impact/area/",)),
    _Entry("theory", _("Theory of change"), "impact:theory", _reads_theory, ("/impact/theory/",)),
    _Entry("impact", _("Social value"), "impact:value_list", _values, namespaces=("impact",)),
    _Entry("members", _("People and roles"), "tenancy:members", _place_admin, ("/place/",)),
    _Entry("audit", _("Audit log"), "audit:log", _place_admin, ("/audit/",)),
    _Entry("jobs", _("Jobs"), "jobs:list", _place_admin, namespaces=("jobs",)),
)


def _url(entry: _Entry, viewer: Any) -> str | None:
    args = [viewer.place.slug] if entry.place_arg else []
    try:
        return reverse(entry.url_name, args=args)
    except NoReverseMatch:
        return None  # its page is not installed: leave the item out


def _current_key(entries: list[tuple[_Entry, str]], path: str, namespace: str) -> str | None:
    """The item whose section holds this page: the longest matching prefix (the item's own
    address counts as one), else the item that owns the URL namespace."""
    best, best_length = None, 0
    for entry, url in entries:
        for prefix in (url, *entry.prefixes):
            if path.startswith(prefix) and len(prefix) > best_length:
                best, best_length = entry.key, len(prefix)
    if best is not None:
        return best
    for entry, _address in entries:
        if namespace and namespace in entry.namespaces:
            return entry.key
    return None


def nav_items(viewer: Any, path: str, namespace: str = "") -> list[NavItem]:
    """The navigation for this viewer on the page at `path` (the request's path_info):
    every destination its roles may use, once, with the current one marked."""
    if not viewer:
        return []
    entries = []
    for entry in ENTRIES:
        if not entry.shown(viewer):
            continue
        url = _url(entry, viewer)
        if url is not None:
            entries.append((entry, url))
    current = _current_key(entries, path, namespace)
    return [
        NavItem(
            key=entry.key,
            label=entry.label,
            url=url,
            current=("page" if path == url else "true") if entry.key == current else "",
        )
        for entry, url in entries
    ]
