"""How learning objects are written out (a lost race is answered by
core.api.conflicts.answers_conflict, with these writers)."""

from django.utils import timezone

from commonweave.core.visibility import Level, shown

from .. import rules, selectors
from ..enums import Column


def published(count):
    return {"value": count.value, "label": count.label}


def action_out(action, today=None):
    return {
        "public_id": action.public_id,
        "version": action.version,
        "barrier_id": action.barrier.public_id,
        "description": action.description,
        "owner": action.owner_label,
        "owner_organisation": {
            "id": action.owner_organisation_id,
            "name": action.owner_organisation.name,
        },
        "due_on": action.due_on,
        "status": action.status,
        "overdue": action.is_overdue(today or timezone.localdate()),
    }


def stories_out(viewer, stories, *, audit=True):
    """Stories through the field policy: whom a story is about only where
    story_identities shows that person to this viewer, else the story under no name."""
    identities = selectors.story_identities(viewer, stories, audit=audit)
    out = []
    for story in stories:
        resident = identities.get(story.pk)
        record = shown(story, Level.SHARED if resident else Level.PSEUDONYMOUS)
        out.append(
            {
                **record.values(("public_id", "version", "title", "text")),
                "resident": {"public_id": resident.public_id, "name": resident.display_name}
                if record.may_show("resident") and resident
                else None,
                "barriers": [b.public_id for b in story.barriers.all()],
            }
        )
    return out


def barrier_summary(viewer, barrier, cases):
    return {
        "public_id": barrier.public_id,
        "version": barrier.version,
        "title": barrier.title,
        "quadrant": barrier.quadrant,
        "service_area": barrier.service_area,
        "level": barrier.level,
        "cases": published(selectors.published(viewer, cases)),
        "withdrawn": barrier.withdrawn_at is not None,
        "updated_at": barrier.updated_at,
    }


def session_out(viewer, session):
    contents = selectors.session_contents(viewer, session)
    today = timezone.localdate()
    return {
        "public_id": session.public_id,
        "version": session.version,
        "title": session.title,
        "held_on": session.held_on,
        "notes": session.notes,
        "decisions": session.decisions,
        "attendees": [
            {"name": a.name, "organisation": a.organisation_label} for a in contents["attendees"]
        ],
        "stories": stories_out(viewer, contents["stories"]),
        "actions": [action_out(a, today) for a in contents["actions"]],
    }


def barrier_out(viewer, barrier):
    stories = list(barrier.stories.prefetch_related("barriers").order_by("-created_at"))
    today = timezone.localdate()
    trend = selectors.published_trends(viewer, [barrier.pk], months=12)[barrier.pk]
    actions = barrier.actions.select_related("owner", "owner_organisation").order_by("due_on")
    for action in actions:
        action.barrier = barrier
    timeline = selectors.barrier_timeline(barrier)
    return {
        # The same published count as the barrier list's (cell-keyed), not a second rule.
        **barrier_summary(
            viewer, barrier, selectors.case_counts([barrier.pk], keyed=True)[barrier.pk]
        ),
        "description": barrier.description,
        "withdrawn_reason": barrier.withdrawn_reason,
        "same_as": barrier.same_as.public_id if barrier.same_as_id else None,
        "trend": [{"month": month, "cases": published(n)} for month, n in trend],
        "history": [
            {"from_level": c.from_level, "to_level": c.to_level, "evidence": c.evidence, "at": c.at}
            for kind, c in timeline
            if kind == "level"
        ],
        "changes": [
            {"kind": c.kind, "changes": c.changes, "note": c.note, "at": c.at}
            for kind, c in timeline
            if kind == "change"
        ],
        "stories": stories_out(viewer, stories),
        "actions": [action_out(a, today) for a in actions],
    }


def log_entry_out(viewer, entry):
    return {
        "public_id": entry.public_id,
        "version": entry.version,
        "kind": entry.kind,
        "title": entry.title,
        "body": entry.body,
        "tried": entry.tried,
        "happened": entry.happened,
        "learnt": entry.learnt,
        "will_change": entry.will_change,
        "tags": [t.name for t in entry.tags.all()],
        "barriers": [{"public_id": b.public_id, "title": b.title} for b in entry.barriers.all()],
        "organisation": {"id": entry.organisation_id, "name": entry.organisation.name}
        if entry.organisation_id
        else None,
        "created_at": entry.created_at,
        "can_change": rules.can_change_entry(viewer, entry),
    }


def card_out(viewer, card):
    """A card with .vote_count and .voted (from selectors.board_columns/card_with_votes)."""
    return {
        "id": card.pk,
        "version": card.version,
        "column": card.column,
        "text": card.text,
        "votes": card.vote_count,
        "voted": card.voted,
        "can_change": rules.can_change_card(viewer, card),
        "created_at": card.created_at,
    }


def board_summary(board):
    return {
        "public_id": board.public_id,
        "title": board.title,
        "session_id": board.session.public_id if board.session_id else None,
        "cards": board.card_count,
        "created_at": board.created_at,
    }


def board_out(viewer, board):
    return {
        "public_id": board.public_id,
        "title": board.title,
        "session_id": board.session.public_id if board.session_id else None,
        "created_at": board.created_at,
        "columns": [
            {
                "column": column.value,
                "label": Column(column).label,
                "cards": [card_out(viewer, card) for card in cards],
            }
            for column, cards in selectors.board_columns(board, viewer)
        ],
    }


def partnership_out(viewer):
    partnership = selectors.partnership_for(viewer)
    place = viewer.place
    place.refresh_from_db(fields=["phase"])
    history = []
    for kind, change in selectors.partnership_history(viewer):
        if kind == "phase":
            history.append(
                {
                    "kind": kind,
                    "at": change.at,
                    "from_phase": change.from_phase,
                    "to_phase": change.to_phase,
                    "note": change.note,
                }
            )
        else:
            history.append({"kind": kind, "at": change.at, "changes": change.changes})
    return {
        "version": partnership.version,
        "phase": place.phase,
        "phase_label": place.get_phase_display(),
        "challenge": partnership.challenge,
        "aims": partnership.aim_list,
        "values": partnership.value_list,
        "partners": partnership.partners,
        "governance": partnership.governance,
        "organisations": [
            {"id": o.pk, "name": o.name, "kind": o.kind} for o in selectors.organisations_of(viewer)
        ],
        "updated_at": partnership.updated_at,
        "can_change": rules.can_change_partnership(viewer),
        "history": history,
    }


def pack_job_out(pack):
    from ..pack_jobs import pack_ready

    job = pack.job
    ready = bool(pack_ready(pack))
    return {
        "job_id": job.public_id,
        "session_id": pack.session.public_id,
        "status": job.status,
        "percent": job.percent,
        "message": job.message,
        "ready": ready,
        "downloaded": pack.downloaded_at is not None,
        "expires_at": pack.expires_at,
        "download": f"/api/learning/pack-jobs/{job.public_id}/pdf" if ready else None,
    }
