"""The mutual-aid API under /api/mutual-aid/: the same selectors and services as the pages,
so the same rules: the holding organisation's caseworkers (or its token) see and match its
needs; anyone else gets a 404. A need never carries its address or phone: the contact
endpoint reveals them and writes an audit event each time."""

from ninja import Router

router = Router(tags=["Mutual aid"])

# They register on the router. helpers first: its `matches/{id}/lone-working` must be
# tried before endpoints' `matches/{id}/{action}`, which would take any last word.
from . import helpers  # noqa: E402, F401, I001
from . import endpoints  # noqa: E402, F401
