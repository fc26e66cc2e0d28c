"""The money dashboard page (issue 17, part 6): the place's funds and what their money
did, for the funds' runners and the place's analysts; anyone else finds a 404. The numbers
are grants/dashboard.py's, the same as `GET /api/money/dashboard`."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from commonweave.tenancy.viewer import viewer_or_404

from .dashboard import dashboard_for, may_see_dashboard


@login_required
def dashboard(request):
    viewer = viewer_or_404(request, may=may_see_dashboard)
    board = dashboard_for(viewer)
    sections = [
        {
            "id": "by-purpose",
            "heading": _("Personal grants by purpose"),
            "caption": _("Approved personal grants by their 360Giving purpose"),
            "column": _("Purpose"),
            "groups": board.by_purpose,
        },
        {
            "id": "by-neighbourhood",
            "heading": _("Personal grants by neighbourhood"),
            "caption": _("Approved personal grants by the resident's ward"),
            "column": _("Ward"),
            "groups": board.by_neighbourhood,
        },
    ]
    return render(request, "grants/dashboard.html", {"board": board, "sections": sections})
