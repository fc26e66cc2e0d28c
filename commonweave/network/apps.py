from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "commonweave.network"
    label = "network"

    def ready(self):
        from . import jobs, signals, survey

        signals.connect()
        jobs.register()
        survey.register()
