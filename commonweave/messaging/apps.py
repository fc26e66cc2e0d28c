from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "commonweave.messaging"
    label = "messaging"
