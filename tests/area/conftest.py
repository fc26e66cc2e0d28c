"""Open data for the area tests, read where it lies (../shared/data beside the repository,
or COMMONWEAVE_OPEN_DATA): MHCLG's Indices of Deprivation 2019 and 2025, ONS's lookups and
the Oldham postcode extract, all under the Open Government Licence v3.0 (see each folder's
PROVENANCE.md). A test that needs a file it cannot find is skipped, saying which."""

import os
from pathlib import Path

import pytest

from commonweave.area import imports

DATA = Path(
    os.environ.get("COMMONWEAVE_OPEN_DATA", Path(__file__).resolve().parents[3] / "shared" / "data")
)

IMD2025 = DATA / "imd2025" / "imd2025_england_lsoa21.csv.gz"
SUMMARIES = DATA / "imd2025" / "imd2025_england_ltla24_summaries.csv"
IMD2019_FILE1 = DATA / "imd2019" / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"
IMD2019_FILE2 = DATA / "imd2019" / "File_2_-_IoD2019_Domains_of_Deprivation.csv.gz"
IMD2019_FILE6 = DATA / "imd2019" / "File_6_-_IoD2019_Population_Denominators.csv.gz"
LOOKUP = DATA / "boundaries" / "lookups" / "lsoa11_lsoa21_lad22_ew.csv.gz"
POSTCODES = DATA / "postcodes" / "oldham_postcodes_derived_nspl_may2025.csv"
OLDHAM_2025 = DATA / "imd2025" / "boroughs" / "imd2025_lsoa21_oldham_E08000004.csv"

OLDHAM, TAMESIDE = "E08000004", "E08000008"


def needs(*paths):
    """Skip, naming the files, when the shared open data is not on this machine."""
    missing = [str(p) for p in paths if not p.exists()]
    return pytest.mark.skipif(
        bool(missing), reason=f"open data not found (set COMMONWEAVE_OPEN_DATA): {missing}"
    )


@pytest.fixture
def imd2025_two_boroughs(db):
    """IoD 2025 for Oldham and Tameside from the England-wide extract."""
    if not IMD2025.exists():
        pytest.skip(f"open data not found: {IMD2025}")
    return imports.import_imd(IMD2025, edition="2025", lads=[OLDHAM, TAMESIDE])


@pytest.fixture
def imd2019_two_boroughs(db):
    """IoD 2019 Files 2 and 6 (domains and populations) and the ONS LSOA lookup, for Oldham
    and Tameside."""
    for path in (IMD2019_FILE2, IMD2019_FILE6, LOOKUP):
        if not path.exists():
            pytest.skip(f"open data not found: {path}")
    report = imports.import_imd(
        [IMD2019_FILE2, IMD2019_FILE6], edition="2019", lads=[OLDHAM, TAMESIDE]
    )
    imports.import_lsoa_lookup(LOOKUP, lads=[OLDHAM, TAMESIDE])
    return report
