from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "commonweave.insights"
    label = "insights"
