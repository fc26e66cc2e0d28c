from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "commonweave.demo"
    label = "demo"
