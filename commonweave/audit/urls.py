from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.log, name="log"),
    path("export.csv", views.log_csv, name="log_csv"),
    # "Who has seen this record" (audit/residents/<public_id>/) is people:resident_log.
]
