"""Reads of area data. Open reference data, the same for every viewer and holding nothing
about anyone, so these take no viewer (the house rule is for personal data): whoever may
see a resident may see their neighbourhood's decile through the resident's own selectors.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.functional import Promise

from .editions import EDITIONS, NOT_COMPARABLE
from .enums import Edition
from .models import ImdEdition, LsoaDeprivation, LsoaLookup
from .postcodes import is_northern_ireland


def _edition(edition: str | ImdEdition) -> str:
    return edition.edition if isinstance(edition, ImdEdition) else Edition(str(edition)).value


def deprivation_for(
    lsoa_code: str, edition: str | ImdEdition = Edition.IOD2025
) -> LsoaDeprivation | None:
    """The neighbourhood's row in that edition (its deciles), or None if it is not loaded.
    IoD 2025 is on LSOA 2021 codes, IoD 2019 on LSOA 2011 (see `beside_2019`)."""
    if not lsoa_code:
        return None
    return (
        LsoaDeprivation.objects.select_related("edition")
        .filter(edition__edition=_edition(edition), lsoa_code=lsoa_code.strip().upper())
        .first()
    )


@dataclass(frozen=True)
class AreaReading:
    """A person's neighbourhood and its deprivation, joined when read."""

    lsoa_code: str
    ward_code: str
    deprivation: LsoaDeprivation | None
    covered: bool
    note: str = ""


def deprivation_of(record, edition: str | ImdEdition = Edition.IOD2025) -> AreaReading:
    """The decile of a record with `lsoa_code`, `ward_code` and `postcode` (a resident the
    caller has already opened), joined now: nothing is copied onto the person."""
    from .editions import NOT_COVERED_NI

    if is_northern_ireland(getattr(record, "postcode", "")):
        return AreaReading("", record.ward_code, None, False, str(NOT_COVERED_NI))
    row = deprivation_for(record.lsoa_code, edition)
    return AreaReading(record.lsoa_code, record.ward_code, row, row is not None)


@dataclass(frozen=True)
class BesideTwentyNineteen:
    """IoD 2025 for a 2021 neighbourhood with IoD 2019 for its best-fit 2011 parent."""

    lsoa21_code: str
    imd2025: LsoaDeprivation | None
    lsoa11_code: str
    change: str  # ONS's change code: U, S, M or X ("" when the lookup is not loaded)
    imd2019: LsoaDeprivation | None
    notice: str | Promise = NOT_COMPARABLE


def beside_2019(lsoa21_code: str) -> BesideTwentyNineteen:
    """IoD 2025 and IoD 2019 for one 2021 neighbourhood, through the ONS lookup's best fit,
    always with the "not directly comparable" notice."""
    code = (lsoa21_code or "").strip().upper()
    link = LsoaLookup.objects.filter(lsoa21_code=code, best_fit=True).first()
    old = link.lsoa11_code if link else ""
    return BesideTwentyNineteen(
        lsoa21_code=code,
        imd2025=deprivation_for(code, Edition.IOD2025),
        lsoa11_code=old,
        change=link.change if link else "",
        imd2019=deprivation_for(old, Edition.IOD2019) if old else None,
    )


@dataclass(frozen=True)
class AuthoritySummary:
    """A local authority's summary measures computed from its imported LSOAs, as MHCLG
    defines them for File 10 ("Local authority district summaries")."""

    edition: str
    lad_code: str
    lad_name: str
    lsoas: int
    population: int | None  # total of the weights, None when any LSOA has none
    average_score: float | None  # population-weighted mean of LSOA IMD scores
    average_rank: float | None  # population-weighted mean rank, most deprived LSOA = N
    proportion_most_deprived_10: float  # share of its LSOAs in England's most deprived 10%
    mean_score_unweighted: float | None  # not an MHCLG measure: for when no population
    attribution: str


def authority_summary(
    lad_code: str,
    edition: str | ImdEdition = Edition.IOD2025,
    *,
    populations: Mapping[str, float] | None = None,
) -> AuthoritySummary | None:
    """MHCLG's summary measures for one local authority from the LSOAs imported for it.

    "Average score" and "average rank" are population-weighted, so they need a population
    for every LSOA: the edition's denominators as loaded (File 7's population column, or
    File 6), or `populations` (LSOA code -> population) given by the caller; otherwise
    they are None. For "average rank" MHCLG re-ranks so that the most deprived LSOA has the
    highest rank (N = the edition's LSOA count), so a higher average is more deprived.
    None if no LSOA of the authority is loaded.
    """
    code = _edition(edition)
    rows = list(
        LsoaDeprivation.objects.filter(edition__edition=code, lad_code=lad_code.upper()).values(
            "lsoa_code", "lad_name", "imd_score", "imd_rank", "imd_decile", "population"
        )
    )
    if not rows:
        return None
    count = EDITIONS[Edition(code)].lsoa_count
    raw_weights = [
        populations.get(r["lsoa_code"]) if populations is not None else r["population"]
        for r in rows
    ]
    weights = [float(w) for w in raw_weights if w is not None]
    scores = [float(r["imd_score"]) for r in rows if r["imd_score"] is not None]
    has_scores = len(scores) == len(rows)
    total = sum(weights) if len(weights) == len(rows) and sum(weights) > 0 else None
    average_score = average_rank = None
    if total is not None:
        if has_scores:
            average_score = sum(s * w for s, w in zip(scores, weights, strict=True)) / total
        reversed_ranks = [count + 1 - r["imd_rank"] for r in rows]
        average_rank = sum(r * w for r, w in zip(reversed_ranks, weights, strict=True)) / total
    return AuthoritySummary(
        edition=code,
        lad_code=lad_code.upper(),
        lad_name=rows[0]["lad_name"],
        lsoas=len(rows),
        population=round(total) if total is not None else None,
        average_score=average_score,
        average_rank=average_rank,
        proportion_most_deprived_10=sum(1 for r in rows if r["imd_decile"] == 1) / len(rows),
        mean_score_unweighted=(sum(scores) / len(scores)) if has_scores else None,
        attribution=EDITIONS[Edition(code)].attribution,
    )
