from django.urls import path

from . import views, views_dashboard, views_opendata, views_results, views_rounds, views_vote

app_name = "grants"
urlpatterns = [
    path("", views.fund_list, name="fund_list"),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("funds/new/", views.fund_new, name="fund_new"),
    path("open-data/", views_opendata.open_data, name="open_data"),
    path("funds/<str:public_id>/rounds/new/", views_rounds.round_new, name="round_new"),
    path("rounds/<str:public_id>/apply/", views_rounds.round_apply, name="round_apply"),
    path("rounds/<str:public_id>/decisions/", views_rounds.round_decisions, name="round_decisions"),
    path("rounds/<str:public_id>/score/", views_rounds.round_score, name="round_score"),
    path(
        "rounds/<str:public_id>/score/<int:panellist>/",
        views_rounds.round_score,
        name="round_score_for",
    ),
    path("rounds/<str:public_id>/vote/", views_vote.round_vote, name="round_vote"),
    path("rounds/<str:public_id>/codes/", views_vote.round_codes, name="round_codes"),
    path("rounds/<str:public_id>/round.pb", views_vote.round_pabulib, name="round_pabulib"),
    path("rounds/<str:public_id>/", views_rounds.round_detail, name="round_detail"),
    path("rounds/<str:public_id>/<slug:action>/", views_rounds.round_action, name="round_action"),
    path("funds/<str:public_id>/community/", views.community_ask, name="community_ask"),
    path("funds/<str:public_id>/results/", views_results.fund_results, name="fund_results"),
    path("funds/<str:public_id>/", views.fund_detail, name="fund_detail"),
    path(
        "funds/<str:public_id>/entries/<str:entry_id>/reverse/",
        views.entry_reverse,
        name="entry_reverse",
    ),
    path("residents/<str:public_id>/ask/", views.resident_ask, name="resident_ask"),
    path("awards/<str:public_id>/", views.award_detail, name="award_detail"),
    path("awards/<str:public_id>/receipts/<str:receipt_id>/", views.receipt, name="receipt"),
    path(
        "awards/<str:public_id>/updates/", views_results.award_update_add, name="award_update_add"
    ),
    path("awards/<str:public_id>/<slug:action>/", views.award_action, name="award_action"),
]
