from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "commonweave.tenancy"
    label = "tenancy"
