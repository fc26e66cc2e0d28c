"""Mutual aid on the place overview: how fast needs are matched against the promise, and
residents who became helpers (issue 16, part 5). Registered with insights.sections from
MutualAidConfig.ready, so the page, the CSV and the API carry it.

Every number goes through commonweave.insights.disclosure: counts are cell-keyed (a need's
or a helper's own record key, a resident's where the count is of residents), and the
median and 90th percentile are read off the published bands, never the exact times, so
they tell nothing the published table does not.
"""

from datetime import timedelta

from django.db.models import Count, F, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from commonweave.insights.disclosure import (
    Cell,
    PublishedTable,
    publish_share,
    publish_table,
)
from commonweave.insights.sections import OverviewTable

from .enums import Kind, RequestStatus
from .models import Request, Volunteer

# Time from a need being made to its first proposed match: (key, upper bound, label).
MATCH_BANDS = (
    ("within_3_hours", timedelta(hours=3)),
    ("within_24_hours", timedelta(hours=24)),
    ("within_3_days", timedelta(days=3)),
    ("later", None),
)
# Time from a resident's first referral to their first offer of help, in days.
OFFER_BANDS = (
    ("within_3_months", 91),
    ("within_6_months", 183),
    ("within_a_year", 365),
    ("later", None),
)


def _match_labels():
    return {
        "within_3_hours": _("Within 3 hours"),
        "within_24_hours": _("3 to 24 hours"),
        "within_3_days": _("1 to 3 days"),
        "later": _("More than 3 days"),
        "waiting": _("Waiting, still within the promise"),
        "overdue": _("Waiting, past the promise (overdue)"),
    }


def _match_reach():
    return {
        "within_3_hours": _("3 hours"),
        "within_24_hours": _("24 hours"),
        "within_3_days": _("3 days"),
        "later": _("more than 3 days"),
    }


def _offer_labels():
    return {
        "within_3_months": _("Within 3 months"),
        "within_6_months": _("3 to 6 months"),
        "within_a_year": _("6 to 12 months"),
        "later": _("More than a year"),
    }


def _offer_reach():
    return {
        "within_3_months": _("3 months"),
        "within_6_months": _("6 months"),
        "within_a_year": _("a year"),
        "later": _("more than a year"),
    }


def band_reached(table: PublishedTable, keys, share: float) -> str | None:
    """The first band by which `share` of the published total is reached, read off the
    published values only; None if any band is suppressed or there is nothing to read."""
    rows = [row for row in table.rows if row.key in keys]
    if not rows or any(row.count.suppressed for row in rows):
        return None
    total = sum(row.count.value for row in rows)
    if not total:
        return None
    running = 0
    for row in rows:
        running += row.count.value
        if running >= share * total:
            return row.key
    return rows[-1].key


def needs_by_time_to_match(place, *, since=None, now=None) -> dict:
    """Needs made in the period, by how long they took to get a proposed match (or how
    long they have waited): Cells with the needs' record keys."""
    now = now or timezone.now()
    needs = Request.objects.filter(place=place, kind=Kind.NEED)
    if since is not None:
        needs = needs.filter(created_at__gte=since)
    proposed = Q(first_proposed_at__isnull=False)
    conditions, lower = {}, None
    for key, upper in MATCH_BANDS:
        condition = proposed
        if lower is not None:
            condition &= Q(first_proposed_at__gt=F("created_at") + lower)
        if upper is not None:
            condition &= Q(first_proposed_at__lte=F("created_at") + upper)
        conditions[key], lower = condition, upper
    waiting = Q(first_proposed_at__isnull=True, status=RequestStatus.OPEN)
    conditions["waiting"] = waiting & Q(due_at__gte=now)
    conditions["overdue"] = waiting & Q(due_at__lt=now)
    conditions["promise_kept"] = proposed & Q(first_proposed_at__lte=F("due_at"))
    arguments: dict[str, Count | Sum] = {}
    for key, condition in conditions.items():
        arguments[f"{key}_n"] = Count("pk", filter=condition)
        arguments[f"{key}_keys"] = Sum("record_key", filter=condition)
    totals = needs.aggregate(**arguments)
    return {key: Cell(totals[f"{key}_n"], totals[f"{key}_keys"] or 0) for key in conditions}


def residents_who_became_helpers(place, *, since=None) -> tuple[dict, dict]:
    """Helpers who are residents: how many became helpers in the period and how many of
    them offered help, and the time from their first referral to their first offer (for
    first offers in the period). Cells with the residents' record keys."""
    helpers = (
        Volunteer.objects.filter(place=place, resident__isnull=False)
        .annotate(
            first_offer=Min("offers__created_at", filter=Q(offers__kind=Kind.OFFER)),
            first_referral=Min("resident__referrals__received_at"),
        )
        .values("created_at", "first_offer", "first_referral", "resident__record_key")
    )
    became = {"became_helpers": Cell(0, 0), "offered_help": Cell(0, 0)}
    offers = {key: Cell(0, 0) for key, _days in OFFER_BANDS}
    for row in helpers.iterator(chunk_size=2000):
        one = Cell(1, row["resident__record_key"] or 0)
        if since is None or row["created_at"] >= since:
            became["became_helpers"] += one
            if row["first_offer"] is not None:
                became["offered_help"] += one
        first_offer, first_referral = row["first_offer"], row["first_referral"]
        if first_offer is None or first_referral is None:
            continue
        if since is not None and first_offer < since:
            continue
        days = (first_offer - first_referral).days
        for key, limit in OFFER_BANDS:
            if limit is None or days <= limit:
                offers[key] += one
                break
    return became, offers


def overview_tables(place, since, now) -> list[OverviewTable]:
    """The mutual-aid tables of the place overview, every number published."""
    threshold = place.suppression_threshold
    cells = needs_by_time_to_match(place, since=since, now=now)
    labels = _match_labels()
    matching = publish_table({key: cells[key] for key in labels}, labels, threshold=threshold)
    band_keys = [key for key, _upper in MATCH_BANDS]
    matched = sum((cells[key] for key in band_keys), Cell(0, 0))
    reach = _match_reach()
    notes = [
        (
            _("Needs given a proposed match within the promise"),
            publish_share(cells["promise_kept"], matched, threshold=threshold),
        )
    ]
    for share, label in (
        (0.5, _("Half of the needs matched had a proposed match within")),
        (0.9, _("9 in 10 of the needs matched had a proposed match within")),
    ):
        band = band_reached(matching, band_keys, share)
        notes.append((label, reach[band] if band else _("not enough needs yet")))

    became_cells, offer_cells = residents_who_became_helpers(place, since=since)
    became = publish_table(
        became_cells,
        {
            "became_helpers": _("Residents who became helpers"),
            "offered_help": _("Of them, residents who have offered help"),
        },
        threshold=threshold,
    )
    offer_labels = _offer_labels()
    offers = publish_table(offer_cells, offer_labels, threshold=threshold)
    offer_reach = _offer_reach()
    offer_notes = []
    band = band_reached(offers, list(offer_labels), 0.5)
    offer_notes.append(
        (
            _("Half of them made their first offer within"),
            offer_reach[band] if band else _("not enough people yet"),
        )
    )
    return [
        OverviewTable(
            key="aid_time_to_match",
            caption=_("Neighbours' needs: time to a proposed match"),
            heading=_("Time to a match"),
            table=matching,
            notes=notes,
        ),
        OverviewTable(
            key="aid_helpers",
            caption=_("Residents who became helpers"),
            heading=_("Residents"),
            table=became,
        ),
        OverviewTable(
            key="aid_referral_to_offer",
            caption=_("From a resident's referral to their first offer of help"),
            heading=_("Time from referral"),
            table=offers,
            notes=offer_notes,
        ),
    ]
