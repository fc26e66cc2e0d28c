from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.csv", views.overview_csv, name="overview_csv"),
    path("published-numbers/", views.disclosure, name="disclosure"),
]
