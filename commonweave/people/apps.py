from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "commonweave.people"
    label = "people"
