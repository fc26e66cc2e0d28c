"""Who may do what with the partnership's money.

* A fund is **run** by the coordinators and place admins of the organisation holding it:
  they add money, decide awards (as themselves: an API token cannot approve), pay and
  reverse.
* A **personal** grant is asked for by a caseworker holding the resident's record, and
  seen by them and by the fund's runners (each read audited).
* A **community** grant is asked for and seen by the fund's runners and the caseworkers
  of its organisation.
* A **mutual-aid** cost is asked for by the caseworkers holding the need, and seen by them
  and the fund's runners.

Everyone else, another organisation and another place, finds nothing: a 404.
"""

from commonweave.mutualaid import rules as aid_rules
from commonweave.people.access import Access, access_level
from commonweave.tenancy.enums import Role
from commonweave.tenancy.viewer import Viewer

from .enums import RecipientKind

RUNNER_ROLES = (Role.COORDINATOR, Role.PLACE_ADMIN)


def in_place(viewer, obj) -> bool:
    return isinstance(viewer, Viewer) and obj.place_id == viewer.place.pk


def runs(viewer, fund) -> bool:
    """The viewer runs the fund: a coordinator or place admin of its organisation."""
    return in_place(viewer, fund) and fund.organisation_id in viewer.org_ids(*RUNNER_ROLES)


def may_see_funds(viewer) -> bool:
    return isinstance(viewer, Viewer) and bool(viewer.org_ids(*RUNNER_ROLES))


def may_ask_for(viewer, fund, *, kind, resident=None, aid_request=None) -> bool:
    """The viewer may ask this fund for money for this recipient."""
    if not in_place(viewer, fund):
        return False
    if kind == RecipientKind.RESIDENT:
        return (
            fund.personal
            and resident is not None
            and resident.place_id == viewer.place.pk
            and access_level(viewer, resident) is Access.FULL
        )
    if kind == RecipientKind.AID_REQUEST:
        return (
            fund.mutual_aid
            and aid_request is not None
            and aid_rules.coordinates(viewer, aid_request)
        )
    return fund.community and (
        runs(viewer, fund) or fund.organisation_id in viewer.casework_org_ids
    )


def may_see(viewer, award) -> bool:
    """The viewer may open this award."""
    if not in_place(viewer, award):
        return False
    if runs(viewer, award.fund):
        return True
    if award.recipient_kind == RecipientKind.RESIDENT:
        return access_level(viewer, award.resident) is Access.FULL
    if award.recipient_kind == RecipientKind.AID_REQUEST:
        return aid_rules.coordinates(viewer, award.aid_request)
    return award.fund.organisation_id in viewer.casework_org_ids
