from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "commonweave.network"
    label = "network"
