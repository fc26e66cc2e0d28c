"""Who did something, as the audit log reads them: for type annotations.

The audit app sits below tenancy in the layers (docs/architecture.md, .importlinter), so
it does not import tenancy's Viewer: it names what it reads of one, and
commonweave.tenancy.viewer.Viewer has all of it.
"""

from typing import Any, Protocol

from django.http import HttpRequest


class Actor(Protocol):
    @property
    def place(self) -> Any: ...  # a tenancy Place (audit cannot import its model here)

    @property
    def user_id(self) -> Any: ...

    @property
    def label(self) -> str: ...

    @property
    def primary_org_id(self) -> int | None: ...

    @property
    def is_place_admin(self) -> bool: ...


class ActorRequest(HttpRequest):
    """A request once tenancy's CurrentPlaceMiddleware has set `request.viewer`."""

    viewer: Actor | None
