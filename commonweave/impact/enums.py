from django.db import models
from django.utils.translation import gettext_lazy as _


class ValueKind(models.TextChoices):
    """May a value be multiplied by a number of people? Only a monetisable one."""

    MONETISABLE = "monetisable", _("Monetisable: may be multiplied by a change")
    CONTEXT_ONLY = "context_only", _("Context only: never multiplied by a count of people")


class ValueBasis(models.TextChoices):
    """What one unit of the value is: what a cohort's n × mean change counts."""

    POINT_CHANGE = "point_change", _("Per point of change, per person, per year")
    PERSON = "person", _("Per person who made the change, per year")
    HEAD = "head", _("Per head of population (context)")


class ChangeMeasure(models.TextChoices):
    """The measure a quantity's change is on, and the one a value applies to."""

    LIFE_SATISFACTION = "life_satisfaction", _("Life satisfaction (ONS, 0 to 10)")
    SEVERE_LONELINESS = (
        "severe_loneliness",
        _("No longer severely lonely (share of the cohort, 0 to 1)"),
    )
    OTHER = "other", _("Another measure")
