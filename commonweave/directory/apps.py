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
        # The area app (below this one) places residents' postcodes with this lookup table.
        from commonweave.area.postcodes import use_postcode_source

        from .geo import postcode_area_codes

        use_postcode_source(postcode_area_codes)
        # A migration that rebuilds directory_service on SQLite drops the search index's
        # triggers: put them back (and re-index) after every migrate.
        post_migrate.connect(fts.post_migrate, sender=self, dispatch_uid="directory-fts")
