from django.apps import AppConfig


class PrescribingConfig(AppConfig):
    name = "commonweave.prescribing"
    label = "prescribing"

    def ready(self):
        from . import visibility  # noqa: F401 - declares the field policy
