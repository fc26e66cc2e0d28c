"""What an import found: each record stored, stored with warnings, or rejected, and why.

Counts add up: `records` (records in the feed) = `stored` + `rejected`; `stored` is
created + updated + unchanged, and `stored_with_warnings` of those lost a field or a
nested record (each warning names the field and why). A complete feed of a source also
lists the services it retired (absent from the feed: made inactive) and those it restored.

`errors` and `warnings` hold a `Problem` per row: (record number, record id, reason) as they
always were, with `.field` naming the field; kept on a DirectoryImport as four-item lists
[number, id, reason, field]. Reasons name fields, never their content.
"""

from dataclasses import dataclass, field


class Invalid(ValueError):
    """One record (or one field of it) cannot be imported; the message says why (no
    personal data). `field` names the field, where there is one."""

    def __init__(self, message, field=""):
        super().__init__(message)
        self.field = field


class Problem(tuple):
    """(record number, record id, reason), with the field it is about as `.field`."""

    field: str

    def __new__(cls, number, record_id, reason, field=""):
        problem = super().__new__(cls, (number, record_id, reason))
        problem.field = field
        return problem

    def __getnewargs__(self):  # copy and pickle
        return (*self, self.field)

    def as_list(self) -> list:
        return [*self, self.field]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)  # Problem: (record number, id or "", reason)
    warnings: list = field(default_factory=list)  # Problem, as errors
    records: int = 0  # records read from the feed
    stored_with_warnings: int = 0
    retired: list = field(default_factory=list)  # (service id, name): absent, made inactive
    restored: list = field(default_factory=list)  # (service id, name): inactive, back again
    complete: bool = False
    source_key: str = ""

    @property
    def imported(self):
        return self.created + self.updated + self.unchanged

    @property
    def stored(self):
        return self.imported

    @property
    def rejected(self):
        return len(self.errors)

    def mark(self) -> tuple:
        """Where the report stands, to go back to (`back_to`) when a chunk is redone."""
        return (
            self.created,
            self.updated,
            self.unchanged,
            self.stored_with_warnings,
            len(self.errors),
            len(self.warnings),
            len(self.restored),
        )

    def back_to(self, mark: tuple) -> None:
        self.created, self.updated, self.unchanged, self.stored_with_warnings = mark[:4]
        errors, warnings, restored = mark[4:]
        del self.errors[errors:], self.warnings[warnings:], self.restored[restored:]

    def reject(self, number, record_id, reason, field=""):
        self.errors.append(Problem(number, record_id, reason, field))

    def warn(self, number, record_id, reason, field=""):
        self.warnings.append(Problem(number, record_id, reason, field))

    def summary(self) -> str:
        text = (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.errors)} rejected"
        )
        if self.stored_with_warnings:
            text += f", {self.stored_with_warnings} with warnings"
        if self.retired:
            text += f", {len(self.retired)} retired"
        if self.restored:
            text += f", {len(self.restored)} restored"
        return text

    def as_dict(self) -> dict:
        """The report as kept on a DirectoryImport (JSON)."""
        return {
            "records": self.records,
            "stored": self.stored,
            "stored_with_warnings": self.stored_with_warnings,
            "rejected": self.rejected,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [_as_list(e) for e in self.errors],
            "warnings": [_as_list(w) for w in self.warnings],
            "complete": self.complete,
            "source_key": self.source_key,
            "retired": [[str(pk), name] for pk, name in self.retired],
            "restored": [[str(pk), name] for pk, name in self.restored],
        }


def _as_list(row) -> list:
    return row.as_list() if isinstance(row, Problem) else list(row)


def problem_rows(rows) -> list[dict]:
    """Stored error or warning rows as dicts; rows kept before fields were named (three
    long) read with an empty field."""
    out = []
    for row in rows or []:
        number, record_id, reason, *rest = [*row, "", "", ""][: max(len(row), 3)]
        out.append(
            {
                "record": number if isinstance(number, int) else 0,
                "id": str(record_id or ""),
                "reason": str(reason),
                "field": str(rest[0]) if rest else "",
            }
        )
    return out
