from django.urls import path

from . import views, views_helpers, views_safeguarding

app_name = "mutualaid"
urlpatterns = [
    path("ask/<slug:place>/", views.ask, name="ask"),
    path("ask/<slug:place>/thanks/", views.ask_thanks, name="ask_thanks"),
    path("needs/", views.need_list, name="need_list"),
    path("needs/new/", views.need_new, name="need_new"),
    path("needs/<str:public_id>/", views.need_detail, name="need_detail"),
    path("needs/<str:public_id>/contact/", views.need_contact, name="need_contact"),
    path("needs/<str:public_id>/propose/", views.need_propose, name="need_propose"),
    path("matches/<str:public_id>/<slug:action>/", views.match_action, name="match_action"),
    path("offers/", views.offer_list, name="offer_list"),
    path("offers/new/", views.offer_new, name="offer_new"),
    path("settings/", views.place_settings, name="settings"),
    path("helpers/", views.helper_list, name="helper_list"),
    path("helpers/new/", views.helper_new, name="helper_new"),
    path("helpers/<str:public_id>/", views.helper_detail, name="helper_detail"),
    path("helpers/<str:public_id>/edit/", views_helpers.helper_edit, name="helper_edit"),
    path(
        "helpers/<str:public_id>/availability/",
        views_helpers.helper_availability,
        name="helper_availability",
    ),
    path("helpers/<str:public_id>/concern/", views_helpers.helper_concern, name="helper_raise"),
    path("needs/<str:public_id>/concern/", views_safeguarding.need_concern, name="need_concern"),
    path(
        "lone-working/<str:public_id>/",
        views_safeguarding.lone_working_plan,
        name="lone_working_plan",
    ),
    path("safeguarding/", views_safeguarding.safeguarding_log, name="safeguarding_log"),
    path(
        "safeguarding/<str:public_id>/",
        views_safeguarding.safeguarding_note,
        name="safeguarding_note",
    ),
    path(
        "safeguarding/<str:public_id>/acknowledge/",
        views_safeguarding.safeguarding_acknowledge,
        name="safeguarding_acknowledge",
    ),
    path(
        "safeguarding/<str:public_id>/close/",
        views_safeguarding.safeguarding_close,
        name="safeguarding_close",
    ),
    path("helper/<str:secret>/", views.helper_home, name="helper_home"),
    path("helper/<str:secret>/concern/", views.helper_concern, name="helper_concern"),
    path("helper/<str:secret>/alerts/<str:need_id>/", views.helper_answer, name="helper_answer"),
    path(
        "helper/<str:secret>/matches/<str:public_id>/<slug:action>/",
        views.helper_match,
        name="helper_match",
    ),
]
