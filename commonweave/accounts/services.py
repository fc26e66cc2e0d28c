"""Changes to a person's own sign-in: two-factor on and off, password.

Each writes one audit event (purpose ADMIN, object the user) holding only codes.
"""

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.tenancy.viewer import Viewer

from .two_factor import check_code


def account_viewer(user, place=None, viewer=None) -> Viewer:
    """Who to record in the audit log for a change to one's own account: the place
    viewer when there is one, otherwise the bare user (no place, no organisation)."""
    if viewer:
        return viewer
    return Viewer(place=place, user=user)


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
