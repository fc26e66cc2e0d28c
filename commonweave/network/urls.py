from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("", views.index, name="index"),
    path("data.json", views.data, name="data"),
    path("change-makers/", views.change_makers, name="change_makers"),
    path("recompute/", views.recompute, name="recompute"),
    path("ties/new/", views.tie_new, name="tie_new"),
    path("nodes/new/", views.node_new, name="node_new"),
    path("survey/", views.survey, name="survey"),
    path("nodes/<str:public_id>/", views.node_detail, name="node"),
    path("nodes/<str:public_id>/data.json", views.node_data, name="node_data"),
    path("nodes/<str:public_id>/sector-map/", views.sector_map, name="sector_map"),
]
