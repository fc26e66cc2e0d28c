from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DirectoryConfig(AppConfig):
    name = "commonweave.directory"
    label = "directory"

    def ready(self):
        # The web import runs as a background job; the jobs app does not import this one.
        from . import fts, postcodes, visibility  # noqa: F401 - visibility: the field policy
        from .importer import jobs

        jobs.register()
        postcodes.register()  # loading ONS's postcode directory
        # A migration that rebuilds directory_service on SQLite drops the search index's
        # triggers: put them back (and re-index) after every migrate.
        post_migrate.connect(fts.post_migrate, sender=self, dispatch_uid="directory-fts")
