from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "commonweave.web"
    label = "web"
