from django.urls import path

from . import views

app_name = "tenancy"
urlpatterns = [
    path("members/", views.members, name="members"),
    path("members/<int:user_id>/", views.member, name="member"),
    path("members/<int:user_id>/deactivate/", views.member_deactivate, name="member_deactivate"),
    path("sign-in/", views.sign_in_settings, name="sign_in_settings"),
    path("roles/<int:membership_id>/remove/", views.membership_remove, name="membership_remove"),
    path("invite/", views.invite, name="invite"),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("organisations/add/", views.organisation_add, name="organisation_add"),
    path("organisations/<int:organisation_id>/", views.organisation_edit, name="organisation_edit"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("switch/", views.switch_place, name="switch_place"),
]
