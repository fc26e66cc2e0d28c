"""Connecting a resident to a directory entry, and the follow-ups at 3 and 6 months that ask
whether the connection "took" (this closes the loop no other directory closes).

The connection itself is a people.Connection written by people.services.connection_add
(which checks full access and audits); this module links it to the entry and schedules and
records the follow-ups. Reads of residents go through people.access.
"""

import calendar
import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.people.access import residents_held_by
from commonweave.people.enums import ConnectionStatus
from commonweave.people.models import Connection

from .enums import AssetKind, FollowUpOutcome
from .models import ConnectionLink, FollowUp

FOLLOW_UP_MONTHS = (3, 6)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months later (the month's last day if it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


_KIND_FOR_ASSET = {
    AssetKind.SERVICE: "service",
    AssetKind.GROUP: "group",
    AssetKind.EVENT: "group",
    AssetKind.SPACE: "place",
}

# What a follow-up's answer says about the connection, as the resident's page shows it.
_STATUS_FOR_OUTCOME = {
    FollowUpOutcome.GOING: ConnectionStatus.GOING,
    FollowUpOutcome.STOPPED: ConnectionStatus.STOPPED,
    FollowUpOutcome.NEVER_STARTED: ConnectionStatus.STOPPED,
}


@transaction.atomic
def connect_resident(
    *, viewer, resident, service, made_on=None, description="", status=ConnectionStatus.MADE
):
    """Connect a resident to a directory entry, with follow-ups due at 3 and 6 months.

    Side effects: a people.Connection (audited by people.services.connection_add), a
    ConnectionLink and two FollowUps.
    """
    from commonweave.people.services import connection_add

    if service.place_id != resident.place_id:
        raise PermissionDenied
    connection = connection_add(
        viewer=viewer,
        resident=resident,
        kind=_KIND_FOR_ASSET[service.kind],
        name=service.name,
        description=description,
        made_on=made_on,
        status=status,
    )
    link = ConnectionLink.objects.create(connection=connection, service=service)
    FollowUp.objects.bulk_create(
        FollowUp(
            link=link,
            months=months,
            due_on=add_months(connection.made_on, months),
        )
        for months in FOLLOW_UP_MONTHS
    )
    return link


def set_connection_status(link, status):
    """Keep the resident's connection in step with what the directory learnt about it."""
    Connection.objects.filter(pk=link.connection_id).update(status=status)


@transaction.atomic
def follow_up_answer(*, viewer, follow_up, outcome, why=""):
    """Record whether the connection took. The caller has checked access to the resident.

    Side effects: the FollowUp's answer, the connection's status (still going, or stopped),
    one audit event.
    """
    follow_up.outcome = outcome
    follow_up.why = why
    follow_up.answered_at = timezone.now()
    follow_up.answered_by_id = viewer.user_id
    follow_up.save(update_fields=["outcome", "why", "answered_at", "answered_by"])
    set_connection_status(follow_up.link, _STATUS_FOR_OUTCOME[FollowUpOutcome(outcome)])
    resident = follow_up.link.connection.resident
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.CASEWORK,
        obj=follow_up,
        resident=resident,
    )
    return follow_up


def follow_ups_for(resident):
    """The resident's directory follow-ups, soonest first (the caller has opened the record)."""
    return FollowUp.objects.filter(link__connection__resident=resident).select_related(
        "link__service", "link__referral"
    )


def follow_ups_due(viewer, *, today=None, mine_only=False):
    """Unanswered follow-ups now due, for residents the viewer's organisation holds.

    `mine_only` keeps those on the viewer's own caseload.
    """
    today = today or timezone.localdate()
    residents = residents_held_by(viewer)
    if mine_only:
        residents = residents.filter(catalyst_id=viewer.user_id)
    return (
        FollowUp.objects.filter(
            outcome="", due_on__lte=today, link__connection__resident__in=residents
        )
        .select_related("link__service", "link__connection__resident")
        .order_by("due_on", "pk")
    )
