"""Reads for place administration. Each takes the viewer and stays inside its place."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone

from commonweave.accounts.models import User

from .models import ApiToken, Invitation, Membership, Organisation, Place, hash_secret
from .viewer import Viewer


@dataclass
class MemberRow:
    user: User
    roles: list[str] = field(default_factory=list)  # role labels, in a stable order


@dataclass
class OrganisationMembers:
    organisation: Organisation
    members: list[MemberRow]


def organisations_in_place(viewer: Viewer) -> QuerySet[Organisation]:
    return Organisation.objects.filter(place=viewer.place).order_by("name")


def organisations_with_members(viewer: Viewer) -> list[OrganisationMembers]:
    """Every organisation in the place with its members and their roles (two queries)."""
    memberships = Membership.objects.select_related("user").order_by("user__name", "role")
    organisations = organisations_in_place(viewer).prefetch_related(
        Prefetch("memberships", queryset=memberships)
    )
    result = []
    for organisation in organisations:
        rows: dict[int, MemberRow] = {}
        for membership in organisation.memberships.all():
            row = rows.setdefault(membership.user_id, MemberRow(user=membership.user))
            row.roles.append(membership.get_role_display())
        result.append(OrganisationMembers(organisation=organisation, members=list(rows.values())))
    return result


def member_in_place(viewer: Viewer, user_id: int) -> User | None:
    """A user with at least one role in the viewer's place, or None (so: a 404)."""
    return (
        User.objects.filter(pk=user_id, memberships__organisation__place=viewer.place)
        .distinct()
        .first()
    )


def member_roles(viewer: Viewer, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, organisation__place=viewer.place)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    )


def membership_in_place(viewer: Viewer, membership_id: int) -> Membership | None:
    return (
        Membership.objects.filter(pk=membership_id, organisation__place=viewer.place)
        .select_related("organisation", "user")
        .first()
    )


def open_invitations(viewer: Viewer) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(
            organisation__place=viewer.place,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("organisation")
        .order_by("-created_at")
    )


def invitation_in_place(viewer: Viewer, invitation_id: int) -> Invitation | None:
    return (
        Invitation.objects.filter(pk=invitation_id, organisation__place=viewer.place)
        .select_related("organisation")
        .first()
    )


def open_invitation_by_token(raw_token: str) -> Invitation | None:
    """The invitation a link points to, only while it can still be used. Unknown,
    expired, withdrawn and used links all give None, so a page cannot tell them apart."""
    if not raw_token or len(raw_token) > 100:
        return None
    invitation = (
        Invitation.objects.filter(token_hash=hash_secret(raw_token))
        .select_related("organisation__place")
        .first()
    )
    if invitation is None or not invitation.is_open:
        return None
    return invitation


def api_tokens(viewer: Viewer) -> QuerySet[ApiToken]:
    return (
        ApiToken.objects.filter(organisation__place=viewer.place)
        .select_related("organisation")
        .order_by(F("revoked_at").asc(nulls_first=True), "-created_at")
    )


def api_token_in_place(viewer: Viewer, token_id: int) -> ApiToken | None:
    return (
        ApiToken.objects.filter(pk=token_id, organisation__place=viewer.place)
        .select_related("organisation")
        .first()
    )


def places_for_user(user: User | AnonymousUser) -> QuerySet[Place]:
    """The places where a user holds at least one role (the place switcher's choices)."""
    if not isinstance(user, User):  # not signed in
        return Place.objects.none()
    return Place.objects.filter(organisations__memberships__user=user).distinct().order_by("name")


def token_names(place: Place, prefixes: set[str]) -> dict[tuple[int | None, str], str]:
    """{(organisation_id, prefix): name} of the place's API tokens with these prefixes, in
    one query: how the audit log names a token that acted (audit.selectors.token_names)."""
    tokens = ApiToken.objects.filter(organisation__place=place, prefix__in=prefixes).values_list(
        "organisation_id", "prefix", "name"
    )
    return {(org_id, prefix): name for org_id, prefix, name in tokens}
