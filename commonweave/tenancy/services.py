"""Place administration: organisations, roles, invitations and API tokens.

Every change runs in a transaction and writes one audit event (purpose ADMIN) naming the
Organisation, Membership, Invitation or ApiToken by id. Audit details hold ids and role
codes only: never a name or an email address.
"""

from datetime import timedelta

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from commonweave.accounts.models import User
from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record

from .enums import Role
from .models import ApiToken, Invitation, Membership, Organisation, hash_secret
from .tokens import issue_api_token, revoke_api_token
from .viewer import Viewer

INVITATION_LIFETIME = timedelta(days=7)
LAST_ADMIN_ERROR = (
    "You cannot remove the last place admin. Make someone else a place admin first, "
    "so someone can still manage people and roles."
)
INVITATION_CLOSED = "This invitation can no longer be used"


def _same_place(viewer, organisation):
    if organisation.place_id != viewer.place.pk:
        # Views only offer organisations in the place; this guards the service itself.
        raise ValidationError("Choose an organisation in this place")


def _audit(viewer, action, obj, detail):
    audit_record(viewer=viewer, action=action, purpose=Purpose.ADMIN, obj=obj, detail=detail)


# --- organisations -----------------------------------------------------------------------


@transaction.atomic
def organisation_create(*, viewer, name, kind) -> Organisation:
    """Add a partner organisation to the viewer's place. Side effects: audit event."""
    organisation = Organisation.objects.create(place=viewer.place, name=name, kind=kind)
    _audit(viewer, Action.CREATE, organisation, {"kind": kind})
    return organisation


@transaction.atomic
def organisation_update(*, viewer, organisation, name, kind) -> Organisation:
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
def membership_add(*, viewer, user, organisation, role) -> Membership:
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
def membership_remove(*, viewer, membership) -> None:
    """Take a role away. The place always keeps at least one place admin.

    Side effects: deletes the membership (access ends on the person's next request),
    writes an audit event. Raises ValidationError for the last place admin.
    """
    _same_place(viewer, membership.organisation)
    if membership.role == Role.PLACE_ADMIN:
        # Lock every place-admin role in the place, so two admins removing each other at
        # the same moment cannot leave the place with none.
        admins = list(
            Membership.objects.select_for_update()
            .filter(organisation__place=viewer.place, role=Role.PLACE_ADMIN)
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


# --- invitations -------------------------------------------------------------------------


def _invitation_email(*, invitation, inviter, link):
    place = invitation.organisation.place
    return "\n".join(
        [
            "Hello,",
            "",
            f"{inviter.name or 'A place admin'} has invited you to join "
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
def invitation_create(*, viewer, organisation, email, role, link_for) -> Invitation:
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
def invitation_revoke(*, viewer, invitation) -> Invitation:
    """Withdraw an invitation so its link stops working. Side effects: audit event."""
    _same_place(viewer, invitation.organisation)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        _audit(viewer, Action.UPDATE, invitation, {"change": "revoked"})
    return invitation


@transaction.atomic
def invitation_accept(*, invitation, user=None, name="", password=None) -> Membership:
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
        password_validation.validate_password(password, User(email=invitation.email, name=name))
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
def api_token_issue(*, viewer, organisation, name, role) -> tuple[ApiToken, str]:
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
def api_token_revoke(*, viewer, token) -> ApiToken:
    """Revoke a token: the partner system is refused from its next call.
    Side effects: audit event (once)."""
    _same_place(viewer, token.organisation)
    if token.revoked_at is None:
        revoke_api_token(token)
        _audit(viewer, Action.UPDATE, token, {"change": "revoked", "prefix": token.prefix})
    return token
