from django.apps import AppConfig


class WellbeingConfig(AppConfig):
    name = "commonweave.wellbeing"
    label = "wellbeing"
