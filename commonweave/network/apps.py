from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "commonweave.network"
    label = "network"

    def ready(self):
        from commonweave.people import hooks

        from . import jobs, signals, survey, visibility  # noqa: F401 - field policy

        signals.connect()
        hooks.on_merge(signals.after_merge)
        jobs.register()
        survey.register()
