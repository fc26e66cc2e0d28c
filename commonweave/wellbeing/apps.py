from django.apps import AppConfig


class WellbeingConfig(AppConfig):
    name = "commonweave.wellbeing"
    label = "wellbeing"

    def ready(self):
        # The scores export runs as a background job; the jobs app does not import this one.
        from . import exports, visibility  # noqa: F401 - visibility declares the field policy

        exports.register()
