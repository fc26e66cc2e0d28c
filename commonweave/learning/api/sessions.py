"""Sessions and their stories; the session pack."""

from typing import Literal

from django.http import HttpResponse
from ninja import Query
from ninja.responses import Status

from commonweave.core.api.conflicts import answers_conflict
from commonweave.core.api.errors import service_errors
from commonweave.core.api.pagination import PageParams, paginate
from commonweave.core.api.schemas import Conflict, Detail, Errors

from .. import selectors, services
from ..pack import pack_export
from . import router
from ._out import published, session_out, stories_out
from .schemas import (
    SessionIn,
    SessionOut,
    SessionPage,
    SessionPatch,
    StoryIn,
    StoryOut,
    StoryPatch,
)

NOT_FOUND = {404: Detail}
BAD = {400: Errors, 404: Detail}
CHANGE = {400: Errors, 404: Detail, 409: Conflict}


def _story_out(request, story):
    return stories_out(request.auth, [story])[0]


@router.get("/learning/sessions", response={200: SessionPage, 404: Detail})
def session_list(request, paging: PageParams):
    """Connecting the Dots sessions in the caller's place, newest first."""
    viewer = request.auth
    rows, envelope = paginate(selectors.sessions_for(viewer), paging)
    items = [
        {
            "public_id": s.public_id,
            "title": s.title,
            "held_on": s.held_on,
            "stories": published(selectors.published(viewer, selectors.story_cell(s))),
        }
        for s in rows
    ]
    return {**envelope, "items": items}


@router.post("/learning/sessions", response={201: SessionOut, **BAD})
def session_create(request, payload: SessionIn):
    viewer = request.auth
    with service_errors():
        session = services.session_create(viewer=viewer, **payload.model_dump())
    return Status(201, session_out(viewer, session))


@router.get("/learning/sessions/{public_id}", response={200: SessionOut, **NOT_FOUND})
def session_detail(request, public_id: str):
    """A session with attendees, stories (named only with story consent) and actions."""
    viewer = request.auth
    return session_out(viewer, selectors.session_get(viewer, public_id))


@router.patch("/learning/sessions/{public_id}", response={200: SessionOut, **CHANGE})
@answers_conflict(lambda request, current: session_out(request.auth, current))
def session_update(request, public_id: str, payload: SessionPatch):
    """Change the title, date, notes or decisions; fields left out stay as they are."""
    viewer = request.auth
    session = selectors.session_get(viewer, public_id)
    with service_errors():
        services.session_update(
            viewer=viewer, session=session, **payload.model_dump(exclude_unset=True)
        )
    return session_out(viewer, session)


@router.delete("/learning/sessions/{public_id}", response={204: None, **CHANGE})
@answers_conflict(lambda request, current: session_out(request.auth, current))
def session_delete(request, public_id: str, version: int):
    """Remove a session with its attendees and stories (whoever recorded it, or a place
    admin). Barriers, actions and boards stay. Send the version you last saw."""
    viewer = request.auth
    session = selectors.session_get(viewer, public_id)
    with service_errors():
        services.session_delete(viewer=viewer, session=session, version=version)
    return Status(204, None)


@router.get("/learning/sessions/{public_id}/pack", response={200: None, **BAD})
def session_pack(request, public_id: str, format: Query[Literal["html"]] = "html"):  # noqa: A002
    """The session pack as an accessible HTML page, made at once. It names a resident only
    where they agreed to their story being used and every organisation at the session may
    see them. (The PDF is built in the background: POST .../pack-jobs.)"""
    viewer = request.auth
    session = selectors.session_get(viewer, public_id)
    response = HttpResponse(pack_export(viewer, session))
    response["Cache-Control"] = "no-store"
    return response


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
    return Status(201, stories_out(viewer, [story])[0])


@router.get("/learning/stories/{public_id}", response={200: StoryOut, **NOT_FOUND})
def story_detail(request, public_id: str):
    return _story_out(request, selectors.story_get(request.auth, public_id))


@router.patch("/learning/stories/{public_id}", response={200: StoryOut, **CHANGE})
@answers_conflict(_story_out)
def story_update(request, public_id: str, payload: StoryPatch):
    """Change a story (its organisation, whoever wrote it, or a place admin). Linking it to
    a resident needs their story consent; only someone who may see who it is about may
    change or remove that link."""
    viewer = request.auth
    story = selectors.story_get(viewer, public_id)
    given = payload.model_dump(exclude_unset=True)
    with service_errors(resident="resident_id"):
        services.story_update(
            viewer=viewer,
            story=story,
            version=payload.version,
            title=given.get("title", story.title),
            text=given.get("text", story.text),
            resident_public_id=given.get("resident_id", services.KEEP),
        )
    return _story_out(request, story)


@router.delete("/learning/stories/{public_id}", response={204: None, **CHANGE})
@answers_conflict(_story_out)
def story_delete(request, public_id: str, version: int):
    """Withdraw a story: it and the cases it gave barriers go."""
    viewer = request.auth
    story = selectors.story_get(viewer, public_id)
    with service_errors():
        services.story_delete(viewer=viewer, story=story, version=version)
    return Status(204, None)
