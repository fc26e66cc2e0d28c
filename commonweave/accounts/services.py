"""Changes to a person's own sign-in: two-factor on and off, password.

Each writes one audit event (purpose ADMIN, object the user) holding only codes.
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record

from .two_factor import check_code


@dataclass(frozen=True)
class AccountActor:
    """Who changed their own account, for the audit log, when they have no role in a place
    (no organisation); with a role there, the place's Viewer is recorded instead."""

    user: Any
    place: Any = None

    @property
    def user_id(self) -> Any:
        return self.user.pk

    @property
    def label(self) -> str:
        return f"user:{self.user.pk}"

    primary_org_id = None
    is_place_admin = False


def account_viewer(user, place=None, viewer=None):
    """Who to record in the audit log for a change to one's own account: the place
    viewer when there is one, otherwise the bare user (no place, no organisation)."""
    if viewer:
        return viewer
    return AccountActor(user=user, place=place)


def _audit_account(*, viewer, user, change):
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.ADMIN,
        object_type="accounts.user",
        object_id=str(user.pk),
        detail={"change": change},
    )


@transaction.atomic
def two_factor_confirm(*, viewer, user, device: TOTPDevice, code: str):
    """Turn on two-factor sign-in if `code` matches the pending device.

    Side effects: marks the device confirmed, deletes any other authenticator the user
    had, writes an audit event. Returns the CodeCheck.
    """
    result = check_code(device, code)
    if result.ok:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        _audit_account(viewer=viewer, user=user, change="two_factor_on")
    return result


def two_factor_remove(*, viewer, user, device: TOTPDevice, code: str):
    """Turn off two-factor sign-in; needs a current code from the device.

    Side effects: deletes all the user's authenticators, writes an audit event.
    Not atomic on purpose: a wrong code's throttling count must be kept.
    """
    result = check_code(device, code)
    if result.ok:
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).delete()
            _audit_account(viewer=viewer, user=user, change="two_factor_off")
    return result


def password_changed(*, viewer, user):
    """Record that the user changed their password (the form has already saved it)."""
    _audit_account(viewer=viewer, user=user, change="password_changed")
