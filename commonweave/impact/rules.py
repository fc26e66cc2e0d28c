"""Who may read and make social value figures.

Coordinators, analysts and place admins of a place see its value library and its recipes,
and make recipes: the numbers behind a £ figure are aggregates, which is their work.
Only a place admin loads a local (licensed) value. Anyone else, and every other place,
finds nothing: a 404.
"""

from commonweave.tenancy.enums import Role
from commonweave.tenancy.viewer import Viewer

VALUER_ROLES = (Role.COORDINATOR, Role.ANALYST, Role.PLACE_ADMIN)


def may_value(viewer) -> bool:
    """The viewer may see the value library and the place's recipes, and make recipes."""
    return isinstance(viewer, Viewer) and viewer.has_role(*VALUER_ROLES)


def may_load_values(viewer) -> bool:
    """The viewer may load a local value for the place (confirming its licence)."""
    return isinstance(viewer, Viewer) and viewer.is_place_admin


def in_place(viewer, obj) -> bool:
    return isinstance(viewer, Viewer) and obj.place_id == viewer.place.pk


# The theory of change (docs/impact.md, "Theory of change"). It is the partnership's shared
# plan, holding no one's data and no count of people: everyone who sees the place's
# published numbers reads it, and so do partner workers, whose services are part of it.
THEORY_EDITOR_ROLES = (Role.COORDINATOR, Role.PLACE_ADMIN)


def may_read_theory(viewer) -> bool:
    """The viewer may read the place's theory of change and its history."""
    return isinstance(viewer, Viewer) and (
        viewer.can_see_aggregates or viewer.has_role(Role.PARTNER_WORKER)
    )


def may_edit_theory(viewer) -> bool:
    """The viewer may save a new version of the place's theory of change."""
    return isinstance(viewer, Viewer) and viewer.has_role(*THEORY_EDITOR_ROLES)
