from django import template

from commonweave.web.navigation import nav_items

register = template.Library()

# Pages a resident or a half-signed-in person sees: no way into the staff pages from here.
WITHOUT_NAVIGATION = frozenset({"wellbeing:link", "wellbeing:link_done", "accounts:verify"})


@register.inclusion_tag("web/_nav.html", takes_context=True)
def service_navigation(context):
    """The GOV.UK service navigation for the signed-in viewer (web/navigation.py)."""
    request = context.get("request")
    viewer = getattr(request, "viewer", None) if request is not None else None
    if request is None or not viewer:
        return {"items": []}
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name in WITHOUT_NAVIGATION:
        return {"items": []}
    return {"items": nav_items(viewer, request.path_info, match.namespace if match else "")}
