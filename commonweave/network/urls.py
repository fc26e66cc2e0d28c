from django.urls import path

from . import own_views, views

app_name = "network"
urlpatterns = [
    path("", views.index, name="index"),
    path("data.json", views.data, name="data"),
    path("change-makers/", views.change_makers, name="change_makers"),
    path("recompute/", views.recompute, name="recompute"),
    path("ties/new/", views.tie_new, name="tie_new"),
    path("nodes/new/", views.node_new, name="node_new"),
    path("survey/", views.survey, name="survey"),
    path("survey/<str:public_id>/", views.survey_detail, name="survey_detail"),
    path("nodes/<str:public_id>/", views.node_detail, name="node"),
    path("nodes/<str:public_id>/data.json", views.node_data, name="node_data"),
    path("nodes/<str:public_id>/sector-map/", views.sector_map, name="sector_map"),
    # a resident's own network, with their catalyst
    path("residents/<str:public_id>/", own_views.own_network_page, name="own"),
    path("residents/<str:public_id>/add/", own_views.member_new, name="own_add"),
    path("residents/<str:public_id>/draw-again/", own_views.draw_again, name="own_draw_again"),
    path("residents/<str:public_id>/people/<str:key>/", own_views.member_edit, name="own_edit"),
    path(
        "residents/<str:public_id>/people/<str:key>/remove/",
        own_views.member_remove,
        name="own_remove",
    ),
]
