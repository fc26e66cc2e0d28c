"""Area reference data: the English Indices of Deprivation by neighbourhood (LSOA), two
editions side by side, and the ONS lookup between LSOA 2011 and LSOA 2021.

Open data shared by every place (a neighbourhood is as deprived whichever partnership asks),
so nothing here belongs to a place and nothing here is personal. A resident's neighbourhood
is on the resident (people.Resident.lsoa_code, set from the postcode when it is saved); the
decile is joined from here when it is read, never copied onto the person.
"""

from django.db import models
from django.utils import timezone

from .editions import EDITIONS
from .enums import DOMAINS, Edition, Geography, LsoaChange


class ImdEdition(models.Model):
    """One edition of the indices as loaded here: what it is and where it came from."""

    edition = models.CharField(max_length=4, choices=Edition.choices, unique=True)
    title = models.CharField(max_length=200)
    geography = models.CharField(max_length=10, choices=Geography.choices)
    publisher = models.CharField(max_length=200)
    source_url = models.URLField(max_length=300)
    licence = models.CharField(max_length=300)
    attribution = models.TextField()
    lsoa_count = models.PositiveIntegerField(
        help_text="English LSOAs the edition ranks (rank 1 is the most deprived)."
    )
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["edition"]

    def __str__(self):
        return self.title

    @classmethod
    def get_or_create_for(cls, edition: str) -> "ImdEdition":
        """The row for a known edition, its description kept as editions.EDITIONS says."""
        info = EDITIONS[Edition(edition)]
        row, _ = cls.objects.update_or_create(
            edition=info.edition,
            defaults={
                "title": info.title,
                "geography": info.geography,
                "publisher": info.publisher,
                "source_url": info.source_url,
                "licence": info.licence,
                "attribution": info.attribution,
                "lsoa_count": info.lsoa_count,
            },
        )
        return row


def _decile(name: str, *, optional: bool = True) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        f"{name} decile",
        null=optional,
        blank=optional,
        help_text="1 is the most deprived 10% of LSOAs in England.",
    )


class LsoaDeprivation(models.Model):
    """One neighbourhood (LSOA) in one edition: its IMD score, rank and decile and, where
    the file has them, the domain deciles and the population denominator."""

    edition = models.ForeignKey(ImdEdition, on_delete=models.CASCADE, related_name="lsoas")
    lsoa_code = models.CharField(max_length=9)
    lsoa_name = models.CharField(max_length=100, blank=True)
    lad_code = models.CharField("Local authority code", max_length=9)
    lad_name = models.CharField("Local authority", max_length=100, blank=True)
    imd_score = models.FloatField(
        "IMD score", null=True, blank=True, help_text="Empty where the file gives ranks only."
    )
    imd_rank = models.PositiveIntegerField("IMD rank", help_text="1 is the most deprived.")
    imd_decile = _decile("IMD", optional=False)
    income_decile = _decile(DOMAINS[0][1])
    employment_decile = _decile(DOMAINS[1][1])
    education_decile = _decile(DOMAINS[2][1])
    health_decile = _decile(DOMAINS[3][1])
    crime_decile = _decile(DOMAINS[4][1])
    housing_decile = _decile(DOMAINS[5][1])
    environment_decile = _decile(DOMAINS[6][1])
    population = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Total population (excluding prisoners) from the edition's denominators.",
    )

    class Meta:
        ordering = ["edition", "lsoa_code"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "lsoa_code"], name="area_lsoa_once"),
            models.CheckConstraint(
                condition=models.Q(imd_decile__gte=1, imd_decile__lte=10),
                name="area_imd_decile_1_10",
            ),
        ]
        indexes = [models.Index(fields=["edition", "lad_code"])]

    def __str__(self):
        return f"{self.lsoa_code} ({self.edition_id}): decile {self.imd_decile}"

    @property
    def domain_deciles(self) -> dict[str, int | None]:
        return {name: getattr(self, f"{stem}_decile") for stem, name in DOMAINS}


class LsoaLookup(models.Model):
    """One row of ONS's LSOA 2011 -> LSOA 2021 lookup (England and Wales).

    A 2021 LSOA with one 2011 parent (unchanged, or split from it) has one row; one made
    by merging has a row per parent. `best_fit` marks the one parent used to show IoD 2019
    beside a 2021 neighbourhood: the only one, or for a merge the most populous (by the IoD
    2019 denominators when loaded), else the lowest code.
    """

    lsoa11_code = models.CharField(max_length=9)
    lsoa11_name = models.CharField(max_length=100, blank=True)
    lsoa21_code = models.CharField(max_length=9, db_index=True)
    lsoa21_name = models.CharField(max_length=100, blank=True)
    change = models.CharField(max_length=1, choices=LsoaChange.choices)
    lad_code = models.CharField("Local authority code (2022)", max_length=9, db_index=True)
    lad_name = models.CharField("Local authority (2022)", max_length=100, blank=True)
    best_fit = models.BooleanField(default=False)

    class Meta:
        ordering = ["lsoa21_code", "lsoa11_code"]
        constraints = [
            models.UniqueConstraint(fields=["lsoa11_code", "lsoa21_code"], name="area_lookup_once")
        ]
        indexes = [models.Index(fields=["lsoa11_code"])]

    def __str__(self):
        return f"{self.lsoa11_code} -> {self.lsoa21_code} ({self.change})"
