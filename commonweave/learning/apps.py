from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "commonweave.learning"
    label = "learning"

    def ready(self):
        # The session pack PDF is built as a background job; the jobs app does not import
        # this one, so the runner registers itself here.
        from . import pack_jobs, visibility  # noqa: F401 - visibility declares the field policy

        pack_jobs.register()
