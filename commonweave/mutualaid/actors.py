"""A helper acting through their own link: an actor the audit log can name (audit.actors.Actor),
with no role in the place, so every staff rule says no to them."""

from dataclasses import dataclass
from typing import Any

from .models import Volunteer


@dataclass(frozen=True)
class Helper:
    volunteer: Volunteer

    @property
    def place(self) -> Any:
        return self.volunteer.place

    @property
    def user_id(self) -> None:
        return None

    @property
    def label(self) -> str:
        return f"helper:{self.volunteer.public_id}"

    @property
    def primary_org_id(self) -> int:
        return self.volunteer.organisation_id

    @property
    def is_place_admin(self) -> bool:
        return False
