from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "commonweave.directory"
    label = "directory"
