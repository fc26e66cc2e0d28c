from django.apps import AppConfig


class MutualAidConfig(AppConfig):
    name = "commonweave.mutualaid"
    label = "mutualaid"

    def ready(self):
        from . import visibility  # noqa: F401 - visibility declares the field policy
