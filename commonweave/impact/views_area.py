"""The area profile page (issue 18, part 2): the residents the partnership serves by the
deprivation of their neighbourhood, beside the area's population, with a map of the
place's wards. For everyone who sees the place's published numbers; anyone else finds a
404. The numbers are profiles.py's, the same as `GET /api/impact/area-profile`."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from commonweave.tenancy.viewer import viewer_or_404

from .profiles import area_profile, may_see_area_profile


@login_required
def area(request):
    viewer = viewer_or_404(request, may=may_see_area_profile)
    profile = area_profile(viewer, ward_code=request.GET.get("ward", "").strip() or None)
    return render(request, "impact/area_profile.html", {"profile": profile})
