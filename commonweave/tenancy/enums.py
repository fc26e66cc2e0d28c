from django.db import models


class OrganisationKind(models.TextChoices):
    COUNCIL = "council", "Council"
    NHS = "nhs", "NHS"
    HOUSING = "housing", "Housing"
    SCHOOL = "school", "School or college"
    POLICE = "police", "Police"
    VCSE = "vcse", "Voluntary, community or social enterprise"
    COMMUNITY_GROUP = "community_group", "Community group"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    CATALYST = "catalyst", "Connection catalyst"
    COORDINATOR = "coordinator", "Community coordinator"
    PARTNER_WORKER = "partner_worker", "Partner worker"
    ANALYST = "analyst", "Analyst"
    PLACE_ADMIN = "place_admin", "Place admin"


# Roles that work directly with the residents their organisation holds.
CASEWORK_ROLES = frozenset({Role.CATALYST, Role.COORDINATOR})


class Phase(models.TextChoices):
    DISCOVERY = "discovery", "Discovery"
    DESIGN = "design", "Design"
    DELIVERY = "delivery", "Delivery"
    CONNECTION = "connection", "Connection"
    AUTONOMY = "autonomy", "Autonomy & Systemic Learning"
