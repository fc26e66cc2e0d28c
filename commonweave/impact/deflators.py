"""Uprating a value from its price year to another year's prices, with a named deflator.

The Green Book uprates with the GDP deflator at market prices, which HM Treasury
publishes each quarter ("GDP deflators at market prices, and money GDP"). The series
shipped here is a small table of calendar years; every uprated figure says which series,
which edition and which factor it used, so a reader can check it.

No index values ship yet: the published file was not to hand when this was written, and a
figure typed from memory would put a wrong number into a funder's report. Until the
series is entered from HM Treasury's CSV (calendar-year column), uprating is refused with
a message and every value stays in its own price year (docs/impact.md).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _


class NoDeflator(ValueError):
    """The series has no index for a year asked for."""


@dataclass(frozen=True)
class DeflatorSeries:
    key: str
    title: str
    publisher: str
    edition: str  # which quarterly release, and when
    url: str
    licence: str
    base: str  # "2019 = 100"
    provisional: bool
    index: dict[int, Decimal] = field(default_factory=dict)

    def factor(self, from_year: int, to_year: int) -> Decimal:
        """Index(to) / index(from): what a price in `from_year` is in `to_year` prices."""
        if not self.index:
            raise NoDeflator(
                _("No GDP deflator figures are loaded yet: keep the value's own price year")
            )
        for year in (from_year, to_year):
            if year not in self.index:
                raise NoDeflator(
                    _("The deflator has no figure for %(year)s (it covers %(first)s to %(last)s)")
                    % {"year": year, "first": min(self.index), "last": max(self.index)}
                )
        return self.index[to_year] / self.index[from_year]

    @property
    def years(self) -> list[int]:
        return sorted(self.index)

    def citation(self) -> str:
        text = f"{self.publisher}, {self.title}, {self.edition}"
        if self.provisional:
            text += " — " + _("provisional figures, to be checked against the published file")
        return text


# Calendar years, 2019 = 100 (rebased from the published index, whose base moves with
# each edition: only ratios are used, so the base does not change any uprated figure).
HMT_GDP_DEFLATOR = DeflatorSeries(
    key="hmt-gdp-deflator",
    title="GDP deflators at market prices, and money GDP (calendar years)",
    publisher="HM Treasury",
    edition="as entered December 2026 (to be replaced by the latest quarterly release)",
    url="https://www.gov.uk/government/collections/gdp-deflators-at-market-prices-and-money-gdp",
    licence="Open Government Licence v3.0",
    base="2019 = 100",
    provisional=True,
    index={},  # to be entered from the published file (see the module's docstring)
)

SERIES = {HMT_GDP_DEFLATOR.key: HMT_GDP_DEFLATOR}
DEFAULT = HMT_GDP_DEFLATOR
