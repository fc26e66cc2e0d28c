from django.apps import AppConfig


class MutualAidConfig(AppConfig):
    name = "commonweave.mutualaid"
    label = "mutualaid"

    def ready(self):
        from commonweave.insights import sections

        from . import published, visibility  # noqa: F401 - visibility declares the field policy

        sections.on_overview(published.overview_tables)
