from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "commonweave.learning"
    label = "learning"
