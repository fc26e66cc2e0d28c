"""What an import found: created, updated, unchanged, and each rejected record with why."""

from dataclasses import dataclass, field


class Invalid(ValueError):
    """One record cannot be imported; the message says why (no personal data)."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)  # (record number, id or "", reason)
    warnings: list = field(default_factory=list)

    @property
    def imported(self):
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.errors)} rejected"
        )
