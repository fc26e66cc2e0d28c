from django.apps import AppConfig


class AreaConfig(AppConfig):
    name = "commonweave.area"
    label = "area"
    verbose_name = "Area data"

    def ready(self):
        # A long import runs as a background job; the jobs app does not import this one.
        from . import jobs

        jobs.register()
