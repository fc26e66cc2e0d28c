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


class IndicatorSource(models.TextChoices):
    """Where an indicator of progress towards an outcome comes from: one of the numbers
    the partnership's own data (and the area data) already give, so every indicator can be
    read on a dashboard rather than typed in (docs/impact.md, "Theory of change")."""

    REFERRALS_RECEIVED = "referrals_received", _("Referrals received (journeys)")
    FIRST_CONTACT_IN_PROMISE = (
        "first_contact_in_promise",
        _("First contacts made within the promised time (journeys)"),
    )
    PEOPLE_ENGAGED = "people_engaged", _("People engaged (journeys)")
    CONNECTIONS_MADE = "connections_made", _("Connections made (journeys)")
    GRADUATIONS = "graduations", _("People who graduated (journeys)")
    HELPERS = "helpers", _("Neighbours helping others (mutual aid)")
    WELLBEING_CHANGE = (
        "wellbeing_change",
        _("Change in a cohort's life map or measure (wellbeing)"),
    )
    NETWORK_TIES = "network_ties", _("Ties between people and organisations (network)")
    BRIDGING_TIES = "bridging_ties", _("Bridging ties across groups (network)")
    BARRIERS_RAISED = "barriers_raised", _("Barriers raised (learning)")
    BARRIERS_RESOLVED = "barriers_resolved", _("Barriers resolved (learning)")
    MONEY_TO_RESIDENTS = "money_to_residents", _("Money paid to residents (grants)")
    COMMUNITY_GRANTS = "community_grants", _("Community grants awarded (grants)")
    AREA_MOST_DEPRIVED = (
        "area_most_deprived",
        _("Share of residents served who live in the most deprived 20% (area profile)"),
    )
