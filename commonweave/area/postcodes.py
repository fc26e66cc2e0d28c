"""A postcode's neighbourhood (LSOA 2021), ward and local authority, from ONS's postcode
directory as the directory app loads it (`directory.PostcodeLookup`, `manage.py
load_postcodes`): one table of postcodes, not two.

The directory sits above this app, so it hands its lookup down at start-up
(`use_postcode_source`, from DirectoryConfig.ready) instead of this app importing it.

Northern Ireland postcodes (BT) are flagged as not covered: the English Indices of
Deprivation rank English neighbourhoods only. So is any postcode whose LSOA is not English.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from .editions import NOT_COVERED, NOT_COVERED_NI

# postcode as typed -> (lsoa_code, ward_code, lad_code), or None when it is not known
PostcodeSource = Callable[[str], tuple[str, str, str] | None]

_sources: list[PostcodeSource] = []


def use_postcode_source(source: PostcodeSource) -> None:
    """Answer postcodes from `source` (the directory's lookup table). Once per source."""
    if source not in _sources:
        _sources.append(source)


@dataclass(frozen=True)
class PostcodeArea:
    lsoa_code: str = ""
    ward_code: str = ""
    lad_code: str = ""
    found: bool = False  # the postcode is in the loaded directory
    covered: bool = False  # the English indices rank its neighbourhood
    note: str = ""  # why it is not covered, for people


def postcode_key(raw: str) -> str:
    return re.sub(r"\s+", "", raw or "").upper()


def is_northern_ireland(raw: str) -> bool:
    return postcode_key(raw).startswith("BT")


def postcode_area(raw: str) -> PostcodeArea:
    """Where a postcode is, as far as the loaded postcode directory knows.

    Nothing found (blank, unknown, or no directory loaded) is an empty PostcodeArea; a
    Northern Ireland postcode keeps its ward but never an LSOA, and is not covered.
    """
    if not postcode_key(raw):
        return PostcodeArea()
    row = None
    for source in _sources:
        row = source(raw)
        if row is not None:
            break
    lsoa, ward, lad = row if row is not None else ("", "", "")
    if is_northern_ireland(raw):
        return PostcodeArea(
            ward_code=ward, lad_code=lad, found=row is not None, note=str(NOT_COVERED_NI)
        )
    if row is None:
        return PostcodeArea()
    covered = lsoa.startswith("E01")
    return PostcodeArea(
        lsoa_code=lsoa,
        ward_code=ward,
        lad_code=lad,
        found=True,
        covered=covered,
        note="" if covered or not lsoa else str(NOT_COVERED),
    )
