from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "commonweave.impact"
    label = "impact"
