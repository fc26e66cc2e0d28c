from django.urls import path

from . import views

app_name = "wellbeing"
urlpatterns = [
    path("residents/<str:public_id>/", views.picture, name="picture"),
    path("residents/<str:public_id>/checkins/new/", views.checkin_new, name="checkin_new"),
    path("residents/<str:public_id>/priorities/new/", views.priority_new, name="priority_new"),
    path(
        "residents/<str:public_id>/priorities/<int:priority_id>/met/",
        views.priority_met,
        name="priority_met",
    ),
    path("checkins/<str:checkin_id>/", views.checkin_fill, name="checkin"),
    path("checkins/<str:checkin_id>/send-link/", views.send_link, name="send_link"),
    path("lifemap/", views.lifemap, name="lifemap"),
    path("lifemap/areas/new/", views.area_edit, name="area_new"),
    path("lifemap/areas/<slug:key>/", views.area_edit, name="area_edit"),
    path("lifemap/areas/<slug:key>/remove/", views.area_remove, name="area_remove"),
    path("cohort/", views.cohort_page, name="cohort"),
    path("cohort/change.csv", views.cohort_change_csv, name="cohort_change_csv"),
    path("cohort/exports/", views.export_start, name="export_start"),
    path("exports/<str:public_id>/", views.export_detail, name="export"),
    path("exports/<str:public_id>/download/", views.export_download, name="export_download"),
    path("c/done/", views.link_done, name="link_done"),
    path("c/<str:token>/", views.link_checkin, name="link"),
]
