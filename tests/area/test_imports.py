"""Importing the Indices of Deprivation: the England-wide extract, MHCLG's File 7 layout,
IoD 2019 Files 1, 2 and 6, filters, idempotence, and refused rows named by row number."""

import csv
import gzip
import io

import pytest

from commonweave.area import imports
from commonweave.area.models import ImdEdition, LsoaDeprivation
from tests.area.conftest import (
    IMD2019_FILE1,
    IMD2019_FILE2,
    IMD2019_FILE6,
    IMD2025,
    OLDHAM,
    OLDHAM_2025,
    TAMESIDE,
    needs,
)

pytestmark = pytest.mark.django_db


def rows_of(path, lad):
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["ltla24_code"] == lad]


@needs(IMD2025)
def test_the_lsoa_count_equals_the_chosen_authorities_lsoas(imd2025_two_boroughs):
    expected = len(rows_of(IMD2025, OLDHAM)) + len(rows_of(IMD2025, TAMESIDE))
    assert expected == 284  # 142 each, as the boundaries of both boroughs have
    assert imd2025_two_boroughs.imported == 284
    assert LsoaDeprivation.objects.count() == 284
    assert LsoaDeprivation.objects.filter(lad_code=OLDHAM).count() == 142
    assert imd2025_two_boroughs.lad_codes == {OLDHAM, TAMESIDE}
    assert imd2025_two_boroughs.rejected == []
    assert imd2025_two_boroughs.other_areas == 33755 - 284


@needs(IMD2025)
def test_values_match_the_file_row_for_row(imd2025_two_boroughs):
    for row in rows_of(IMD2025, OLDHAM):
        got = LsoaDeprivation.objects.get(lsoa_code=row["lsoa21_code"])
        assert (got.imd_decile, got.imd_rank, got.imd_score) == (
            int(row["IMD_decile"]),
            int(row["IMD_rank"]),
            float(row["IMD_score"]),
        )
        assert (got.income_decile, got.housing_decile, got.environment_decile) == (
            int(row["Income_decile"]),
            int(row["Housing_and_Services_decile"]),
            int(row["Environment_decile"]),
        )
        assert (got.lad_name, got.lsoa_name) == ("Oldham", row["lsoa21_name"])
    edition = ImdEdition.objects.get()
    assert (edition.edition, edition.geography, edition.lsoa_count) == ("2025", "lsoa2021", 33755)
    assert "Open Government Licence v3.0" in edition.licence


@needs(IMD2025)
def test_import_is_idempotent_and_replaces_the_authorities_rows(imd2025_two_boroughs):
    first = dict(LsoaDeprivation.objects.values_list("lsoa_code", "pk"))
    again = imports.import_imd(IMD2025, edition="2025", lads=[OLDHAM, TAMESIDE])
    assert (again.imported, again.removed) == (284, 0)
    assert dict(LsoaDeprivation.objects.values_list("lsoa_code", "pk")) == first
    assert ImdEdition.objects.count() == 1
    # A row of Oldham's no longer in the file goes; Tameside is left alone.
    gone = LsoaDeprivation.objects.filter(lad_code=OLDHAM).first()
    LsoaDeprivation.objects.create(
        edition=gone.edition, lsoa_code="E01999999", lad_code=OLDHAM, imd_rank=1, imd_decile=1
    )
    report = imports.import_imd(IMD2025, edition="2025", lads=["Oldham"])  # by name
    assert (report.imported, report.removed) == (142, 1)
    assert LsoaDeprivation.objects.count() == 284


@needs(OLDHAM_2025)
def test_a_borough_extract_with_sub_domains_reads_the_same(db):
    report = imports.import_imd(OLDHAM_2025, edition="2025")
    assert (report.imported, report.rejected, report.lad_codes) == (142, [], {OLDHAM})


FILE7_HEADING = [
    "LSOA code (2021)",
    "LSOA name (2021)",
    "Local Authority District code (2024)",
    "Local Authority District name (2024)",
    "Index of Multiple Deprivation (IMD) Score",
    "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)",
    "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)",
    "Income Score (rate)",
    "Income Rank (where 1 is most deprived)",
    "Income Decile (where 1 is most deprived 10% of LSOAs)",
    "Employment Score (rate)",
    "Employment Rank (where 1 is most deprived)",
    "Employment Decile (where 1 is most deprived 10% of LSOAs)",
    "Education, Skills and Training Score",
    "Education, Skills and Training Rank (where 1 is most deprived)",
    "Education, Skills and Training Decile (where 1 is most deprived 10% of LSOAs)",
    "Health Deprivation and Disability Score",
    "Health Deprivation and Disability Rank (where 1 is most deprived)",
    "Health Deprivation and Disability Decile (where 1 is most deprived 10% of LSOAs)",
    "Crime Score",
    "Crime Rank (where 1 is most deprived)",
    "Crime Decile (where 1 is most deprived 10% of LSOAs)",
    "Barriers to Housing and Services Score",
    "Barriers to Housing and Services Rank (where 1 is most deprived)",
    "Barriers to Housing and Services Decile (where 1 is most deprived 10% of LSOAs)",
    "Living Environment Score",
    "Living Environment Rank (where 1 is most deprived)",
    "Living Environment Decile (where 1 is most deprived 10% of LSOAs)",
    "Income Deprivation Affecting Children Index (IDACI) Score (rate)",
    "Income Deprivation Affecting Children Index (IDACI) Rank (where 1 is most deprived)",
    "Income Deprivation Affecting Children Index (IDACI) Decile "
    "(where 1 is most deprived 10% of LSOAs)",
    "Total population: mid 2022 (excluding prisoners)",
    "Dependent Children aged 0-15: mid 2022 (excluding prisoners)",
]
DOMAIN_STEMS = (
    "Income",
    "Employment",
    "Education",
    "Health",
    "Crime",
    "Housing_and_Services",
    "Environment",
)


def file7_line(row, population):
    """One extract row written out as MHCLG's File 7 has it (ranks with no separators)."""
    cells = [row["lsoa21_code"], row["lsoa21_name"], row["ltla24_code"], row["ltla24_name"]]
    cells += [row["IMD_score"], row["IMD_rank"], row["IMD_decile"]]
    for stem in DOMAIN_STEMS:
        cells += [row[f"{stem}_score"], row[f"{stem}_rank"], row[f"{stem}_decile"]]
    cells += ["0.1", "100", "1", str(population), "300"]
    return cells


@needs(IMD2025)
def test_mhclg_file_7_layout_with_population_denominators(db, tmp_path):
    rows = rows_of(IMD2025, OLDHAM)
    path = tmp_path / "File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(FILE7_HEADING)
        for number, row in enumerate(rows):
            out.writerow(file7_line(row, 1200 + number))
    report = imports.import_imd(path, edition="2025", lads=[OLDHAM])
    assert (report.imported, report.populations, report.rejected) == (142, 142, [])
    first = LsoaDeprivation.objects.get(lsoa_code=rows[0]["lsoa21_code"])
    assert (first.imd_score, first.imd_decile, first.education_decile, first.population) == (
        float(rows[0]["IMD_score"]),
        int(rows[0]["IMD_decile"]),
        int(rows[0]["Education_decile"]),
        1200,
    )


@needs(IMD2019_FILE1, IMD2019_FILE2, IMD2019_FILE6)
def test_iod_2019_files_1_2_and_6(db):
    only_file1 = imports.import_imd(IMD2019_FILE1, edition="2019", lads=[OLDHAM])
    assert (only_file1.imported, only_file1.rejected) == (141, [])
    row = LsoaDeprivation.objects.get(lsoa_code="E01005320")  # Oldham 024A
    # File 1 writes ranks with thousands separators ("2,902"); File 2 without.
    assert (row.imd_rank, row.imd_decile, row.imd_score, row.income_decile) == (2902, 1, None, None)
    both = imports.import_imd([IMD2019_FILE2, IMD2019_FILE6], edition="2019", lads=[OLDHAM])
    assert (both.imported, both.removed, both.populations) == (141, 0, 141)
    row.refresh_from_db()
    assert (row.income_decile, row.environment_decile, row.population) == (2, 1, 2221)
    # File 2 alone again keeps File 6's populations; File 6 alone updates them.
    imports.import_imd(IMD2019_FILE2, edition="2019", lads=[OLDHAM])
    row.refresh_from_db()
    assert row.population == 2221
    assert imports.import_imd(IMD2019_FILE6, edition="2019", lads=[OLDHAM]).populations == 141


@needs(IMD2019_FILE2)
def test_a_file_on_the_other_editions_geography_is_refused(db):
    with pytest.raises(imports.ImdFileError, match="LSOA 2011"):
        imports.import_imd(IMD2019_FILE2, edition="2025", lads=[OLDHAM])
    assert LsoaDeprivation.objects.count() == 0


MESSY_HEADING = FILE7_HEADING[:7] + ["Income Decile (where 1 is most deprived 10% of LSOAs)"]


def test_refused_rows_are_named_with_their_row_and_reason_in_an_excel_saved_file(db, tmp_path):
    """UTF-8 with a byte-order mark and CRLF, as Excel's "CSV UTF-8" saves it, with blank
    lines and thousands separators: good rows go in, bad ones are named."""
    lines = [
        MESSY_HEADING,
        ["E01005320", "Oldham 024A", OLDHAM, "Oldham", "55.666", "1,509", "1", "1"],
        [],
        ["E01005321", "Oldham 022A", OLDHAM, "Oldham", "55.124", "1576", "11", "2"],  # row 4
        ["E01005322", "Oldham 022B", OLDHAM, "Oldham", "n/a", "1600", "1", "1"],  # row 5
        ["", "Oldham 022C", OLDHAM, "Oldham", "40.1", "5000", "2", "2"],  # row 6
        ["E01005324", "Oldham 022D", OLDHAM, "Oldham", "40.1", "5001", "0", "2"],  # row 7
        ["E01005325", "Oldham 022E", OLDHAM, "Oldham", "40.1", "5002", "2", "12"],  # row 8
        ["E01005320", "Oldham 024A", OLDHAM, "Oldham", "55.666", "1509", "1", "1"],  # row 9
        ["E01005326", "Oldham 022F", OLDHAM, "Oldham", "30", "40,000", "3", "3"],  # row 10
        ["E01005327", "Tameside 001A", TAMESIDE, "Tameside", "30", "9999", "3", "3"],
        ["E01005328", "Oldham 001B", OLDHAM, "Oldham", "12.5", "20,001", "6", "7"],  # row 12
        [],
    ]
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)
    path = tmp_path / "oldham.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))

    report = imports.import_imd(path, edition="2025", lads=[OLDHAM])

    assert [(r.row, r.reason) for r in report.rejected] == [
        (4, "the IMD decile 11 is outside 1–10"),
        (5, "the IMD score “n/a” is not a number"),
        (6, "no LSOA code"),
        (7, "the IMD decile 0 is outside 1–10"),
        (8, "the Income decile 12 is outside 1–10"),
        (9, "E01005320 appears again (first at row 2)"),
        (10, "the IMD rank 40000 is outside 1–33,755"),
    ]
    assert str(report.rejected[0]) == "oldham.csv row 4: the IMD decile 11 is outside 1–10"
    assert sorted(LsoaDeprivation.objects.values_list("lsoa_code", "imd_rank")) == [
        ("E01005320", 1509),
        ("E01005328", 20001),
    ]
    assert report.other_areas == 1


def test_a_windows_1252_semicolon_file_reads(db, tmp_path):
    """Excel's plain "CSV" in a locale with semicolons, in Windows-1252: a name with an en
    dash and a typographic apostrophe survives."""
    text = "\r\n".join(
        [
            ";".join(MESSY_HEADING[:7]),
            f"E01005412;Saddleworth – Delph’s edge;{OLDHAM};Oldham;12.5;20001;6",
            "",
        ]
    )
    path = tmp_path / "saddleworth.csv"
    path.write_bytes(text.encode("cp1252"))
    report = imports.import_imd(path, edition="2025", lads=["oldham"])
    assert (report.imported, report.rejected) == (1, [])
    assert LsoaDeprivation.objects.get().lsoa_name == "Saddleworth – Delph’s edge"


def test_a_file_that_is_not_the_indices_is_refused(db, tmp_path):
    path = tmp_path / "postcodes.csv"
    path.write_text("postcode,latitude,longitude\nOL1 1AA,53.5,-2.1\n")
    with pytest.raises(imports.ImdFileError, match="no LSOA code column"):
        imports.import_imd(path, edition="2025")
    workbook = tmp_path / "File_7.xlsx"
    workbook.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(imports.ImdFileError, match="Excel workbook"):
        imports.import_imd(workbook, edition="2025")
