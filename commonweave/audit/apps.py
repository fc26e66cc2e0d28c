from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "commonweave.audit"
    label = "audit"
