"""Every page but the index lives under its place's slug, so no place slug can ever be
shadowed by a staff page: the first segment after /directory/ is always a place."""

from django.urls import include, path

from .views import casework, imports, postcodes, public, referrals, related_words, staff

app_name = "directory"

place_patterns = [
    # Public
    path("", public.search, name="search"),
    path("map-points.json", public.search_points, name="search_points"),
    path("community/", public.community, name="community"),
    path("suggest/", public.suggest, name="suggest"),
    path("export.<str:fmt>", public.export, name="export"),
    path("entries/<uuid:pk>/", public.entry, name="entry"),
    path("entries/<uuid:pk>/suggest/", public.suggest, name="suggest_change"),
    # Keeping it true (coordinators, place admins)
    path("new/", staff.entry_edit, name="new"),
    path("entries/<uuid:pk>/edit/", staff.entry_edit, name="edit"),
    path("entries/<uuid:pk>/checked/", staff.mark_checked, name="checked"),
    path("review/", staff.review_list, name="review_list"),
    path("review/<str:public_id>/", staff.review, name="review"),
    path("community/summary/", staff.community_summary, name="community_summary"),
    path("related-words/", related_words.related_words, name="related_words"),
    path("import/", imports.import_start, name="import"),
    path("import/<str:public_id>/", imports.import_detail, name="import_detail"),
    path("postcodes/", postcodes.load, name="postcodes"),
    # Casework
    path("connect/<str:resident_id>/", casework.connect, name="connect"),
    path("connect/<str:resident_id>/refer/<uuid:pk>/", casework.refer, name="refer"),
    path("follow-ups/", casework.follow_ups_due, name="follow_ups_due"),
    path("follow-ups/<int:pk>/", casework.follow_up, name="follow_up"),
    # Partner organisations receiving referrals
    path("referrals/", referrals.received, name="referrals_received"),
    path("referrals/<str:public_id>/", referrals.received_detail, name="referral_received"),
]

urlpatterns = [
    path("", public.index, name="index"),
    path("<slug:place_slug>/", include(place_patterns)),
]
