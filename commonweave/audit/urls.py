from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.log, name="log"),
    path("export.csv", views.log_csv, name="log_csv"),
    path("residents/<str:public_id>/", views.resident_log, name="resident_log"),
]
