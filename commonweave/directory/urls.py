from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.index, name="index"),
    path("review/", views.review_list, name="review_list"),
    path("review/<str:public_id>/", views.review, name="review"),
    path("connect/<str:resident_id>/", views.connect, name="connect"),
    path("follow-ups/<int:pk>/", views.follow_up, name="follow_up"),
    path("community/", views.community_summary, name="community_summary"),
    path("<slug:place_slug>/", views.search, name="search"),
    path("<slug:place_slug>/community/", views.community, name="community"),
    path("<slug:place_slug>/suggest/", views.suggest, name="suggest"),
    path("<slug:place_slug>/export.<str:fmt>", views.export, name="export"),
    path("<slug:place_slug>/new/", views.entry_edit, name="new"),
    path("<slug:place_slug>/entries/<uuid:pk>/", views.entry, name="entry"),
    path("<slug:place_slug>/entries/<uuid:pk>/edit/", views.entry_edit, name="edit"),
    path("<slug:place_slug>/entries/<uuid:pk>/suggest/", views.suggest, name="suggest_change"),
    path("<slug:place_slug>/entries/<uuid:pk>/checked/", views.mark_checked, name="checked"),
]
