from django.urls import include, path

from commonweave.api.urls import api

urlpatterns = [
    path("", include("commonweave.web.urls")),
    path("", include("commonweave.people.urls")),
    path("account/", include("commonweave.accounts.urls")),
    path("place/", include("commonweave.tenancy.urls")),
    path("audit/", include("commonweave.audit.urls")),
    path("overview/", include("commonweave.insights.urls")),
    path("jobs/", include("commonweave.jobs.urls")),
    path("wellbeing/", include("commonweave.wellbeing.urls")),
    path("directory/", include("commonweave.directory.urls")),
    path("oruk/<slug:place_slug>/", include("commonweave.directory.oruk.urls")),
    path("learning/", include("commonweave.learning.urls")),
    path("network/", include("commonweave.network.urls")),
    path("messages/", include("commonweave.messaging.urls")),
    path("mutual-aid/", include("commonweave.mutualaid.urls")),
    path("prescribing/", include("commonweave.prescribing.urls")),
    path("money/", include("commonweave.grants.urls")),
    path("impact/", include("commonweave.impact.urls")),
    path("api/", api.urls),
]

handler400 = "commonweave.web.views.bad_request"
handler403 = "commonweave.web.views.permission_denied"
handler404 = "commonweave.web.views.page_not_found"
handler500 = "commonweave.web.views.server_error"
