from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Installed only so `migrate` creates the database cache table (see migrations/)."""

    name = "commonweave.core"
    label = "core"
    verbose_name = "Kernel"
