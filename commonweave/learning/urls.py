from django.urls import path

from .views import barriers, other, sessions

app_name = "learning"
urlpatterns = [
    path("", other.home, name="home"),
    path("sessions/", sessions.session_list, name="sessions"),
    path("sessions/new/", sessions.session_new, name="session_new"),
    path("sessions/<str:public_id>/", sessions.session_detail, name="session_detail"),
    path("sessions/<str:public_id>/record/", sessions.session_record, name="session_record"),
    path("sessions/<str:public_id>/attendees/", sessions.attendee_add, name="attendee_add"),
    path("sessions/<str:public_id>/stories/", sessions.story_add, name="story_add"),
    path("sessions/<str:public_id>/pack/", sessions.session_pack, name="session_pack"),
    path("sessions/<str:public_id>/pack.pdf", sessions.session_pack_pdf, name="session_pack_pdf"),
    path("barriers/", barriers.barrier_register, name="barriers"),
    path("barriers/board/", barriers.barrier_board, name="board"),
    path("barriers/new/", barriers.barrier_new, name="barrier_new"),
    path("barriers/<str:public_id>/", barriers.barrier_detail, name="barrier_detail"),
    path("barriers/<str:public_id>/level/", barriers.barrier_level, name="barrier_level"),
    path("barriers/<str:public_id>/actions/", barriers.action_add, name="action_add"),
    path("barriers/<str:public_id>/link/", barriers.barrier_link, name="barrier_link"),
    path("actions/", other.action_list, name="actions"),
    path("actions/<str:public_id>/status/", other.action_status, name="action_status"),
    path("log/", other.log_list, name="log"),
    path("log/new/", other.log_new, name="log_new"),
    path("boards/", other.board_list, name="boards"),
    path("boards/<str:public_id>/", other.board_detail, name="board_detail"),
    path("boards/<str:public_id>/cards/<int:card_id>/vote/", other.card_vote, name="card_vote"),
    path("partnership/", other.partnership, name="partnership"),
]
