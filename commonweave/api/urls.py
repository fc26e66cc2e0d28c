"""The JSON API at /api/ (OpenAPI schema at /api/openapi.json, docs at /api/docs).

Each caller is an organisation's token or a signed-in session (see auth.py); the
endpoints call the same selectors and services as the pages.
"""

from ninja import NinjaAPI

from . import errors
from .auth import AUTH
from .insights import router as insights_router
from .referrals import router as referrals_router
from .residents import router as residents_router

api = NinjaAPI(
    title="Commonweave API",
    version="1.0.0",
    description=(
        "Referrals, triage and resident journeys for a Community Innovation Partnership. "
        "Authenticate with `Authorization: Bearer cw_...` (an organisation's token) or a "
        "signed-in session (send the CSRF token on changes). Bad input answers 400 with "
        '`{"errors": [{"field", "message"}]}`; a record you may not see is 404, exactly '
        "as if it did not exist; a stale `version` is 409."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=AUTH,
)
errors.install(api)
api.add_router("/", referrals_router)
api.add_router("/", residents_router)
api.add_router("/", insights_router)
api.add_router("/", "commonweave.wellbeing.api.router")  # issue 3: life map, check-ins, scores
api.add_router("/", "commonweave.learning.api.router")  # issue 6: sessions, barriers, actions
api.add_router("/", "commonweave.network.api.router")  # issue 5: nodes, ties, metrics, GraphML/GEXF
# issue 4: directory entries, connections, referrals to services, imports
api.add_router("/", "commonweave.directory.staff_api.router")
