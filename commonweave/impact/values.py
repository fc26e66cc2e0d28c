"""The value library as shipped: open values, each with its source and licence.

Each seed is written once into `SocialValue` by the data migration `0002_value_library`
(`library_sync`, idempotent by key), so every database, tests included, holds the same
library from the start and a recipe can point at a row. A value is never edited in place:
a new edition of a source is a new key, and a recipe keeps a copy of the figures it used.

Licensed value banks (HACT's Social Value Bank and the like) are never shipped: a place
admin loads a local value and confirms that their organisation holds the licence
(`services.local_value_add`).
"""

from dataclasses import dataclass
from decimal import Decimal

from .enums import ChangeMeasure, ValueBasis, ValueKind

OGL = "Open Government Licence v3.0"

# Values that both count a gain in wellbeing: adding two of one cohort into one total
# would count the same change twice (the loneliness value is itself a wellbeing
# valuation). `recipes.total_of` refuses it without a written justification.
WELLBEING_OVERLAP = "wellbeing"


@dataclass(frozen=True)
class ValueSeed:
    key: str
    name: str
    value: Decimal
    low: Decimal
    high: Decimal
    unit: str
    basis: str
    kind: str
    measure: str  # the one measure it applies to; "" for any
    price_year: int
    source_title: str
    source_publisher: str
    source_url: str
    source_table: str  # the table, section or page the figure is on
    source_note: str
    licence: str
    may_redistribute: bool
    overlap_group: str = ""


WELLBY = ValueSeed(
    key="hmt-wellby-2021",
    name="One WELLBY (wellbeing-adjusted life year)",
    value=Decimal("13000"),
    low=Decimal("10000"),
    high=Decimal("16000"),
    unit="per WELLBY: one point of life satisfaction (0 to 10) for one person for one year",
    basis=ValueBasis.POINT_CHANGE,
    kind=ValueKind.MONETISABLE,
    measure=ChangeMeasure.LIFE_SATISFACTION,
    price_year=2019,
    source_title="Green Book supplementary guidance: wellbeing (Wellbeing guidance for appraisal)",
    source_publisher="HM Treasury",
    source_url="https://www.gov.uk/government/publications/green-book-supplementary-guidance-wellbeing",
    source_table="The WELLBY value: £13,000 central, £10,000 to £16,000 range (2019 prices)",
    source_note=(
        "Applies to changes in life satisfaction on the 0 to 10 scale only (ONS personal "
        "wellbeing question), not to other wellbeing measures."
    ),
    licence=OGL,
    may_redistribute=True,
    overlap_group=WELLBEING_OVERLAP,
)

SEVERE_LONELINESS = ValueSeed(
    key="dcms-severe-loneliness-2020",
    name="Reducing severe loneliness",
    value=Decimal("9900"),
    low=Decimal("9900"),
    high=Decimal("9900"),
    unit="per person no longer severely lonely, per year",
    basis=ValueBasis.PERSON,
    kind=ValueKind.MONETISABLE,
    measure=ChangeMeasure.SEVERE_LONELINESS,
    price_year=2019,
    source_title=(
        "Loneliness monetisation report (Peytrignet, Garforth-Bles and Keohane, Simetrica-Jacobs)"
    ),
    source_publisher="Department for Digital, Culture, Media and Sport",
    source_url="https://www.gov.uk/government/publications/loneliness-monetisation-report",
    source_table="Executive summary: about £9,900 per person per year",
    source_note=(
        "The report's headline: the wellbeing, health and work-productivity cost of severe "
        "loneliness is approximately £9,900 per person per year. The exact figure and its "
        "price year were not checked against the report when this was shipped: £9,900 and "
        "2019 prices are recorded as stated here, to be confirmed. (A DCMS written answer "
        "quotes £9,537 per person per year.) No range is published with the headline, so "
        "the range is the figure itself. Its wellbeing part is a wellbeing valuation: do "
        "not add it to WELLBYs for the same people."
    ),
    licence=OGL,
    may_redistribute=True,
    overlap_group=WELLBEING_OVERLAP,
)

LATE_INTERVENTION = ValueSeed(
    key="eif-late-intervention-2016",
    name="Cost of late intervention for children and young people",
    value=Decimal("287"),
    low=Decimal("287"),
    high=Decimal("287"),
    unit="per head of population (England and Wales), per year",
    basis=ValueBasis.HEAD,
    kind=ValueKind.CONTEXT_ONLY,
    measure="",
    price_year=2016,
    source_title="The cost of late intervention: EIF analysis 2016 (Chowdry and Fitzsimons)",
    source_publisher="Early Intervention Foundation (now Foundations)",
    source_url="https://www.eif.org.uk/report/the-cost-of-late-intervention-eif-analysis-2016",
    source_table="Summary: nearly £17 billion a year, £287 per person",
    source_note=(
        "Context only: the public spending on late intervention divided by the whole "
        "population. It is not a saving per person helped, so Commonweave never multiplies "
        "it by a number of residents. The price year is the report's own year."
    ),
    licence="Quoted with attribution from the published report",
    may_redistribute=True,
)

SHIPPED = (WELLBY, SEVERE_LONELINESS, LATE_INTERVENTION)


def library_sync(model) -> int:
    """Write each shipped value that is not yet in the library (by key); never changes a
    row that is there. `model` is SocialValue (or its historical model in a migration).
    Returns how many were added."""
    added = 0
    for seed in SHIPPED:
        fields = {name: getattr(seed, name) for name in seed.__dataclass_fields__}
        key = fields.pop("key")
        _row, created = model.objects.get_or_create(place=None, key=key, defaults=fields)
        added += int(created)
    return added
