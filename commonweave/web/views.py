from django.shortcuts import redirect, render
from django.views.decorators.csrf import requires_csrf_token


def home(request):
    """Public landing page; signed-in staff go straight to their work."""
    viewer = request.viewer
    if viewer:
        if viewer.can_do_casework:
            return redirect("people:caseload")
        if viewer.has_role("partner_worker"):
            return redirect("people:my_referrals")
        return redirect("insights:overview")
    return render(request, "web/home.html")


# Error pages never echo what was asked for (SAFETY 11, 16).
def bad_request(request, exception=None):
    return render(
        request,
        "web/error.html",
        {"title": "Sorry, there is a problem with that request"},
        status=400,
    )


def permission_denied(request, exception=None):
    return render(request, "web/error.html", {"title": "You cannot do that"}, status=403)


def page_not_found(request, exception=None):
    return render(request, "web/error.html", {"title": "Page not found"}, status=404)


@requires_csrf_token
def server_error(request):
    return render(request, "web/error.html", {"title": "Sorry, something went wrong"}, status=500)
