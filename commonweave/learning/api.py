"""The learning API: sessions, barriers and actions, under /api/learning/.

Same selectors and services as the pages, so the same rules: staff of the place (any
role, or an organisation's token) see sessions, barriers and actions; a story names its
resident only while their story consent is given and the caller may see them.
"""

from datetime import date, datetime

from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from commonweave.accounts.models import User
from commonweave.api.errors import InvalidInput, service_errors
from commonweave.api.pagination import PageParams, paginate
from commonweave.api.schemas import Detail, Errors, Input, Text
from commonweave.tenancy.models import Organisation

from . import selectors, services
from .enums import ActionStatus, Level, Quadrant
from .models import Story

router = Router(tags=["Learning"])
NOT_FOUND = {404: Detail}
BAD = {400: Errors, 404: Detail}


# --- schemas ------------------------------------------------------------------------------


class Named(Schema):
    id: int
    name: str


class ResidentRef(Schema):
    public_id: str
    name: str


class StoryOut(Schema):
    public_id: str
    title: str
    text: str
    resident: ResidentRef | None = Field(
        description="Only while their story consent is given and you may see them"
    )
    barriers: list[str]


class AttendeeOut(Schema):
    name: str
    organisation: str


class ActionOut(Schema):
    public_id: str
    barrier_id: str
    description: str
    owner: str
    owner_organisation: Named
    due_on: date
    status: ActionStatus
    overdue: bool


class SessionSummary(Schema):
    public_id: str
    title: str
    held_on: date
    stories: int


class SessionPage(Schema):
    items: list[SessionSummary]
    count: int
    page: int
    pages: int


class SessionOut(Schema):
    public_id: str
    title: str
    held_on: date
    notes: str
    decisions: str
    attendees: list[AttendeeOut]
    stories: list[StoryOut]
    actions: list[ActionOut]


class SessionIn(Input):
    title: Text(200, required=True)
    held_on: date
    notes: Text(20000) = ""
    decisions: Text(20000) = ""


class StoryIn(Input):
    title: Text(200, required=True)
    text: Text(20000, required=True)
    resident_id: Text(12) = Field("", description="Link only with story consent")


class BarrierSummary(Schema):
    public_id: str
    title: str
    quadrant: Quadrant
    service_area: str
    level: Level
    cases: int
    updated_at: datetime


class BarrierPage(Schema):
    items: list[BarrierSummary]
    count: int
    page: int
    pages: int


class LevelChangeOut(Schema):
    from_level: Level
    to_level: Level
    evidence: str
    at: datetime


class MonthCount(Schema):
    month: date
    cases: int


class BarrierOut(BarrierSummary):
    description: str
    trend: list[MonthCount]
    history: list[LevelChangeOut]
    stories: list[StoryOut]
    actions: list[ActionOut]


class BarrierIn(Input):
    title: Text(200, required=True)
    description: Text(5000) = ""
    quadrant: Quadrant
    service_area: Text(100) = ""
    story_id: Text(12) = ""


class SimilarIn(Input):
    text: Text(5000, required=True)


class SimilarOut(Schema):
    public_id: str
    title: str
    score: float


class LevelIn(Input):
    level: Level
    evidence: Text(5000, required=True)


class ActionIn(Input):
    description: Text(5000, required=True)
    owner_organisation_id: int
    owner_id: int | None = None
    owner_name: Text(150) = ""
    due_on: date


class ActionStatusIn(Input):
    status: ActionStatus


class ActionPage(Schema):
    items: list[ActionOut]
    count: int
    page: int
    pages: int


class ActionFilters(Schema):
    organisation_id: int | None = None
    open: bool = Field(False, description="Only open actions")
    overdue: bool = Field(False, description="Only overdue actions")


class BarrierFilters(Schema):
    q: str = Field("", max_length=100)
    quadrant: Quadrant | None = None
    level: Level | None = None


# --- helpers ------------------------------------------------------------------------------


def _action_out(action, today):
    return {
        "public_id": action.public_id,
        "barrier_id": action.barrier.public_id,
        "description": action.description,
        "owner": action.owner_label,
        "owner_organisation": {
            "id": action.owner_organisation_id,
            "name": action.owner_organisation.name,
        },
        "due_on": action.due_on,
        "status": action.status,
        "overdue": action.is_overdue(today),
    }


def _stories_out(viewer, stories):
    identities = selectors.story_identities(viewer, stories)
    out = []
    for story in stories:
        resident = identities.get(story.pk)
        out.append(
            {
                "public_id": story.public_id,
                "title": story.title,
                "text": story.text,
                "resident": {"public_id": resident.public_id, "name": resident.display_name}
                if resident
                else None,
                "barriers": [b.public_id for b in story.barriers.all()],
            }
        )
    return out


def _barrier_summary(barrier, cases):
    return {
        "public_id": barrier.public_id,
        "title": barrier.title,
        "quadrant": barrier.quadrant,
        "service_area": barrier.service_area,
        "level": barrier.level,
        "cases": cases,
        "updated_at": barrier.updated_at,
    }


def _session_out(viewer, session):
    contents = selectors.session_contents(viewer, session)
    today = timezone.localdate()
    return {
        "public_id": session.public_id,
        "title": session.title,
        "held_on": session.held_on,
        "notes": session.notes,
        "decisions": session.decisions,
        "attendees": [
            {"name": a.name, "organisation": a.organisation_label} for a in contents["attendees"]
        ],
        "stories": _stories_out(viewer, contents["stories"]),
        "actions": [_action_out(a, today) for a in contents["actions"]],
    }


def _barrier_out(viewer, barrier):
    stories = list(barrier.stories.prefetch_related("barriers").order_by("-created_at"))
    today = timezone.localdate()
    trend = selectors.barrier_trends([barrier.pk], months=12)[barrier.pk]
    actions = barrier.actions.select_related("owner", "owner_organisation").order_by("due_on")
    for action in actions:
        action.barrier = barrier
    return {
        **_barrier_summary(barrier, len(stories)),
        "description": barrier.description,
        "trend": [{"month": month, "cases": n} for month, n in trend],
        "history": [
            {
                "from_level": c.from_level,
                "to_level": c.to_level,
                "evidence": c.evidence,
                "at": c.at,
            }
            for c in selectors.barrier_history(barrier)
        ],
        "stories": _stories_out(viewer, stories),
        "actions": [_action_out(a, today) for a in actions],
    }


# --- sessions -----------------------------------------------------------------------------


@router.get("/learning/sessions", response={200: SessionPage, 404: Detail})
def session_list(request, paging: PageParams):
    """Connecting the Dots sessions in the caller's place, newest first."""
    rows, envelope = paginate(selectors.sessions_for(request.auth), paging)
    items = [
        {"public_id": s.public_id, "title": s.title, "held_on": s.held_on, "stories": s.story_count}
        for s in rows
    ]
    return {**envelope, "items": items}


@router.post("/learning/sessions", response={201: SessionOut, **BAD})
def session_create(request, payload: SessionIn):
    viewer = request.auth
    with service_errors():
        session = services.session_create(viewer=viewer, **payload.model_dump())
    return Status(201, _session_out(viewer, session))


@router.get("/learning/sessions/{public_id}", response={200: SessionOut, **NOT_FOUND})
def session_detail(request, public_id: str):
    """A session with attendees, stories (named only with story consent) and actions."""
    viewer = request.auth
    return _session_out(viewer, selectors.session_get(viewer, public_id))


@router.post("/learning/sessions/{public_id}/stories", response={201: StoryOut, **BAD})
def story_create(request, public_id: str, payload: StoryIn):
    viewer = request.auth
    session = selectors.session_get(viewer, public_id)
    with service_errors(resident="resident_id"):
        story = services.story_add(
            viewer=viewer,
            session=session,
            title=payload.title,
            text=payload.text,
            resident_public_id=payload.resident_id,
        )
    return Status(201, _stories_out(viewer, [story])[0])


# --- barriers -----------------------------------------------------------------------------


@router.get("/learning/barriers", response={200: BarrierPage, 404: Detail})
def barrier_list(request, paging: PageParams, filters: Query[BarrierFilters]):
    """The barrier register with how many cases each has, most recently touched first."""
    qs = selectors.barriers_for(
        request.auth,
        q=filters.q,
        quadrant=filters.quadrant or "",
        level=filters.level or "",
    )
    rows, envelope = paginate(qs, paging)
    return {**envelope, "items": [_barrier_summary(b, b.cases) for b in rows]}


@router.post("/learning/barriers/similar", response={200: list[SimilarOut], **BAD})
def barrier_similar(request, payload: SimilarIn):
    """Barriers already in the register that read like this text, best first."""
    found = selectors.similar_barriers(request.auth, payload.text)
    return [{"public_id": b.public_id, "title": b.title, "score": score} for b, score in found]


@router.post("/learning/barriers", response={201: BarrierOut, **BAD})
def barrier_create(request, payload: BarrierIn):
    viewer = request.auth
    selectors.require_staff(viewer)
    story = None
    if payload.story_id:
        story = Story.objects.filter(place=viewer.place, public_id=payload.story_id).first()
        if story is None:
            raise InvalidInput({"story_id": "There is no story with that id"})
    with service_errors():
        barrier = services.barrier_create(
            viewer=viewer,
            title=payload.title,
            description=payload.description,
            quadrant=payload.quadrant,
            service_area=payload.service_area,
            story=story,
        )
    return Status(201, _barrier_out(viewer, barrier))


@router.get("/learning/barriers/{public_id}", response={200: BarrierOut, **NOT_FOUND})
def barrier_detail(request, public_id: str):
    viewer = request.auth
    return _barrier_out(viewer, selectors.barrier_get(viewer, public_id))


@router.post("/learning/barriers/{public_id}/level", response={200: BarrierOut, **BAD})
def barrier_level(request, public_id: str, payload: LevelIn):
    """Move the barrier to a learning level with the evidence in words."""
    viewer = request.auth
    barrier = selectors.barrier_get(viewer, public_id)
    with service_errors():
        services.barrier_set_level(
            viewer=viewer, barrier=barrier, level=payload.level, evidence=payload.evidence
        )
    return _barrier_out(viewer, barrier)


@router.post("/learning/barriers/{public_id}/actions", response={201: ActionOut, **BAD})
def action_create(request, public_id: str, payload: ActionIn):
    viewer = request.auth
    barrier = selectors.barrier_get(viewer, public_id)
    organisation = Organisation.objects.filter(
        place=viewer.place, pk=payload.owner_organisation_id
    ).first()
    if organisation is None:
        raise InvalidInput({"owner_organisation_id": "Choose an organisation in this place"})
    owner = None
    if payload.owner_id is not None:
        owner = User.objects.filter(
            pk=payload.owner_id, memberships__organisation=organisation, is_active=True
        ).first()
        if owner is None:
            raise InvalidInput({"owner_id": "Choose someone in the owning organisation"})
    with service_errors(owner="owner_id", owner_organisation="owner_organisation_id"):
        action = services.action_create(
            viewer=viewer,
            barrier=barrier,
            description=payload.description,
            owner_organisation=organisation,
            owner=owner,
            owner_name=payload.owner_name,
            due_on=payload.due_on,
        )
    return Status(201, _action_out(action, timezone.localdate()))


# --- actions ------------------------------------------------------------------------------


@router.get("/learning/actions", response={200: ActionPage, 404: Detail})
def action_list(request, paging: PageParams, filters: Query[ActionFilters]):
    """Actions in the place, soonest due first; filter by organisation, open or overdue."""
    viewer = request.auth
    qs = selectors.actions_for(
        viewer, organisation_id=filters.organisation_id, only_open=filters.open
    )
    today = timezone.localdate()
    if filters.overdue:
        qs = qs.overdue(today)
    rows, envelope = paginate(qs, paging)
    return {**envelope, "items": [_action_out(a, today) for a in rows]}


@router.patch("/learning/actions/{public_id}", response={200: ActionOut, **BAD})
def action_update(request, public_id: str, payload: ActionStatusIn):
    """Change an action's status: its owning organisation, a place admin or its author."""
    viewer = request.auth
    action = selectors.action_get(viewer, public_id)
    if not services.can_change_action(viewer, action):
        raise Http404
    with service_errors():
        services.action_set_status(viewer=viewer, action=action, status=payload.status)
    return _action_out(action, timezone.localdate())
