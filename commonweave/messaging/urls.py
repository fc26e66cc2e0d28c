from django.urls import path

from . import views

app_name = "messaging"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("residents/<str:public_id>/", views.thread, name="thread"),
    path("residents/<str:public_id>/number/", views.reveal_number, name="reveal_number"),
    path("setup/", views.setup, name="setup"),
    path("outbox/", views.outbox, name="outbox"),
    path("practice/", views.practice_send, name="practice_send"),
]
