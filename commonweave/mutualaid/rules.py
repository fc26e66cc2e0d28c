"""Who may do what in mutual aid.

Needs, offers and helpers are held by an organisation; its caseworkers (catalysts and
coordinators) run matching for them. Everyone else on staff, another organisation and
another place find nothing (a 404). A helper acts only on their own alerts and matches.
"""

from commonweave.tenancy.viewer import Viewer

from .actors import Helper


def coordinates(viewer, obj) -> bool:
    """The viewer is a caseworker of the organisation holding `obj` (a request, helper or match
    with an `organisation_id`, or a match through its need)."""
    if not isinstance(viewer, Viewer) or obj.place_id != viewer.place.pk:
        return False
    org_id = getattr(obj, "organisation_id", None)
    if org_id is None and hasattr(obj, "need"):
        org_id = obj.need.organisation_id
    return org_id in viewer.casework_org_ids


def is_the_helper(actor, match) -> bool:
    return isinstance(actor, Helper) and actor.volunteer.pk == match.volunteer_id


def can_coordinate(viewer) -> bool:
    return isinstance(viewer, Viewer) and viewer.can_do_casework
