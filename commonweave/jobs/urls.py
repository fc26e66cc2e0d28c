from django.urls import path

from . import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("recompute-keys/", views.start_recompute, name="start_recompute"),
    path("<str:public_id>/", views.job_detail, name="detail"),
]
