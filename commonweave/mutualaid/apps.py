from django.apps import AppConfig


class MutualAidConfig(AppConfig):
    name = "commonweave.mutualaid"
    label = "mutualaid"
