from django.db import models


class IndicatorKind(models.TextChoices):
    SCALE = "scale", "Rated on a scale with words"
    TRAFFIC_LIGHT = "traffic_light", "Traffic light (red, amber, green)"


class CheckInStatus(models.TextChoices):
    DRAFT = "draft", "Started"
    COMPLETE = "complete", "Complete"


class CheckInVia(models.TextChoices):
    CATALYST = "catalyst", "With their catalyst"
    LINK = "link", "On their own, by a one-time link"
    API = "api", "Through the API"


class LinkChannel(models.TextChoices):
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"


class AchievementKind(models.TextChoices):
    IMPROVED = "improved", "An area of life improved"
    PRIORITY_MET = "priority_met", "A priority was met"
