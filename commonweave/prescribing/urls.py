from django.urls import path

from . import views

app_name = "prescribing"
urlpatterns = [
    path("residents/<str:public_id>/message-back/", views.message_back, name="message_back"),
    path("residents/<str:public_id>/gp/", views.gp_edit, name="gp_edit"),
]
