from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "commonweave.tenancy"
    label = "tenancy"

    def ready(self) -> None:
        from commonweave.audit.selectors import name_tokens_with

        from .selectors import token_names

        name_tokens_with(token_names)
