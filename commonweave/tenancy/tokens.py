"""Per-organisation API tokens: issued once (only a hash is kept), checked, revoked.

A token reads `cw_<prefix>_<secret>`; the prefix lets an admin recognise a token in a
list without the secret ever being shown again.
"""

import secrets
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from commonweave.accounts.models import User

from .models import ApiToken, Organisation, hash_secret
from .viewer import Viewer, viewer_for_token

TOKEN_START = "cw_"
# Touch last_used_at at most this often, so busy partner systems do not write on every call.
LAST_USED_RESOLUTION_SECONDS = 60


def issue_api_token(
    *, organisation: Organisation, name: str, role: str, created_by: User | None = None
) -> tuple[ApiToken, str]:
    """Create a token for `organisation` acting with `role`; returns (token, raw secret).

    The raw secret is returned only here: show it once, it cannot be recovered.
    """
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name,
        role=role,
        prefix=prefix,
        token_hash=hash_secret(raw),
        created_by=created_by,
    )
    return token, raw


def revoke_api_token(token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def authenticate_api_token(raw: str) -> ApiToken | None:
    """The live token for a raw secret, or None (unknown, revoked)."""
    if not raw or not raw.startswith(TOKEN_START):
        return None
    token = (
        ApiToken.objects.select_related("organisation__place")
        .filter(token_hash=hash_secret(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    stale = now - timedelta(seconds=LAST_USED_RESOLUTION_SECONDS)
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale)
    ).update(last_used_at=now)
    return token


def api_viewer(raw: str) -> Viewer | None:
    token = authenticate_api_token(raw)
    return viewer_for_token(token) if token else None
