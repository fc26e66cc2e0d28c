"""The editions of the English Indices of Deprivation Commonweave knows how to load:
what each is, on which geography, and the words every page or report showing it must carry.

Both editions are kept side by side. They are not directly comparable: IoD 2025 uses LSOA
2021 boundaries and newer indicators and population bases, IoD 2019 LSOA 2011. Anything that
puts one beside the other shows NOT_COMPARABLE.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .enums import Edition, Geography

OGL = "Contains public sector information licensed under the Open Government Licence v3.0."
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"

NOT_COMPARABLE = _(
    "The Indices of Deprivation 2019 and 2025 are not directly comparable. They use "
    "different neighbourhood boundaries (LSOA 2011 and LSOA 2021), different indicators "
    "and different population bases, and each ranks neighbourhoods only against others in "
    "the same edition. A change of decile between them is not a measure of change in "
    "deprivation. IoD 2019 is shown against 2021 neighbourhoods through the ONS LSOA 2011 "
    "to 2021 lookup (best fit)."
)

NOT_COVERED = _(
    "This postcode is not in England, so the English Indices of Deprivation do not cover it."
)
NOT_COVERED_NI = _(
    "Northern Ireland postcodes (BT) are not covered by the English Indices of "
    "Deprivation; Northern Ireland publishes its own measure (NIMDM)."
)

LOOKUP_SOURCE = (
    "Office for National Statistics, LSOA (2011) to LSOA (2021) to Local Authority District "
    "(2022) Lookup for England and Wales. Source: Office for National Statistics licensed "
    "under the Open Government Licence v3.0."
)


@dataclass(frozen=True)
class EditionInfo:
    edition: str
    title: str
    geography: str
    publisher: str
    source_url: str
    published: str
    lsoa_count: int  # English LSOAs ranked in the edition: rank 1 ..lsoa_count
    attribution: str
    licence: str = OGL
    licence_url: str = OGL_URL


EDITIONS: dict[str, EditionInfo] = {
    Edition.IOD2019: EditionInfo(
        edition=Edition.IOD2019,
        title="English indices of deprivation 2019",
        geography=Geography.LSOA2011,
        publisher="Ministry of Housing, Communities and Local Government",
        source_url="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
        published="2019-09-26",
        lsoa_count=32844,
        attribution=(
            "Source: MHCLG, English Indices of Deprivation 2019. Contains public sector "
            "information licensed under the Open Government Licence v3.0."
        ),
    ),
    Edition.IOD2025: EditionInfo(
        edition=Edition.IOD2025,
        title="English indices of deprivation 2025",
        geography=Geography.LSOA2021,
        publisher="Ministry of Housing, Communities and Local Government",
        source_url="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2025",
        published="2025-10-30",
        lsoa_count=33755,
        attribution=(
            "Source: MHCLG, English Indices of Deprivation 2025. Contains public sector "
            "information licensed under the Open Government Licence v3.0. LSOA/LAD lookups: "
            "Office for National Statistics, licensed under the Open Government Licence v3.0."
        ),
    ),
}
