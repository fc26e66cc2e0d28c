"""IoD 2019 (LSOA 2011) kept beside IoD 2025 (LSOA 2021) through the ONS lookup's best fit,
always with the "not directly comparable" notice."""

import pytest

from commonweave.area import imports
from commonweave.area.editions import NOT_COMPARABLE
from commonweave.area.models import ImdEdition, LsoaDeprivation, LsoaLookup
from commonweave.area.selectors import beside_2019, deprivation_for
from tests.area.conftest import IMD2025, LOOKUP, OLDHAM, TAMESIDE, needs

pytestmark = pytest.mark.django_db


@needs(IMD2025, LOOKUP)
def test_both_editions_are_kept_side_by_side(imd2025_two_boroughs, imd2019_two_boroughs):
    assert sorted(ImdEdition.objects.values_list("edition", "geography")) == [
        ("2019", "lsoa2011"),
        ("2025", "lsoa2021"),
    ]
    assert LsoaDeprivation.objects.filter(edition__edition="2019", lad_code=OLDHAM).count() == 141
    assert LsoaDeprivation.objects.filter(edition__edition="2025", lad_code=OLDHAM).count() == 142
    # The same code is a different row in each edition.
    assert deprivation_for("E01005320", "2019").imd_rank == 2902
    assert deprivation_for("E01005320", "2025").imd_rank == 1509
    assert deprivation_for("E01005320", "2025").edition.edition == "2025"


@needs(IMD2025, LOOKUP)
def test_an_unchanged_lsoa_shows_2019_beside_2025_with_the_notice(
    imd2025_two_boroughs, imd2019_two_boroughs
):
    both = beside_2019("E01005320")
    assert (both.lsoa11_code, both.change) == ("E01005320", "U")
    assert (both.imd2025.imd_decile, both.imd2019.imd_decile) == (1, 1)
    assert both.notice == NOT_COMPARABLE
    assert "not directly comparable" in str(both.notice)


@needs(IMD2025, LOOKUP)
def test_a_split_lsoa_takes_its_2011_parent(imd2025_two_boroughs, imd2019_two_boroughs):
    # Oldham 035G (2011) was split into Oldham 036A and 036B (2021).
    for child in ("E01034232", "E01034233"):
        both = beside_2019(child)
        assert (both.lsoa11_code, both.change) == ("E01032921", "S")
        assert both.imd2019.lsoa_name == "Oldham 035G"
        assert both.imd2025.lad_code == OLDHAM
    assert LsoaLookup.objects.filter(lad_code__in=[OLDHAM, TAMESIDE]).count() == 284
    assert LsoaLookup.objects.filter(best_fit=True).count() == 284


def test_a_merged_lsoa_takes_its_most_populous_parent(db, tmp_path):
    imd2019 = ImdEdition.get_or_create_for("2019")
    for code, population in (("E01000001", 1200), ("E01000002", 1900)):
        LsoaDeprivation.objects.create(
            edition=imd2019,
            lsoa_code=code,
            lad_code="E09000001",
            imd_rank=9,
            imd_decile=1,
            population=population,
        )
    path = tmp_path / "LSOA11_LSOA21_LAD22_EW_LU.csv"
    path.write_text(
        "LSOA11CD,LSOA11NM,CHGIND,LSOA21CD,LSOA21NM,LAD22CD,LAD22NM,LAD22NMW,ObjectId\n"
        "E01000001,City of London 001A,M,E01035000,City of London 001F,"
        "E09000001,City of London,,1\n"
        "E01000002,City of London 001B,M,E01035000,City of London 001F,"
        "E09000001,City of London,,2\n"
    )
    report = imports.import_lsoa_lookup(path)
    assert (report.imported, report.rejected) == (2, [])
    both = beside_2019("E01035000")
    assert (both.lsoa11_code, both.change, both.imd2025) == ("E01000002", "M", None)
    assert both.notice == NOT_COMPARABLE
    assert imports.import_lsoa_lookup(path).imported == 2
    assert LsoaLookup.objects.count() == 2
