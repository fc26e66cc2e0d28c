from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "commonweave.people"
    label = "people"

    def ready(self):
        from . import jobs, visibility  # noqa: F401 - declares the field policy of people's records

        jobs.register()
