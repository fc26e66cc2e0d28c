from django.urls import path

from .views import audit_log, public_referral, referrals, residents

app_name = "people"
urlpatterns = [
    # Front doors
    path("refer/", public_referral.public_referral, name="refer"),
    path("refer/check/", public_referral.public_referral_check, name="refer_check"),
    path("refer/thanks/", public_referral.public_referral_thanks, name="refer_thanks"),
    path("referrals/", referrals.my_referrals, name="my_referrals"),
    path("referrals/new/", referrals.staff_referral, name="staff_referral"),
    path("referrals/<str:public_id>/", referrals.referral_detail, name="referral_detail"),
    # Triage
    path("triage/", referrals.triage, name="triage"),
    path("triage/<str:public_id>/", referrals.triage_referral, name="triage_referral"),
    path("triage/<str:public_id>/assign/", referrals.triage_assign, name="triage_assign"),
    path(
        "triage/<str:public_id>/assign-to-me/",
        referrals.triage_assign_to_me,
        name="triage_assign_to_me",
    ),
    path("triage/<str:public_id>/contact/", referrals.triage_contact, name="triage_contact"),
    path(
        "triage/<str:public_id>/duplicates/<str:other_id>/",
        referrals.triage_compare,
        name="triage_compare",
    ),
    path(
        "triage/<str:public_id>/duplicates/<str:other_id>/merge/",
        referrals.triage_merge,
        name="triage_merge",
    ),
    # Casework
    path("caseload/", residents.caseload_view, name="caseload"),
    path("shared-with-us/", residents.shared_with_us, name="shared_with_us"),
    path("residents/", residents.resident_search, name="resident_search"),
    path("residents/<str:public_id>/", residents.resident_detail, name="resident_detail"),
    path("residents/<str:public_id>/edit/", residents.resident_edit, name="resident_edit"),
    path(
        "residents/<str:public_id>/conversations/new/",
        residents.conversation_new,
        name="conversation_new",
    ),
    path("residents/<str:public_id>/goals/new/", residents.goal_new, name="goal_new"),
    path(
        "residents/<str:public_id>/goals/<int:goal_id>/progress/",
        residents.goal_progress,
        name="goal_progress",
    ),
    path(
        "residents/<str:public_id>/connections/new/",
        residents.connection_new,
        name="connection_new",
    ),
    path("residents/<str:public_id>/consent/", residents.consent_manage, name="consent"),
    path("residents/<str:public_id>/stage/", residents.stage_change, name="stage"),
    path("residents/<str:public_id>/graduate/", residents.graduate, name="graduate"),
    path("residents/<str:public_id>/close/", residents.close, name="close"),
    # Who has seen this record: beside the place's audit log (audit/), at the address it
    # has always had, but a people page, since it opens the resident.
    path("audit/residents/<str:public_id>/", audit_log.resident_log, name="resident_log"),
]
