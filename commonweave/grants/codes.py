"""The 360Giving codelists for grants to individuals: purpose (GTIP…) and reason (GTIR…),
shipped in data/ (CC BY 4.0, see data/PROVENANCE.md)."""

import csv
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@cache
def _codelist(name: str) -> dict[str, tuple[str, str]]:
    with (DATA / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return {row["Code"]: (row["Title"], row["Description"]) for row in csv.DictReader(handle)}


def purposes() -> dict[str, tuple[str, str]]:
    """Code -> (title, description), in the codelist's order."""
    return _codelist("grantToIndividualsPurpose")


def reasons() -> dict[str, tuple[str, str]]:
    return _codelist("grantToIndividualsReason")
