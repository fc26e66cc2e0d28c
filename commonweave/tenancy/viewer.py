"""Who is asking, in which place: the one object every selector and service takes.

A signed-in user and an organisation's API token both become a Viewer, so pages and
the API apply exactly the same access rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.http import Http404

from commonweave.accounts.models import User

from .enums import CASEWORK_ROLES, Role
from .models import ApiToken, Membership, Place

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

# (organisation_id, role) pairs.
Grants = frozenset[tuple[int, str]]


@dataclass(frozen=True)
class Viewer:
    place: Place
    user: User | None = None
    token: ApiToken | None = None
    # (organisation_id, role) pairs this viewer holds in the place.
    grants: Grants = field(default_factory=frozenset)

    def org_ids(self, *roles: str) -> frozenset[int]:
        wanted = set(roles) if roles else None
        return frozenset(org for org, role in self.grants if wanted is None or role in wanted)

    @property
    def casework_org_ids(self) -> frozenset[int]:
        return self.org_ids(*CASEWORK_ROLES)

    @property
    def member_org_ids(self) -> frozenset[int]:
        return self.org_ids()

    def has_role(self, *roles: str) -> bool:
        return any(role in roles for _, role in self.grants)

    @property
    def is_place_admin(self) -> bool:
        return self.has_role(Role.PLACE_ADMIN)

    @property
    def can_do_casework(self) -> bool:
        return bool(self.casework_org_ids)

    @property
    def can_see_aggregates(self) -> bool:
        return self.has_role(Role.ANALYST, Role.PLACE_ADMIN, Role.COORDINATOR, Role.CATALYST)

    @property
    def can_refer(self) -> bool:
        return bool(self.grants)

    @property
    def primary_org_id(self) -> int | None:
        """The organisation this viewer acts for when one must be named (e.g. in the audit log)."""
        if self.token is not None:
            return self.token.organisation_id
        casework = sorted(self.casework_org_ids)
        if casework:
            return casework[0]
        members = sorted(self.member_org_ids)
        return members[0] if members else None

    @property
    def user_id(self) -> Any:
        return getattr(self.user, "pk", None)

    @property
    def label(self) -> str:
        if self.user is not None:
            return f"user:{self.user.pk}"
        if self.token is not None:
            return f"token:{self.token.prefix}"
        return "anonymous"


def viewer_for_user(user: User | AnonymousUser | None, place: Place | None) -> Viewer | None:
    """The viewer for a signed-in user in a place, or None if they have no role there."""
    if place is None or not isinstance(user, User) or not user.is_active:
        return None
    grants = frozenset(
        Membership.objects.filter(user=user, organisation__place=place).values_list(
            "organisation_id", "role"
        )
    )
    if not grants:
        return None
    return Viewer(place=place, user=user, grants=grants)


def viewer_for_token(token: ApiToken) -> Viewer:
    org = token.organisation
    return Viewer(place=org.place, token=token, grants=frozenset({(org.pk, token.role)}))


def public_viewer(place: Place) -> Viewer:
    """Someone without an account, e.g. using the public referral form."""
    return Viewer(place=place)


def viewer_or_404(request: Any, may: Callable[[Viewer], bool] | None = None) -> Viewer:
    """The page's viewer: the signed-in person in their current place (set by the place
    middleware). No role there, or a rule `may(viewer)` that says no, is a 404: the same
    answer as for a page that does not exist."""
    # request.viewer is a lazy object: `not viewer` asks the Viewer (or None) inside it.
    viewer: Viewer | None = getattr(request, "viewer", None)
    if not viewer or (may is not None and not may(viewer)):
        raise Http404
    return viewer
