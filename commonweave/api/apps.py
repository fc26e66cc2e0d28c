from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "commonweave.api"
    label = "api"
