from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "commonweave.grants"
    label = "grants"

    def ready(self):
        from . import visibility  # noqa: F401 - declares the field policy
