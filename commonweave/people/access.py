"""Who may open which resident record or referral, and how much of it.

Every read of a personal record goes through here: `resident_open` and `referral_open`
load, check and audit in one step; a page that already holds a resident it loaded with
`resident_get` audits its read with `resident_viewed`. Each writes exactly one audit
event. Another organisation's resident or referral is a 404, never a 403.
"""

import enum

from django.db.models import Q, QuerySet
from django.http import Http404

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.visibility import Level
from commonweave.tenancy.enums import Role
from commonweave.tenancy.viewer import Viewer

from .enums import ConsentPurpose
from .models import Consent, Referral, Resident


class Access(enum.Enum):
    NONE = "none"
    SHARED = "shared"  # consented sharing: the record without conversation notes, read-only
    FULL = "full"  # the holding organisation's caseworkers
    # Whoever made a referral, following it up: the referral as they sent it and the
    # person's name (referral_access; never a resident's record).
    REFERRER = "referrer"

    @property
    def level(self) -> Level:
        """The field-policy level this access renders at (commonweave/people/visibility.py)."""
        if self is Access.NONE:
            raise ValueError("no access shows nothing")
        return Level(self.value)


# Roles that may see a record shared with their organisation by consent. Analysts and
# place admins (in those roles alone) see aggregates and administration, not people.
SHARE_ROLES = (Role.CATALYST, Role.COORDINATOR, Role.PARTNER_WORKER)


def residents_visible_to(viewer: Viewer | None) -> QuerySet[Resident]:
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


def residents_held_by(viewer: Viewer | None) -> QuerySet[Resident]:
    """Residents held by the viewer's casework organisations (full access)."""
    if not viewer or not viewer.casework_org_ids:
        return Resident.objects.none()
    return Resident.objects.active().filter(
        place=viewer.place, organisation_id__in=viewer.casework_org_ids
    )


def access_level(viewer: Viewer | None, resident: Resident) -> Access:
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


def resident_get(
    viewer: Viewer | None, public_id: str, *, need: Access = Access.SHARED
) -> tuple[Resident, Access]:
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


def resident_open(
    viewer: Viewer | None,
    public_id: str,
    *,
    purpose: Purpose | None = None,
    need: Access = Access.SHARED,
) -> tuple[Resident, Access]:
    """Open a resident's record for reading: returns (resident, access) and writes one
    audit event (a VIEW with the why-code), or raises Http404."""
    resident, access = resident_get(viewer, public_id, need=need)
    _audit_view(viewer, resident, access, purpose)
    return resident, access


def resident_viewed(
    viewer: Viewer | None, resident: Resident, *, purpose: Purpose | None = None
) -> Access:
    """Audit one read of a resident the caller already holds (loaded with resident_get),
    so a page does not load the record twice: one VIEW, as resident_open writes. Checks
    access again (no query for the holding organisation) and raises Http404 if none."""
    access = access_level(viewer, resident)
    if access is Access.NONE:
        raise Http404
    _audit_view(viewer, resident, access, purpose)
    return access


def _audit_view(
    viewer: Viewer | None, resident: Resident, access: Access, purpose: Purpose | None
) -> None:
    audit_record(
        viewer=viewer,
        action=Action.VIEW,
        purpose=purpose or (Purpose.CASEWORK if access is Access.FULL else Purpose.SHARED),
        obj=resident,
        resident=resident,
    )


def referral_access(viewer: Viewer | None, referral: Referral) -> Access:
    """How much of a referral of the viewer's place they may see, without a query:
    FULL for the caseworkers of the organisation holding the person; REFERRER for the
    organisation that made it (its caseworkers and partner workers) or the person who
    made it, while they still work there; otherwise NONE. A public referral has no
    referrer, so it is no one's but the holding organisation's."""
    if not viewer or referral.place_id != viewer.place.pk:
        return Access.NONE
    if referral.resident.organisation_id in viewer.casework_org_ids:
        return Access.FULL
    made_by = referral.referring_organisation_id
    if made_by is None or made_by not in viewer.member_org_ids:
        return Access.NONE
    # An API token has no user: a missing referred_by must not match it.
    made_it = viewer.user_id is not None and referral.referred_by_id == viewer.user_id
    if made_by in viewer.org_ids(*SHARE_ROLES) or made_it:
        return Access.REFERRER
    return Access.NONE


def referral_open(
    viewer: Viewer | None, public_id: str, *, purpose: Purpose | None = None
) -> tuple[Referral, Access]:
    """Open a referral for reading: returns (referral, access), FULL or REFERRER, and
    writes one audit event (a VIEW: triage for the holding organisation, referrer for
    the one that made it), or raises Http404."""
    if not viewer:
        raise Http404
    referral = (
        Referral.objects.select_related("resident", "referring_organisation")
        .filter(public_id=public_id, place=viewer.place)
        .first()
    )
    if referral is None:
        raise Http404
    access = referral_access(viewer, referral)
    if access is Access.NONE:
        raise Http404
    audit_record(
        viewer=viewer,
        action=Action.VIEW,
        purpose=purpose or (Purpose.TRIAGE if access is Access.FULL else Purpose.REFERRER),
        obj=referral,
        resident=referral.resident,
    )
    return referral, access


def resident_log_open(viewer: Viewer | None, public_id: str) -> tuple[Resident, bool]:
    """Open "who has seen this record" for a resident of the viewer's place: for its
    place admins and the holding organisation's caseworkers. Returns (resident, holds),
    `holds` when the viewer may also see the record itself (and so its name), and writes
    one audit event; anyone else gets Http404."""
    if not viewer:
        raise Http404
    resident = (
        Resident.objects.select_related("organisation")
        .filter(public_id=public_id, place=viewer.place)
        .first()
    )
    if resident is None:
        raise Http404
    holds = access_level(viewer, resident) is Access.FULL
    if not (holds or viewer.is_place_admin):
        raise Http404
    audit_record(
        viewer=viewer,
        action=Action.VIEW,
        purpose=Purpose.ADMIN,
        object_type="audit.resident_log",
        object_id=resident.public_id,
        resident=resident,
    )
    return resident, holds
