"""What a derived tie and its nodes look like: the shared vocabulary of derive.py and
derive_own.py (node keys, node fields, and the expected tie)."""

from dataclasses import dataclass
from datetime import date

from commonweave.people.models import name_key

from .enums import SECTOR_FOR_ORGANISATION_KIND, NodeKind, Sector
from .models import resident_pseudonym

_UNKNOWN_ORG = {"kind": NodeKind.ORGANISATION}
ENDED_NOW = "ended-now"  # ended: keep the end date already recorded, else today
BATCH = 2000


@dataclass(frozen=True)
class TieSpec:
    a: str  # node key
    b: str
    tie_type: str
    source: str
    started_on: date
    strength: float = 1.0
    directed: bool = False
    ended_on: object = None  # None, a date, or ENDED_NOW


# --- node keys ------------------------------------------------------------------------------


def org_key(org_id) -> str:
    return f"org:{org_id}"


def resident_key(resident_id) -> str:
    return f"res:{resident_id}"


def external_key(name) -> str:
    return f"ext:{name_key(name)[:200]}"


def org_spec(org) -> dict:
    return {
        "kind": NodeKind.ORGANISATION,
        "label": org.name,
        "organisation_id": org.pk,
        "sector": SECTOR_FOR_ORGANISATION_KIND.get(org.kind, Sector.OTHER),
    }


def resident_spec(resident_id) -> dict:
    return {
        "kind": NodeKind.RESIDENT,
        "resident_id": resident_id,
        "pseudonym": resident_pseudonym(resident_id),
    }


def external_spec(name, kind=NodeKind.ORGANISATION, sector="") -> dict:
    return {"kind": kind, "label": name.strip()[:200], "sector": sector}
