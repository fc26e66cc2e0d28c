from django.db import models


class Edition(models.TextChoices):
    IOD2019 = "2019", "IoD 2019 (LSOA 2011)"
    IOD2025 = "2025", "IoD 2025 (LSOA 2021)"


class Geography(models.TextChoices):
    LSOA2011 = "lsoa2011", "LSOA 2011"
    LSOA2021 = "lsoa2021", "LSOA 2021"


class LsoaChange(models.TextChoices):
    """ONS's change codes between LSOA 2011 and LSOA 2021."""

    UNCHANGED = "U", "Unchanged"
    SPLIT = "S", "Split"
    MERGED = "M", "Merged"
    IRREGULAR = "X", "Redrawn (irregular)"


# The seven domains, in MHCLG's order: the field-name stem of each decile and its name.
DOMAINS = (
    ("income", "Income"),
    ("employment", "Employment"),
    ("education", "Education, Skills and Training"),
    ("health", "Health Deprivation and Disability"),
    ("crime", "Crime"),
    ("housing", "Barriers to Housing and Services"),
    ("environment", "Living Environment"),
)
