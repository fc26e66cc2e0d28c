"""Place administration: the place's sign-in rule, organisations, roles, deactivating
accounts, invitations and API tokens.

Every change runs in a transaction and writes one audit event (purpose ADMIN) naming the
Place, Organisation, Membership, User, Invitation or ApiToken by id. Audit details hold
ids and role codes only: never a name or an email address.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonweave.accounts.models import User
from commonweave.accounts.two_factor import has_confirmed_device
from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record

from .enums import Role
from .models import ApiToken, Invitation, Membership, Organisation, Place, hash_secret
from .tokens import issue_api_token, revoke_api_token
from .viewer import Viewer

INVITATION_LIFETIME = timedelta(days=7)
LAST_ADMIN_ERROR = (
    "You cannot remove the last place admin. Make someone else a place admin first, "
    "so someone can still manage people and roles."
)
INVITATION_CLOSED = "This invitation can no longer be used"
OWN_TWO_FACTOR_FIRST = _(
    "Turn on two-factor sign-in for your own account first, so you know what your "
    "colleagues will be asked to do"
)
NOT_YOURSELF = _(
    "You cannot deactivate your own account or remove yourself here. Ask another place admin."
)
LAST_ACTIVE_ADMIN = _(
    "This would leave the place without a place admin who can sign in. Make someone else "
    "a place admin first."
)


def _same_place(viewer: Viewer, organisation: Organisation) -> None:
    if organisation.place_id != viewer.place.pk:
        # Views only offer organisations in the place; this guards the service itself.
        raise ValidationError("Choose an organisation in this place")


def _audit(viewer: Viewer, action: str, obj: models.Model, detail: dict[str, Any]) -> None:
    audit_record(viewer=viewer, action=action, purpose=Purpose.ADMIN, obj=obj, detail=detail)


def _require_admin(viewer: Viewer | None) -> None:
    # Views give everyone else a 404 first; this guards the services themselves.
    if not viewer or not viewer.is_place_admin:
        raise PermissionDenied


# --- the place's sign-in rule ------------------------------------------------------------


@transaction.atomic
def place_two_factor_set(*, viewer: Viewer, required: bool) -> Place:
    """Require (or stop requiring) two-factor sign-in of everyone with a role in the
    viewer's place. While required, anyone without an authenticator is sent to set one up
    before anything else there (accounts.middleware).

    Refuses to turn it on for an admin without an authenticator of their own.
    Side effects: updates the place, writes an audit event when it changes.
    """
    _require_admin(viewer)
    place = Place.objects.select_for_update().get(pk=viewer.place.pk)
    if required and not has_confirmed_device(viewer.user):
        raise ValidationError(OWN_TWO_FACTOR_FIRST, code="own_two_factor_first")
    if place.require_two_factor != required:
        place.require_two_factor = required
        place.save(update_fields=["require_two_factor"])
        change = "two_factor_required" if required else "two_factor_not_required"
        _audit(viewer, Action.UPDATE, place, {"change": change})
    return place


# --- organisations -----------------------------------------------------------------------


@transaction.atomic
def organisation_create(*, viewer: Viewer, name: str, kind: str) -> Organisation:
    """Add a partner organisation to the viewer's place. Side effects: audit event."""
    organisation = Organisation.objects.create(place=viewer.place, name=name, kind=kind)
    _audit(viewer, Action.CREATE, organisation, {"kind": kind})
    return organisation


@transaction.atomic
def organisation_update(
    *, viewer: Viewer, organisation: Organisation, name: str, kind: str
) -> Organisation:
    """Rename an organisation or change its kind. Side effects: audit event."""
    _same_place(viewer, organisation)
    changed = [
        attribute
        for attribute, value in (("name", name), ("kind", kind))
        if getattr(organisation, attribute) != value
    ]
    if changed:
        organisation.name = name
        organisation.kind = kind
        organisation.save(update_fields=changed)
        _audit(viewer, Action.UPDATE, organisation, {"changed": changed, "kind": kind})
    return organisation


# --- roles -------------------------------------------------------------------------------


@transaction.atomic
def membership_add(
    *, viewer: Viewer, user: User, organisation: Organisation, role: str
) -> Membership:
    """Give `user` a role in an organisation of the place. Side effects: audit event."""
    _same_place(viewer, organisation)
    if Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
        raise ValidationError(f"They are already {Role(role).label.lower()} at {organisation.name}")
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    _audit(
        viewer,
        Action.CREATE,
        membership,
        {"user": user.pk, "organisation": organisation.pk, "role": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, viewer: Viewer, membership: Membership) -> None:
    """Take a role away. The place always keeps at least one place admin.

    Side effects: deletes the membership (access ends on the person's next request),
    writes an audit event. Raises ValidationError for the last place admin.
    """
    _same_place(viewer, membership.organisation)
    if membership.role == Role.PLACE_ADMIN:
        # Lock every place-admin role in the place, so two admins removing each other at
        # the same moment cannot leave the place with none.
        # A deactivated admin cannot sign in, so does not count.
        admins = list(
            Membership.objects.select_for_update()
            .filter(organisation__place=viewer.place, role=Role.PLACE_ADMIN, user__is_active=True)
            .values_list("pk", "user_id")
        )
        others = {user_id for pk, user_id in admins if pk != membership.pk}
        if not others:
            raise ValidationError(LAST_ADMIN_ERROR, code="last_admin")
    detail = {
        "change": "role_removed",
        "user": membership.user_id,
        "organisation": membership.organisation_id,
        "role": membership.role,
    }
    membership_id = membership.pk
    deleted, _ = Membership.objects.filter(pk=membership_id).delete()
    if deleted:
        audit_record(
            viewer=viewer,
            action=Action.UPDATE,
            purpose=Purpose.ADMIN,
            object_type="tenancy.membership",
            object_id=str(membership_id),
            detail=detail,
        )


# --- deactivating an account, or removing someone from the place ------------------------


@dataclass(frozen=True)
class MemberReach:
    """What "deactivate" means for one member, seen from the admin's place."""

    works_elsewhere: bool  # a role in another place (or an operator of the whole instance)
    tokens: list[ApiToken]  # live API tokens they issued in this place: these stop working

    @property
    def action(self) -> str:
        return "remove" if self.works_elsewhere else "deactivate"


def member_reach(viewer: Viewer, user: User) -> MemberReach:
    """Whether the admin may deactivate `user` outright, or only remove them from the
    place, and which tokens either would revoke."""
    elsewhere = (
        user.is_superuser
        or Membership.objects.filter(user=user).exclude(organisation__place=viewer.place).exists()
    )
    tokens = list(
        ApiToken.objects.filter(
            created_by=user, organisation__place=viewer.place, revoked_at__isnull=True
        ).order_by("created_at")
    )
    return MemberReach(works_elsewhere=elsewhere, tokens=tokens)


def _end_sessions(user: User) -> int:
    """Delete every stored session of `user`; returns how many.

    Deactivating already refuses their sessions on the next request (Django's backend
    drops an inactive user); deleting them as well keeps nothing of theirs signed in.
    Only a session store that lists its sessions (the database, as configured) can be
    searched; with another store the deactivation alone signs them out.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        return 0
    ended = 0
    sessions = store_class.get_model_class().objects.filter(expire_date__gt=timezone.now())
    for session in sessions.iterator(chunk_size=500):
        if session.get_decoded().get(AUTH_SESSION_KEY) == str(user.pk):
            store_class(session_key=session.session_key).delete()
            ended += 1
    return ended


def _revoke_issued_tokens(viewer: Viewer, tokens: Iterable[ApiToken], reason: str) -> None:
    for token in tokens:
        revoke_api_token(token)
        _audit(
            viewer,
            Action.UPDATE,
            token,
            {"change": "revoked", "prefix": token.prefix, "reason": reason},
        )


@transaction.atomic
def member_deactivate(*, viewer: Viewer, user: User) -> str:
    """Take away someone's access to the viewer's place at once.

    If all their roles are in this place, their account is deactivated: they cannot sign
    in, every session of theirs ends (the next request is signed out) and the API tokens
    they issued here are revoked (the next call is a 401). If they also work in another
    place (or run the whole instance), this admin cannot close their account: they are
    removed from this place only (every role here, the tokens they issued here, open
    invitations here), and keep their account for their work elsewhere.

    Returns "deactivated" or "removed". Raises ValidationError for yourself, or when it
    would leave the place without a place admin who can sign in. Side effects: audit
    events for the account (or each role) and for each token.
    """
    _require_admin(viewer)
    if user.pk == viewer.user_id:
        raise ValidationError(NOT_YOURSELF, code="self")
    user = User.objects.select_for_update().get(pk=user.pk)
    in_place = list(
        Membership.objects.select_for_update().filter(user=user, organisation__place=viewer.place)
    )
    if not in_place:
        raise ValidationError(_("They have no role in this place"), code="not_here")
    # Lock the place's admin roles, so two admins taking each other out at the same moment
    # cannot leave the place with no one to manage it.
    other_admins = (
        Membership.objects.select_for_update()
        .filter(organisation__place=viewer.place, role=Role.PLACE_ADMIN, user__is_active=True)
        .exclude(user=user)
    )
    if not list(other_admins.values_list("pk", flat=True)):
        raise ValidationError(LAST_ACTIVE_ADMIN, code="last_admin")
    reach = member_reach(viewer, user)
    Invitation.objects.filter(
        organisation__place=viewer.place,
        email__iexact=user.email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())
    if reach.works_elsewhere:
        _revoke_issued_tokens(viewer, reach.tokens, "issuer_removed")
        for membership in in_place:
            detail = {
                "change": "role_removed",
                "user": user.pk,
                "organisation": membership.organisation_id,
                "role": membership.role,
            }
            membership_id = membership.pk
            membership.delete()
            audit_record(
                viewer=viewer,
                action=Action.UPDATE,
                purpose=Purpose.ADMIN,
                object_type="tenancy.membership",
                object_id=str(membership_id),
                detail=detail,
            )
        return "removed"
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions = _end_sessions(user)
    _revoke_issued_tokens(viewer, reach.tokens, "issuer_deactivated")
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.ADMIN,
        obj=user,
        detail={
            "change": "deactivated",
            "sessions_ended": sessions,
            "tokens_revoked": [token.prefix for token in reach.tokens],
        },
    )
    return "deactivated"


# --- invitations -------------------------------------------------------------------------


def _invitation_email(*, invitation: Invitation, inviter: User | None, link: str) -> str:
    place = invitation.organisation.place
    return "\n".join(
        [
            "Hello,",
            "",
            f"{(inviter.name if inviter else '') or 'A place admin'} has invited you to join "
            f"{invitation.organisation.name} in the {place.name} partnership on Commonweave, "
            f"as {invitation.get_role_display().lower()}.",
            "",
            "To accept, open this link. It works for 7 days:",
            link,
            "",
            "If you were not expecting this email, you can ignore it.",
        ]
    )


@transaction.atomic
def invitation_create(
    *,
    viewer: Viewer,
    organisation: Organisation,
    email: str,
    role: str,
    link_for: Callable[[str], str],
) -> Invitation:
    """Invite someone by email to an organisation with a role.

    `link_for(raw_token)` turns the secret into the absolute accept address. Only a hash
    of the secret is stored; the link goes out by email and is never shown again.
    Side effects: withdraws earlier open invitations to the same address and
    organisation, creates the invitation, sends one email, writes an audit event.
    """
    _same_place(viewer, organisation)
    email = User.objects.normalize_email(email).strip().lower()
    if Membership.objects.filter(
        user__email__iexact=email, organisation=organisation, role=role
    ).exists():
        raise ValidationError(f"They are already {Role(role).label.lower()} at {organisation.name}")
    now = timezone.now()
    Invitation.objects.filter(
        organisation=organisation,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=now)
    raw = Invitation.new_token()
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=hash_secret(raw),
        invited_by=viewer.user,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    _audit(
        viewer,
        Action.CREATE,
        invitation,
        {"organisation": organisation.pk, "role": role},
    )
    # Sent last: if the email cannot be sent, no invitation is left behind.
    send_mail(
        subject="You are invited to join Commonweave",
        message=_invitation_email(invitation=invitation, inviter=viewer.user, link=link_for(raw)),
        from_email=None,
        recipient_list=[email],
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, viewer: Viewer, invitation: Invitation) -> Invitation:
    """Withdraw an invitation so its link stops working. Side effects: audit event."""
    _same_place(viewer, invitation.organisation)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        _audit(viewer, Action.UPDATE, invitation, {"change": "revoked"})
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    user: User | None = None,
    name: str = "",
    password: str | None = None,
) -> Membership:
    """Join through an invitation: as the signed-in `user` whose email it names, or as a
    new account with `name` and `password`.

    Side effects: may create the user; creates the membership; marks the invitation used;
    writes an audit event. Raises ValidationError if the invitation is no longer open or
    is for someone else.
    """
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organisation__place")
        .get(pk=invitation.pk)
    )
    if not invitation.is_open:
        raise ValidationError(INVITATION_CLOSED, code="closed")
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError("Sign in to accept this invitation", code="has_account")
        password_validation.validate_password(
            password or "", User(email=invitation.email, name=name)
        )
        user = User.objects.create_user(invitation.email, password, name=name)
    elif user.email.lower() != invitation.email.lower():
        raise ValidationError("This invitation is for someone else", code="other_user")
    organisation = invitation.organisation
    membership, _ = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    viewer = Viewer(
        place=organisation.place,
        user=user,
        grants=frozenset({(organisation.pk, invitation.role)}),
    )
    _audit(
        viewer,
        Action.CREATE,
        membership,
        {
            "invitation": invitation.pk,
            "user": user.pk,
            "organisation": organisation.pk,
            "role": invitation.role,
        },
    )
    return membership


# --- API tokens --------------------------------------------------------------------------


@transaction.atomic
def api_token_issue(
    *, viewer: Viewer, organisation: Organisation, name: str, role: str
) -> tuple[ApiToken, str]:
    """Issue a token for one organisation acting with one role; returns (token, raw).

    Show the raw token once: only its hash is kept. Side effects: audit event.
    """
    _same_place(viewer, organisation)
    token, raw = issue_api_token(
        organisation=organisation, name=name, role=role, created_by=viewer.user
    )
    _audit(
        viewer,
        Action.CREATE,
        token,
        {"organisation": organisation.pk, "role": role, "prefix": token.prefix},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, viewer: Viewer, token: ApiToken) -> ApiToken:
    """Revoke a token: the partner system is refused from its next call.
    Side effects: audit event (once)."""
    _same_place(viewer, token.organisation)
    if token.revoked_at is None:
        revoke_api_token(token)
        _audit(viewer, Action.UPDATE, token, {"change": "revoked", "prefix": token.prefix})
    return token
