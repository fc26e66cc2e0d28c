"""Reads for the learning app. Every one takes the viewer: staff of the place (any role)
see sessions, barriers and actions; a resident's identity is shown only while their
story consent is given and the viewer may see that resident.

Published numbers: a count of stories is a count of people's cases, so
cases per barrier, their monthly trend and stories per session go through
insights.disclosure (`published`). Counts of barriers, actions, cards and votes are not
suppressed: they count how services work and what staff wrote or voted for in a shared
workshop, and nothing about a resident can be learnt from them.
"""

import datetime

from django.db.models import Count, F, Max, Prefetch, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404
from django.utils import timezone

from commonweave.audit.enums import Action as AuditAction
from commonweave.audit.enums import Purpose
from commonweave.audit.services import audit_record
from commonweave.insights.disclosure import Cell, publish_count
from commonweave.people.access import residents_visible_to
from commonweave.people.enums import ConsentPurpose
from commonweave.people.models import Consent, ConsentEvent
from commonweave.tenancy.models import Organisation

from . import similarity
from .enums import LEVEL_ORDER, OPEN_ACTION_STATUSES, Level, Quadrant
from .models import (
    Action,
    Barrier,
    BarrierChange,
    BarrierStory,
    Board,
    Card,
    LevelChange,
    LogEntry,
    Partnership,
    PartnershipChange,
    PhaseChange,
    Session,
    Story,
)


def require_staff(viewer):
    """Staff of the place in any role (or an organisation's token); others find nothing."""
    if not viewer or not viewer.grants:
        raise Http404
    return viewer


def _get(queryset, viewer, public_id):
    require_staff(viewer)
    obj = queryset.filter(place=viewer.place, public_id=public_id).first()
    if obj is None:
        raise Http404
    return obj


# --- stories and who they are about -------------------------------------------------------


def story_consented_ids(resident_ids) -> set:
    """Of these residents, those whose story consent is given right now."""
    if not resident_ids:
        return set()
    return set(
        Consent.objects.filter(
            resident_id__in=resident_ids,
            purpose=ConsentPurpose.STORY,
            organisation__isnull=True,
            given=True,
        ).values_list("resident_id", flat=True)
    )


def _shown_links(stories) -> dict:
    """{story.pk: resident_id} for linked stories whose resident's story consent is given
    now and was not withdrawn after the link was made. A withdrawal removes the link from
    every story linked before it, for good: giving consent again applies to new links only.
    Checked at every read, so a withdrawal takes effect on the very next request."""
    linked = {story.pk: story.resident_id for story in stories if story.resident_id}
    consented = story_consented_ids(set(linked.values()))
    if not consented:
        return {}
    withdrawn = dict(
        ConsentEvent.objects.filter(
            resident_id__in=consented, purpose=ConsentPurpose.STORY, given=False
        )
        .values("resident_id")
        .annotate(last=Max("recorded_at"))
        .values_list("resident_id", "last")
    )
    since = {story.pk: story.resident_linked_at or story.created_at for story in stories}
    return {
        pk: rid
        for pk, rid in linked.items()
        if rid in consented and (rid not in withdrawn or withdrawn[rid] < since[pk])
    }


def story_link_alive(story) -> bool:
    """Whether the story's link to a resident still stands (a withdrawal ends it for good)."""
    return story.resident_id is not None and story.pk in _shown_links([story])


def story_identities(viewer, stories, *, audit=True) -> dict:
    """{story.pk: resident} for the stories whose resident this viewer may be shown: story
    consent given (see `_shown_links`) and the viewer may see the resident. Showing any
    identity writes one audit event naming them (by public id)."""
    if not viewer or not any(story.resident_id for story in stories):
        return {}
    linked = _shown_links(stories)
    if not linked:
        return {}
    visible = {
        r.pk: r
        for r in residents_visible_to(viewer)
        .filter(pk__in=set(linked.values()))
        .only("pk", "public_id", "full_name", "preferred_name", "place_id", "organisation_id")
    }
    shown = {pk: visible[rid] for pk, rid in linked.items() if rid in visible}
    if shown and audit:
        audit_record(
            viewer=viewer,
            action=AuditAction.LIST,
            purpose=Purpose.SHARED,
            object_type="learning.story",
            residents=shown.values(),
        )
    return shown


def pack_identities(viewer, stories, attendees) -> dict:
    """Who may be named in a session pack, which is handed to everyone who came: only a
    resident the exporter may be shown (`story_identities`) AND whose record every attending
    organisation holds or was given consent to share with. Anyone from an organisation
    outside the partnership holds no consent, so their presence names no one."""
    shown = story_identities(viewer, stories, audit=False)
    if not shown:
        return {}
    org_ids = {a.organisation_id for a in attendees}
    if None in org_ids:
        return {}
    resident_ids = {r.pk for r in shown.values()}
    shared = set(
        Consent.objects.filter(
            resident_id__in=resident_ids,
            purpose=ConsentPurpose.SHARE,
            given=True,
            organisation_id__in=org_ids,
        ).values_list("resident_id", "organisation_id")
    )
    return {
        pk: r
        for pk, r in shown.items()
        if all(org == r.organisation_id or (r.pk, org) in shared for org in org_ids)
    }


def story_key(prefix=""):
    """A story's record key, for a published count of stories (the cell-key method): its
    resident's where it has one, so the same person counts with the same key wherever they
    are counted, else the story's own (Story.record_key, random per story). `prefix` is the
    path to the story, e.g. "stories__"."""
    return Coalesce(F(f"{prefix}resident__record_key"), F(f"{prefix}record_key"))


def story_cell(session) -> Cell:
    """A session from `sessions_for`: its stories as a Cell, to publish."""
    return Cell(session.story_count, session.story_keys or 0)


def published(viewer, n):
    """A count of people's cases as it may be shown (a Cell: cell-key perturbed): 1-7
    suppressed, others rounded to 5, 0 stays 0; the place may raise the threshold."""
    return publish_count(n, threshold=viewer.place.suppression_threshold)


# --- sessions -----------------------------------------------------------------------------


def sessions_for(viewer):
    require_staff(viewer)
    return (
        Session.objects.filter(place=viewer.place)
        .annotate(
            story_count=Count("stories", distinct=True),
            # for the published count (cell key): one join, so each story is summed once
            story_keys=Sum(story_key("stories__")),
        )
        .order_by("-held_on", "-pk")
    )


def session_get(viewer, public_id):
    return _get(Session.objects.all(), viewer, public_id)


def session_contents(viewer, session):
    """Attendees, stories (with the barriers seen in each) and actions of one session."""
    attendees = list(session.attendees.select_related("organisation"))
    stories = list(
        session.stories.select_related("brought_by")
        .prefetch_related(Prefetch("barriers", queryset=Barrier.objects.active()))
        .order_by("created_at", "pk")
    )
    barrier_ids = {b.pk for s in stories for b in s.barriers.all()}
    barriers = list(Barrier.objects.filter(pk__in=barrier_ids).order_by("title"))
    actions = list(
        Action.objects.filter(Q(session=session) | Q(barrier_id__in=barrier_ids))
        .select_related("owner", "owner_organisation", "barrier")
        .order_by("due_on", "pk")
    )
    return {"attendees": attendees, "stories": stories, "barriers": barriers, "actions": actions}


def story_get(viewer, public_id):
    return _get(Story.objects.select_related("session", "resident"), viewer, public_id)


def attendee_get(viewer, session, pk):
    attendee = session.attendees.filter(pk=pk).first()
    if attendee is None or session.place_id != viewer.place.pk:
        raise Http404
    return attendee


# --- barriers -----------------------------------------------------------------------------


def barriers_for(viewer, *, q="", quadrant="", level="", service_area="", withdrawn=False):
    """The barrier register, most recently touched first. Withdrawn barriers only on
    request. (Cases for a page of it: `case_counts`, so counting and paging stay cheap.)"""
    require_staff(viewer)
    qs = Barrier.objects.filter(place=viewer.place, withdrawn_at__isnull=not withdrawn)
    if quadrant:
        qs = qs.filter(quadrant=quadrant)
    if level:
        qs = qs.filter(level=level)
    if service_area:
        qs = qs.filter(service_area__iexact=service_area)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return qs.order_by("-updated_at", "-pk")


# A case is a story, and so (where it is linked) a resident: published counts of cases
# carry the sum of their record keys for the cell-key method (a Cell), as story_key says.
_CASE_KEYS = Sum(story_key("story__"))


def case_counts(barrier_ids, *, keyed: bool = False) -> dict:
    """{barrier_id: cases} (raw: publish with `published` before showing). `keyed` gives
    each as a Cell with its record keys, for publishing."""
    counts = dict.fromkeys(barrier_ids, Cell(0, 0) if keyed else 0)
    rows = (
        BarrierStory.objects.filter(barrier_id__in=counts)
        .values("barrier_id")
        .annotate(n=Count("pk"), keys=_CASE_KEYS)
        .order_by()
        .values_list("barrier_id", "n", "keys")
    )
    counts.update((pk, Cell(n, keys or 0) if keyed else n) for pk, n, keys in rows)
    return counts


def barrier_get(viewer, public_id):
    return _get(Barrier.objects.all(), viewer, public_id)


def months_back(today, months):
    first = today.replace(day=1)
    out = []
    for _ in range(months):
        out.append(first)
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return list(reversed(out))


def barrier_trends(barrier_ids, *, months=6, today=None, keyed: bool = False) -> dict:
    """{barrier_id: [(month_start, cases), ...]} for the last `months` months, oldest first.
    Raw counts, for computing; `published_trends` is what pages and the API show (`keyed`:
    each a Cell with its record keys)."""
    today = today or timezone.localdate()
    starts = months_back(today, months)
    trends = {pk: dict.fromkeys(starts, Cell(0, 0) if keyed else 0) for pk in barrier_ids}
    if not barrier_ids:
        return {}

    rows = (
        BarrierStory.objects.filter(barrier_id__in=barrier_ids, seen_on__gte=starts[0])
        .annotate(month=TruncMonth("seen_on"))
        .values("barrier_id", "month")
        .annotate(n=Count("pk"), keys=_CASE_KEYS)
    )
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        if month in trends[row["barrier_id"]]:
            n = Cell(row["n"], row["keys"] or 0) if keyed else row["n"]
            trends[row["barrier_id"]][month] = n
    return {pk: sorted(cells.items()) for pk, cells in trends.items()}


def published_trends(viewer, barrier_ids, *, months=6, today=None) -> dict:
    """{barrier_id: [(month_start, Published), ...]}: each month's cases published."""
    return {
        pk: [(month, published(viewer, n)) for month, n in cells]
        for pk, cells in barrier_trends(barrier_ids, months=months, today=today, keyed=True).items()
    }


def barrier_history(barrier):
    """Learning-level moves only, newest first."""
    return list(LevelChange.objects.filter(barrier=barrier).select_related("changed_by"))


def barrier_timeline(barrier):
    """Everything that happened to the barrier, newest first: learning-level moves (with
    their evidence), edits (each field before and after) and withdrawal."""
    levels = [("level", c) for c in barrier_history(barrier)]
    edits = [
        ("change", c)
        for c in BarrierChange.objects.filter(barrier=barrier).select_related("changed_by")
    ]
    return sorted(levels + edits, key=lambda item: (item[1].at, item[1].pk), reverse=True)


def barrier_board(viewer, *, per_cell=5):
    """Barriers by learning level and GMCA quadrant: a count and the latest few per cell."""
    require_staff(viewer)
    base = Barrier.objects.filter(place=viewer.place, withdrawn_at__isnull=True)
    # Counts of barriers, not of people: shown as they are (see the module docstring).
    counts = {
        (row["level"], row["quadrant"]): row["n"]
        for row in base.values("level", "quadrant").annotate(n=Count("pk")).order_by()
    }
    # The latest few of each non-empty cell: one small indexed read per cell (IN subqueries
    # with LIMIT, in one query), rather than ranking the whole register.
    wanted = Q(pk__in=[])
    for level, quadrant in counts:
        wanted |= Q(
            pk__in=base.filter(level=level, quadrant=quadrant)
            .order_by("-updated_at", "-pk")
            .values("pk")[:per_cell]
        )
    latest = base.filter(wanted).only("public_id", "title", "level", "quadrant", "updated_at")
    tops = {}
    for barrier in sorted(latest, key=lambda b: (b.updated_at, b.pk), reverse=True):
        tops.setdefault((barrier.level, barrier.quadrant), []).append(barrier)
    return [
        {
            "level": Level(level),
            "cells": [
                {
                    "quadrant": quadrant,
                    "count": counts.get((level, quadrant), 0),
                    "barriers": tops.get((level, quadrant), []),
                }
                for quadrant in Quadrant
            ],
        }
        for level in LEVEL_ORDER
    ]


def similar_barriers(viewer, text, *, limit=5, exclude=None):
    """Existing barriers that read like `text`: [(barrier, score)], best first."""
    require_staff(viewer)
    found = similarity.similar(
        viewer.place.pk, text, limit=limit, exclude_id=exclude.pk if exclude else None
    )
    # The index only holds barriers in the register (not withdrawn).
    by_id = Barrier.objects.in_bulk([s.barrier_id for s in found])
    return [(by_id[s.barrier_id], s.score) for s in found if s.barrier_id in by_id]


# --- actions ------------------------------------------------------------------------------


def actions_for(viewer, *, organisation_id=None, only_open=False):
    require_staff(viewer)
    qs = Action.objects.filter(place=viewer.place).select_related(
        "owner", "owner_organisation", "barrier"
    )
    if organisation_id:
        qs = qs.filter(owner_organisation_id=organisation_id)
    if only_open:
        qs = qs.filter(status__in=OPEN_ACTION_STATUSES)
    return qs.order_by("due_on", "pk")


def action_get(viewer, public_id):
    return _get(
        Action.objects.select_related("owner", "owner_organisation", "barrier"), viewer, public_id
    )


def actions_by_organisation(viewer, *, today=None):
    """Each organisation in the place with its open and overdue actions. Counts of an
    organisation's commitments, not of people: shown as they are."""
    require_staff(viewer)
    today = today or timezone.localdate()
    open_q = Q(status__in=OPEN_ACTION_STATUSES)
    # Counted from the actions' own (place, organisation, status, due date) index.
    counts = {
        row["owner_organisation_id"]: row
        for row in Action.objects.filter(place=viewer.place, status__in=OPEN_ACTION_STATUSES)
        .values("owner_organisation_id")
        .annotate(n=Count("pk", filter=open_q), late=Count("pk", filter=Q(due_on__lt=today)))
        .order_by()
    }
    organisations = list(Organisation.objects.filter(place=viewer.place).order_by("name"))
    for org in organisations:
        row = counts.get(org.pk, {})
        org.open_actions, org.overdue_actions = row.get("n", 0), row.get("late", 0)
    return organisations


# --- the learning log and boards ----------------------------------------------------------


def log_search(viewer, *, q="", tag="", kind="", barrier=None):
    require_staff(viewer)
    qs = LogEntry.objects.filter(place=viewer.place)
    if kind:
        qs = qs.filter(kind=kind)
    if tag:
        qs = qs.filter(tags__name__iexact=tag.strip())
    if barrier is not None:
        qs = qs.filter(barriers=barrier)
    for word in (q or "").split()[:8]:
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(body__icontains=word)
            | Q(tried__icontains=word)
            | Q(happened__icontains=word)
            | Q(learnt__icontains=word)
            | Q(will_change__icontains=word)
            | Q(tags__name__icontains=word)
        )
    return (
        qs.distinct()
        .select_related("organisation")
        .prefetch_related("tags", "barriers")
        .order_by("-created_at", "-pk")
    )


def boards_for(viewer):
    require_staff(viewer)
    return (
        Board.objects.filter(place=viewer.place)
        .select_related("session")
        .annotate(card_count=Count("cards"))
        .order_by("-created_at", "-pk")
    )


def board_get(viewer, public_id):
    return _get(Board.objects.select_related("session"), viewer, public_id)


def card_get(viewer, board, card_id):
    card = Card.objects.filter(board=board, pk=card_id).select_related("board").first()
    if card is None or board.place_id != viewer.place.pk:
        raise Http404
    return card


def card_with_votes(viewer, card):
    """One card with .vote_count and .voted, as board_columns gives them."""
    card.vote_count = card.votes.count()
    card.voted = viewer.user_id is not None and card.votes.filter(user_id=viewer.user_id).exists()
    return card


def log_entry_get(viewer, public_id):
    return _get(
        LogEntry.objects.select_related("organisation").prefetch_related("tags", "barriers"),
        viewer,
        public_id,
    )


def board_columns(board, viewer):
    """[(column, [card with .vote_count and .voted])] with the most votes first."""
    from .enums import Column

    cards = (
        board.cards.annotate(
            vote_count=Count("votes", distinct=True),
            my_votes=Count("votes", filter=Q(votes__user_id=viewer.user_id), distinct=True),
        )
        .select_related("created_by")
        .order_by("-vote_count", "created_at", "pk")
    )
    by_column = {column: [] for column in Column}
    for card in cards:
        card.voted = bool(card.my_votes)
        by_column[Column(card.column)].append(card)
    return list(by_column.items())


# --- the partnership ----------------------------------------------------------------------


def organisations_of(viewer):
    """The organisations in the viewer's place, by name."""
    require_staff(viewer)
    return Organisation.objects.filter(place=viewer.place).order_by("name")


def partnership_for(viewer):
    require_staff(viewer)
    return Partnership.objects.filter(place=viewer.place).first() or Partnership(place=viewer.place)


def phase_history(viewer):
    require_staff(viewer)
    return list(PhaseChange.objects.filter(place=viewer.place).select_related("changed_by"))


def partnership_history(viewer):
    """Every change of phase and of the set-up, newest first: [("phase" | "setup", change)]."""
    require_staff(viewer)
    phases = [("phase", c) for c in PhaseChange.objects.filter(place=viewer.place)]
    setups = [("setup", c) for c in PartnershipChange.objects.filter(place=viewer.place)]
    return sorted(phases + setups, key=lambda item: (item[1].at, item[1].pk), reverse=True)
