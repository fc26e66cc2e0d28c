from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("verify/", views.verify, name="verify"),
    path("security/", views.security, name="security"),
    path("security/two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("security/two-factor/remove/", views.two_factor_remove, name="two_factor_remove"),
    path("security/password/", views.password_change, name="password_change"),
]
