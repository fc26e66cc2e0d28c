from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "commonweave.accounts"
    label = "accounts"
