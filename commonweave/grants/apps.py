from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "commonweave.grants"
    label = "grants"
