from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "commonweave.jobs"
    label = "jobs"
    verbose_name = "Background jobs"
