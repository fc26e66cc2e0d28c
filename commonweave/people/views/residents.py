"""Placeholder: being built."""

from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("Not built yet", status=501)


caseload_view = _todo
resident_search = _todo
resident_detail = _todo
resident_edit = _todo
conversation_new = _todo
goal_new = _todo
goal_progress = _todo
connection_new = _todo
consent_manage = _todo
stage_change = _todo
graduate = _todo
close = _todo
