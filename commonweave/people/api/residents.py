"""Resident endpoints: the same access rules as the pages, through people/access.py.

A resident another organisation holds (and has not shared by consent) is the same 404
as one that does not exist. Consented sharing shows the record without notes and
read-only; every change needs the caseworker's full access and goes through a service.
"""

from django.http import Http404
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.api.conflicts import answers_conflict
from commonweave.core.api.errors import InvalidInput, service_errors
from commonweave.core.api.pagination import PageParams, paginate
from commonweave.core.api.schemas import Conflict, Detail, Errors
from commonweave.core.visibility import shown, shown_all, visible_fields
from commonweave.people import selectors, services
from commonweave.people.access import Access, resident_get, resident_open, residents_visible_to
from commonweave.people.enums import GoalProgress, Stage
from commonweave.people.models import name_key
from commonweave.tenancy.models import Organisation

from .conflicts import current_record
from .schemas import (
    CloseIn,
    ConnectionIn,
    ConsentIn,
    ConversationIn,
    Created,
    GoalIn,
    GoalOut,
    GoalProgressIn,
    GraduateIn,
    JourneyOut,
    ProfileOut,
    ProfilePatch,
    ResidentOut,
    ResidentPage,
    SharedResidentPage,
    StageIn,
)

router = Router(tags=["Residents"])

READ = {404: Detail}
WRITE = {400: Errors, 404: Detail}
VERSIONED = {400: Errors, 404: Detail, 409: Conflict}


def _named(obj):
    return None if obj is None else {"id": obj.pk, "name": str(obj.name)}


# --- reading -----------------------------------------------------------------------------


class ResidentFilter(Schema):
    stage: Stage | None = Field(None, description="Only residents at this stage")


class ResidentSearch(Schema):
    """A search is sent in the body, never the address, so a name never reaches a URL,
    a server log or a proxy."""

    q: str = Field(..., max_length=150, description="Part of a name, a phone number or a postcode")
    stage: Stage | None = Field(None, description="Only residents at this stage")


@router.get("/residents", response={200: ResidentPage, 400: Errors}, summary="Residents you see")
def resident_list(request, paging: PageParams, filters: Query[ResidentFilter]):
    """Residents your organisation holds, and those shared with it by the person's consent.
    Writes one audit event (LIST) naming the residents on the page."""
    viewer = request.auth
    residents = residents_visible_to(viewer).select_related("organisation")
    if filters.stage:
        residents = residents.filter(stage=filters.stage)
    rows, envelope = paginate(residents.order_by("full_name", "pk"), paging)
    _audit_listing(viewer, rows, stage=filters.stage, searched=False)
    return {**envelope, "items": _listed(viewer, rows)}


@router.get(
    "/shared-with-us",
    response={200: SharedResidentPage, 400: Errors},
    summary="Residents shared with your organisation",
    tags=["Shared with us"],
)
def shared_with_us(request, paging: PageParams):
    """Residents who agreed that their record be shared with your organisation, held by
    another one: exactly those you may open at the shared level, in alphabetical order,
    with the fields the "Shared with us" page shows (what the field policy lets consented
    sharing see). Empty for a token or role that sees no people. Writes one audit event
    (LIST) naming the residents on the page."""
    viewer = request.auth
    rows, envelope = paginate(selectors.residents_shared_with(viewer), paging)
    audit_record(
        viewer=viewer,
        action=Action.LIST,
        purpose=Purpose.SHARED,
        object_type="people.resident",
        residents=rows,
        detail={"list": "shared_with_us"},
    )
    return {**envelope, "items": selectors.shared_list_rows(rows)}


@router.post(
    "/residents/search",
    response={200: ResidentPage, 400: Errors},
    summary="Find residents by name, phone or postcode",
)
def resident_search(request, paging: PageParams, payload: ResidentSearch):
    """The same search as the Residents page, over the residents you may see. Writes one
    audit event (SEARCH) naming the residents found, never the words searched for."""
    viewer = request.auth
    query = " ".join(payload.q.split())
    if len(name_key(query)) < 2 and len(query) < 2:
        raise InvalidInput({"q": "Enter at least 2 characters"})
    found = selectors.residents_matching(viewer, query, limit=None)
    if payload.stage:
        found = found.filter(stage=payload.stage)
    rows, envelope = paginate(found, paging)
    _audit_listing(viewer, rows, stage=payload.stage, searched=True)
    return {**envelope, "items": _listed(viewer, rows)}


def _audit_listing(viewer, rows, *, stage, searched):
    audit_record(
        viewer=viewer,
        action=Action.SEARCH if searched else Action.LIST,
        purpose=Purpose.CASEWORK,
        object_type="people.resident",
        residents=rows,
        detail={"stage": stage or ""},
    )


def _listed(viewer, rows):
    casework = viewer.casework_org_ids
    return [
        {
            "public_id": r.public_id,
            "full_name": r.full_name,
            "preferred_name": r.preferred_name,
            "stage": r.stage,
            # A listed resident is either held by the viewer's casework organisation or
            # shared with it by consent: the same rule as access_level.
            "access": (Access.FULL if r.organisation_id in casework else Access.SHARED).value,
            "organisation": _named(r.organisation),
            "updated_at": r.updated_at,
        }
        for r in rows
    ]


# The record's own fields in the answer; each is null where the field policy
# (commonweave/people/visibility.py) hides it from the caller's access level.
RECORD_FIELDS = (
    "public_id",
    "version",
    "stage",
    "stage_changed_at",
    *services.PROFILE_FIELDS,
    "graduated_at",
    "graduation_words",
    "giving_back",
    "closed_at",
    "closed_reason",
    "closed_note",
    "next_action",
    "next_action_due",
    "created_at",
    "updated_at",
)


CONNECTION_FIELDS = ("kind", "name", "description", "status", "made_on")


def _listed_or_none(records, level, row):
    """The records as rows at `level`, or None when the level sees nothing of them."""
    if not visible_fields(records.model, level):
        return None
    return [row(item) for item in shown_all(records, level)]


def _resident_out(resident, access):
    level = access.level
    record = shown(resident, level)
    data = record.values(RECORD_FIELDS)
    data.update(
        access=access.value,
        organisation=_named(record.value("organisation")),
        catalyst=_named(record.value("catalyst")),
        goals=_listed_or_none(resident.goals.all(), level, _goal_out),
        connections=_listed_or_none(
            resident.connections.all(),
            level,
            lambda c: {"id": c.pk, **c.values(CONNECTION_FIELDS)},
        ),
        consents=_listed_or_none(
            resident.consents.select_related("organisation").order_by("purpose", "pk"),
            level,
            lambda c: {
                **c.values(("purpose", "given", "since")),
                "organisation": _named(c.value("organisation")),
            },
        ),
        stages=_listed_or_none(
            resident.stage_changes.all(),
            level,
            lambda s: s.values(("from_stage", "to_stage", "changed_at", "note")),
        ),
        referrals=_listed_or_none(
            resident.referrals.order_by("-received_at", "-pk"),
            level,
            lambda r: r.values(
                ("public_id", "front_door", "received_at", "urgency", "first_contact_at", "reason")
            ),
        ),
        conversations=_listed_or_none(
            resident.conversations.select_related("author"),
            level,
            lambda c: {
                "id": c.pk,
                **c.values(("kind", "happened_at", "notes", "next_action", "next_action_due")),
                "author": _named(c.value("author")),
            },
        ),
    )
    return data


def _goal_out(goal):
    progress = goal.value("progress")
    return {
        "id": goal.pk,
        **goal.values(("text", "created_at", "achieved_at")),
        "progress": None if progress is None else int(progress),
        "progress_label": None if progress is None else GoalProgress(progress).label,
    }


@router.get("/residents/{public_id}", response={200: ResidentOut, **READ})
def resident_detail(request, public_id: str):
    """One resident's record. Shared by consent: no conversation notes, next actions or
    closing notes. Writes one audit event (VIEW)."""
    resident, access = resident_open(request.auth, public_id)
    return _resident_out(resident, access)


# --- changing ----------------------------------------------------------------------------


def _held(viewer, public_id):
    """The resident if the viewer's organisation holds it (full access), else 404."""
    resident, _ = resident_get(viewer, public_id, need=Access.FULL)
    return resident


def _journey(resident):
    return {"public_id": resident.public_id, "stage": resident.stage, "version": resident.version}


@router.patch("/residents/{public_id}", response={200: ProfileOut, **VERSIONED})
@answers_conflict(current_record)
def resident_update(request, public_id: str, payload: ProfilePatch):
    """Change their details and own words. Send the `version` you loaded: if someone saved
    since, nothing is changed and the answer is 409 with the current record."""
    viewer = request.auth
    resident = _held(viewer, public_id)
    with service_errors():
        services.resident_update_profile(
            viewer=viewer, resident=resident, version=payload.version, **payload.changes()
        )
    return {name: getattr(resident, name) for name in ProfileOut.model_fields}


@router.post(
    "/residents/{public_id}/conversations", response={201: Created, **WRITE}, summary="Add a note"
)
def conversation_create(request, public_id: str, payload: ConversationIn):
    viewer = request.auth
    resident = _held(viewer, public_id)
    if payload.next_action_due and not payload.next_action:
        raise InvalidInput({"next_action": "Say what the next action is, or remove its date"})
    with service_errors():
        conversation = services.conversation_add(
            viewer=viewer, resident=resident, **payload.model_dump()
        )
    return Status(201, {"id": conversation.pk, "resident_id": resident.public_id})


@router.post("/residents/{public_id}/goals", response={201: GoalOut, **WRITE})
def goal_create(request, public_id: str, payload: GoalIn):
    viewer = request.auth
    resident = _held(viewer, public_id)
    with service_errors():
        goal = services.goal_add(
            viewer=viewer, resident=resident, text=payload.text, progress=payload.progress
        )
    return Status(201, _goal_out(shown(goal, Access.FULL.level)))


@router.patch("/residents/{public_id}/goals/{goal_id}", response={200: GoalOut, **WRITE})
def goal_update(request, public_id: str, goal_id: int, payload: GoalProgressIn):
    viewer = request.auth
    resident = _held(viewer, public_id)
    goal = resident.goals.filter(pk=goal_id).first()
    if goal is None:
        raise Http404
    goal.resident = resident
    with service_errors():
        services.goal_set_progress(viewer=viewer, goal=goal, progress=payload.progress)
    return _goal_out(shown(goal, Access.FULL.level))


@router.post("/residents/{public_id}/connections", response={201: Created, **WRITE})
def connection_create(request, public_id: str, payload: ConnectionIn):
    viewer = request.auth
    resident = _held(viewer, public_id)
    with service_errors():
        connection = services.connection_add(
            viewer=viewer, resident=resident, **payload.model_dump(exclude_none=True)
        )
    return Status(201, {"id": connection.pk, "resident_id": resident.public_id})


@router.post("/residents/{public_id}/consents", response={201: Created, **WRITE})
def consent_create(request, public_id: str, payload: ConsentIn):
    """Record consent given or withdrawn. Withdrawing sharing ends the partner's access
    from their very next request."""
    viewer = request.auth
    resident = _held(viewer, public_id)
    organisation = None
    if payload.organisation_id is not None:
        organisation = Organisation.objects.filter(
            pk=payload.organisation_id, place_id=resident.place_id
        ).first()
        if organisation is None:
            raise InvalidInput({"organisation_id": "Choose a partner organisation in this place"})
    with service_errors(organisation="organisation_id"):
        event = services.consent_record(
            viewer=viewer,
            resident=resident,
            purpose=payload.purpose,
            given=payload.given,
            method=payload.method,
            wording=payload.wording,
            organisation=organisation,
        )
    return Status(201, {"id": event.pk, "resident_id": resident.public_id})


@router.post("/residents/{public_id}/stage", response={200: JourneyOut, **VERSIONED})
@answers_conflict(current_record)
def stage_move(request, public_id: str, payload: StageIn):
    viewer = request.auth
    resident = _held(viewer, public_id)
    if payload.to_stage in (Stage.GRADUATED, Stage.CLOSED):
        endpoint = "graduate" if payload.to_stage == Stage.GRADUATED else "close"
        raise InvalidInput({"to_stage": f"Use /residents/{{public_id}}/{endpoint} for this"})
    with service_errors(stage="to_stage"):
        services.resident_move_stage(
            viewer=viewer,
            resident=resident,
            to_stage=payload.to_stage,
            version=payload.version,
            note=payload.note,
        )
    return _journey(resident)


@router.post("/residents/{public_id}/graduate", response={200: JourneyOut, **VERSIONED})
@answers_conflict(current_record)
def graduate(request, public_id: str, payload: GraduateIn):
    """Graduate at the person's own pace, with their words on being ready."""
    viewer = request.auth
    resident = _held(viewer, public_id)
    with service_errors():
        services.resident_graduate(
            viewer=viewer,
            resident=resident,
            version=payload.version,
            words=payload.words,
            giving_back=payload.giving_back,
        )
    return _journey(resident)


@router.post("/residents/{public_id}/close", response={200: JourneyOut, **VERSIONED})
@answers_conflict(current_record)
def close(request, public_id: str, payload: CloseIn):
    viewer = request.auth
    resident = _held(viewer, public_id)
    with service_errors(stage="reason"):
        services.resident_close(
            viewer=viewer,
            resident=resident,
            version=payload.version,
            reason=payload.reason,
            note=payload.note,
        )
    return _journey(resident)
