from django.urls import path

from . import views

app_name = "mutualaid"
urlpatterns = [
    path("ask/<slug:place>/", views.ask, name="ask"),
    path("ask/<slug:place>/thanks/", views.ask_thanks, name="ask_thanks"),
    path("needs/", views.need_list, name="need_list"),
    path("needs/<str:public_id>/", views.need_detail, name="need_detail"),
    path("needs/<str:public_id>/contact/", views.need_contact, name="need_contact"),
    path("needs/<str:public_id>/propose/", views.need_propose, name="need_propose"),
    path("matches/<str:public_id>/<slug:action>/", views.match_action, name="match_action"),
    path("helpers/", views.helper_list, name="helper_list"),
    path("helpers/new/", views.helper_new, name="helper_new"),
    path("helpers/<str:public_id>/", views.helper_detail, name="helper_detail"),
    path("helper/<str:secret>/", views.helper_home, name="helper_home"),
    path("helper/<str:secret>/concern/", views.helper_concern, name="helper_concern"),
    path("helper/<str:secret>/alerts/<str:need_id>/", views.helper_answer, name="helper_answer"),
    path(
        "helper/<str:secret>/matches/<str:public_id>/<slug:action>/",
        views.helper_match,
        name="helper_match",
    ),
]
