"""Which fields of a personal record each access level may see: declared once, read by
every rendering.

Each app declares the policy of its personal models with `declare(...)` (in its
`visibility.py`, imported from its AppConfig.ready). Pages, API answers, exports and PDF
packs then render a record only through `shown(record, level)`: a read-only view that
answers the fields the level may see and nothing else. A template that reaches for a
hidden field gets an empty value; an API serialiser that asks for one gets None. Two
renderings can no longer hold two rules, because neither holds a rule at all.

Every concrete field of a declared model must be named in the declaration, either as
visible at some level or as `internal` (keys and bookkeeping that no rendering shows), so
a field added later is hidden everywhere until someone decides who may see it — and a
test lists every unclassified field.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


class Level(enum.StrEnum):
    """How much of a personal record a viewer may see (strongest first)."""

    FULL = "full"  # the holding organisation's caseworkers
    SHARED = "shared"  # an organisation the person agreed to share with
    REFERRER = "referrer"  # whoever made a referral, following it up
    PSEUDONYMOUS = "pseudonymous"  # analysis without a name: ids are pseudonyms
    AGGREGATE = "aggregate"  # counts and statistics only, through the disclosure rules


@dataclass(frozen=True)
class FieldPolicy:
    label: str  # "app_label.ModelName"
    visible: Mapping[Level, frozenset[str]]
    internal: frozenset[str]
    # Properties and methods computed from fields: shown when every field they read is.
    derived: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def fields_for(self, level: Level) -> frozenset[str]:
        return self.visible.get(level, frozenset())

    def may_show(self, level: Level, name: str) -> bool:
        visible = self.fields_for(level)
        if name in visible:
            return True
        needs = self.derived.get(name)
        return needs is not None and needs <= visible

    @property
    def classified(self) -> frozenset[str]:
        named = set(self.internal)
        for names in self.visible.values():
            named |= names
        return frozenset(named)


_POLICIES: dict[str, FieldPolicy] = {}


def declare(
    label: str,
    *,
    internal: Iterable[str] = (),
    derived: Mapping[str, Iterable[str]] | None = None,
    **levels: Iterable[str],
) -> FieldPolicy:
    """Declare a personal model's policy: `full=(...), shared=(...)` and so on. A level not
    named sees nothing of it. A level's fields must also be visible at FULL."""
    visible = {Level(name): frozenset(fields) for name, fields in levels.items()}
    full = visible.get(Level.FULL, frozenset())
    for level, fields in visible.items():
        beyond = fields - full
        if beyond:
            raise ValueError(f"{label}: {level} sees {sorted(beyond)} that full access does not")
    policy = FieldPolicy(
        label=label,
        visible=visible,
        internal=frozenset(internal),
        derived={name: frozenset(needs) for name, needs in (derived or {}).items()},
    )
    _POLICIES[label] = policy
    return policy


def policy_for(model_or_label: Any) -> FieldPolicy:
    label = model_or_label if isinstance(model_or_label, str) else model_or_label._meta.label
    try:
        return _POLICIES[label]
    except KeyError:
        raise LookupError(f"{label} has no declared field policy") from None


def declared_policies() -> dict[str, FieldPolicy]:
    return dict(_POLICIES)


def visible_fields(model_or_label: Any, level: Level) -> frozenset[str]:
    return policy_for(model_or_label).fields_for(level)


class Shown:
    """A read-only view of one record at one access level.

    Attribute access answers only what the policy lets this level see (fields, their
    `get_<field>_display`, and derived properties whose inputs are all visible); anything
    else raises AttributeError, which a template renders as nothing. A record's own field
    wins over this class's helpers of the same name (a rating's `value`, a barrier's
    `level`): the helpers are for records that have no such field.
    """

    __slots__ = ("_level", "_policy", "_record")

    def __init__(self, record: Any, level: Level, policy: FieldPolicy | None = None):
        object.__setattr__(self, "_record", record)
        object.__setattr__(self, "_level", Level(level))
        object.__setattr__(self, "_policy", policy or policy_for(type(record)))

    def __getattribute__(self, name: str) -> Any:
        if not name.startswith("_"):
            policy: FieldPolicy = object.__getattribute__(self, "_policy")
            if name in policy.classified or name in policy.derived:
                return Shown.__getattr__(self, name)
        return object.__getattribute__(self, name)

    def __getattr__(self, name: str) -> Any:
        policy: FieldPolicy = object.__getattribute__(self, "_policy")
        level: Level = object.__getattribute__(self, "_level")
        record = object.__getattribute__(self, "_record")
        if name == "pk" or policy.may_show(level, name):
            return getattr(record, name)
        is_display = name.startswith("get_") and name.endswith("_display")
        if is_display and policy.may_show(level, name[4 : -len("_display")]):
            return getattr(record, name)
        raise AttributeError(f"{policy.label}.{name} is not shown at {level} access")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a shown record is read-only")

    def __str__(self) -> str:
        return str(self.__getattr__("display_name")) if self.may_show("display_name") else ""

    def __eq__(self, other: object) -> bool:
        mine = object.__getattribute__(self, "_record")
        theirs = object.__getattribute__(other, "_record") if isinstance(other, Shown) else other
        return bool(mine == theirs)

    def __hash__(self) -> int:
        return hash(object.__getattribute__(self, "_record"))

    @property
    def level(self) -> Level:
        level: Level = object.__getattribute__(self, "_level")
        return level

    @property
    def record_label(self) -> str:
        return self._shown_policy().label

    def may_show(self, name: str) -> bool:
        level: Level = object.__getattribute__(self, "_level")
        return self._shown_policy().may_show(level, name)

    def _shown_policy(self) -> FieldPolicy:
        policy: FieldPolicy = object.__getattribute__(self, "_policy")
        return policy

    def value(self, name: str, default: Any = None) -> Any:
        """The field's value when this level may see it, else `default` (the API's null)."""
        return getattr(self, name) if self.may_show(name) else default

    def values(self, names: Iterable[str]) -> dict[str, Any]:
        return {name: self.value(name) for name in names}


def shown(record: Any, level: Level | str) -> Shown:
    return Shown(record, Level(level))


def shown_all(records: Iterable[Any], level: Level | str) -> list[Shown]:
    """Each record at `level`; an empty list when the level sees nothing of the model."""
    level = Level(level)
    result = []
    for record in records:
        item = Shown(record, level)
        if not object.__getattribute__(item, "_policy").fields_for(level):
            return []
        result.append(item)
    return result
