from urllib.parse import urlencode

from django.core.paginator import Paginator

from ..selectors import require_staff

PER_PAGE = 50


def staff(request):
    """The signed-in viewer, staff of the current place in any role; others get a 404."""
    return require_staff(request.viewer)


def paginate(request, queryset, extra_params=None):
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    params = {k: v for k, v in (extra_params or {}).items() if v}
    return {
        "page": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=1)),
        "page_query": urlencode(params) + "&" if params else "",
    }
