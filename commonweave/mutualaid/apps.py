from django.apps import AppConfig


class MutualAidConfig(AppConfig):
    name = "commonweave.mutualaid"
    label = "mutualaid"

    def ready(self):
        from commonweave.insights import sections
        from commonweave.messaging import hooks as messaging_hooks

        from . import published, texts, visibility  # noqa: F401 - visibility declares the field policy

        sections.on_overview(published.overview_tables)
        # Texts from helpers and from people being helped (YES, SAFE, messages to pass on).
        messaging_hooks.on_inbound(texts.text_received)
