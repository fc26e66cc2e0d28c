def current_place(request):
    viewer = getattr(request, "viewer", None)
    return {"viewer": viewer if viewer else None}
