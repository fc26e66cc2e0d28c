"""Reference checks: a local authority's summary computed from its imported LSOAs against
MHCLG's published File 10 v2 (imd2025/imd2025_england_ltla24_summaries.csv).

* "Proportion of LSOAs in most deprived 10% nationally" needs no population: it must match
  the published figure exactly (to its 4 decimal places) for Oldham and Tameside.
* "Average score" and "average rank" are population-weighted with File 7's mid-2022
  denominators, which the shared data does not hold. The arithmetic is checked exactly on
  a File 7 with populations; against the published figures it is checked with populations
  carried from IoD 2019's File 6 (mid-2015, LSOA 2011) through the ONS lookup, which is
  an estimate: within 3% (Oldham is 2.7% off, Tameside 1.0%).
"""

import csv

import pytest

from commonweave.area import imports
from commonweave.area.models import LsoaDeprivation, LsoaLookup
from commonweave.area.selectors import authority_summary
from tests.area.conftest import IMD2025, LOOKUP, OLDHAM, SUMMARIES, TAMESIDE, needs
from tests.area.test_imports import FILE7_HEADING, file7_line, rows_of

pytestmark = pytest.mark.django_db


def published(lad_code):
    with open(SUMMARIES, encoding="utf-8-sig", newline="") as fh:
        return next(r for r in csv.DictReader(fh) if r["ltla24_code"] == lad_code)


@needs(IMD2025, SUMMARIES)
@pytest.mark.parametrize("lad_code", [OLDHAM, TAMESIDE])
def test_share_in_the_most_deprived_tenth_matches_the_published_summary(
    imd2025_two_boroughs, lad_code
):
    summary = authority_summary(lad_code, "2025")
    expected = published(lad_code)
    assert summary.lsoas == 142
    assert round(summary.proportion_most_deprived_10, 4) == float(
        expected["imd_proportion_of_lso_as_in_most_deprived_10_percent_nationally"]
    )
    # Without populations the weighted measures are not guessed.
    assert (summary.average_score, summary.average_rank, summary.population) == (None, None, None)
    assert "Open Government Licence v3.0" in summary.attribution


@needs(IMD2025)
def test_the_weighted_average_is_mhclgs_on_a_file_7_with_populations(db, tmp_path):
    rows = rows_of(IMD2025, TAMESIDE)
    path = tmp_path / "file7.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(FILE7_HEADING)
        for number, row in enumerate(rows):
            out.writerow(file7_line(row, 1000 + 7 * number))
    imports.import_imd(path, edition="2025")
    weights = [1000 + 7 * n for n in range(len(rows))]
    score = sum(float(r["IMD_score"]) * w for r, w in zip(rows, weights, strict=True)) / sum(
        weights
    )
    # MHCLG re-ranks so the most deprived LSOA of 33,755 has rank 33,755.
    rank = sum((33756 - int(r["IMD_rank"])) * w for r, w in zip(rows, weights, strict=True)) / sum(
        weights
    )
    summary = authority_summary(TAMESIDE, "2025")
    assert summary.population == sum(weights)
    assert summary.average_score == pytest.approx(score, rel=1e-12)
    assert summary.average_rank == pytest.approx(rank, rel=1e-12)


def populations_carried_from_2019(lad_code):
    """An estimate of each 2021 LSOA's population: its 2011 parents' File 6 populations,
    a split parent's shared equally among its children."""
    links = list(LsoaLookup.objects.filter(lad_code=lad_code))
    children = {}
    for link in links:
        children[link.lsoa11_code] = children.get(link.lsoa11_code, 0) + 1
    old = dict(
        LsoaDeprivation.objects.filter(edition__edition="2019").values_list(
            "lsoa_code", "population"
        )
    )
    estimate = {}
    for link in links:
        share = old[link.lsoa11_code] / children[link.lsoa11_code]
        estimate[link.lsoa21_code] = estimate.get(link.lsoa21_code, 0) + share
    return estimate


@needs(IMD2025, SUMMARIES, LOOKUP)
@pytest.mark.parametrize("lad_code", [OLDHAM, TAMESIDE])
def test_weighted_summary_is_near_the_published_with_estimated_populations(
    imd2025_two_boroughs, imd2019_two_boroughs, lad_code
):
    summary = authority_summary(
        lad_code, "2025", populations=populations_carried_from_2019(lad_code)
    )
    expected = published(lad_code)
    assert summary.average_score == pytest.approx(float(expected["imd_average_score"]), rel=0.03)
    assert summary.average_rank == pytest.approx(float(expected["imd_average_rank"]), rel=0.03)
    # Weighting moves the figure towards the published one (the plain mean is further off).
    assert abs(summary.average_score - float(expected["imd_average_score"])) < abs(
        summary.mean_score_unweighted - float(expected["imd_average_score"])
    )


@needs(IMD2025, SUMMARIES, LOOKUP)
def test_oldham_is_more_deprived_than_tameside_as_published(
    imd2025_two_boroughs, imd2019_two_boroughs
):
    ours = {
        lad: authority_summary(lad, "2025", populations=populations_carried_from_2019(lad))
        for lad in (OLDHAM, TAMESIDE)
    }
    assert int(published(OLDHAM)["imd_rank_of_average_score"]) < int(
        published(TAMESIDE)["imd_rank_of_average_score"]
    )
    assert ours[OLDHAM].average_score > ours[TAMESIDE].average_score
