class PrivatePagesMiddleware:
    """Pages for signed-in staff may hold personal data: never store them in any cache
    (SAFETY 16). Public pages and static files are unaffected."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated or request.path.startswith("/api/"):
            response["Cache-Control"] = "no-store, private"
        return response
