"""Who may open which resident record, and how much of it.

Every read of a personal record goes through `resident_open`, which writes exactly one
audit event. Another organisation's resident is a 404, never a 403.
"""

import enum

from django.db.models import Q
from django.http import Http404

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.tenancy.enums import Role

from .enums import ConsentPurpose
from .models import Consent, Resident


class Access(enum.Enum):
    NONE = "none"
    SHARED = "shared"  # consented sharing: the record without conversation notes, read-only
    FULL = "full"  # the holding organisation's caseworkers


# Roles that may see a record shared with their organisation by consent. Analysts and
# place admins (in those roles alone) see aggregates and administration, not people.
SHARE_ROLES = (Role.CATALYST, Role.COORDINATOR, Role.PARTNER_WORKER)


def residents_visible_to(viewer):
    """Residents this viewer may open, fully or by consented sharing."""
    if not viewer:
        return Resident.objects.none()
    casework = viewer.casework_org_ids
    share_orgs = viewer.org_ids(*SHARE_ROLES)
    if not casework and not share_orgs:
        return Resident.objects.none()
    condition = Q(organisation_id__in=casework)
    if share_orgs:
        shared = Consent.objects.filter(
            purpose=ConsentPurpose.SHARE, given=True, organisation_id__in=share_orgs
        ).values("resident_id")
        condition |= Q(pk__in=shared)
    return Resident.objects.active().filter(place=viewer.place).filter(condition)


def residents_held_by(viewer):
    """Residents held by the viewer's casework organisations (full access)."""
    if not viewer or not viewer.casework_org_ids:
        return Resident.objects.none()
    return Resident.objects.active().filter(
        place=viewer.place, organisation_id__in=viewer.casework_org_ids
    )


def access_level(viewer, resident) -> Access:
    if not viewer or resident.place_id != viewer.place.pk or resident.merged_into_id:
        return Access.NONE
    if resident.organisation_id in viewer.casework_org_ids:
        return Access.FULL
    share_orgs = viewer.org_ids(*SHARE_ROLES)
    if (
        share_orgs
        and Consent.objects.filter(
            resident=resident,
            purpose=ConsentPurpose.SHARE,
            given=True,
            organisation_id__in=share_orgs,
        ).exists()
    ):
        return Access.SHARED
    return Access.NONE


def resident_get(viewer, public_id, *, need=Access.SHARED):
    """The resident if the viewer may see it at level `need`, else Http404. Not audited:
    callers either audit a change through a service or call resident_open."""
    resident = (
        Resident.objects.select_related("organisation", "catalyst", "place")
        .filter(public_id=public_id)
        .first()
    )
    if resident is None:
        raise Http404
    access = access_level(viewer, resident)
    if access is Access.NONE or (need is Access.FULL and access is not Access.FULL):
        raise Http404
    return resident, access


def resident_open(viewer, public_id, *, purpose=None, need=Access.SHARED):
    """Open a resident's record for reading: returns (resident, access) and writes one
    audit event (a VIEW with the why-code), or raises Http404."""
    resident, access = resident_get(viewer, public_id, need=need)
    audit_record(
        viewer=viewer,
        action=Action.VIEW,
        purpose=purpose or (Purpose.CASEWORK if access is Access.FULL else Purpose.SHARED),
        obj=resident,
        resident=resident,
    )
    return resident, access
