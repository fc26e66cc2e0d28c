"""The JSON API at /api/ (OpenAPI schema at /api/openapi.json, docs at /api/docs): the
wiring only. Each app owns its endpoints and schemas; this mounts their routers on one
NinjaAPI with its authentication (auth.py), its error handlers (core/api/errors.py) and
its description.

Each caller is an organisation's token or a signed-in session (see auth.py); the
endpoints call the same selectors and services as the pages.
"""

from ninja import NinjaAPI
from ninja.openapi.schema import REF_TEMPLATE
from ninja.parser import Parser

from commonweave.core.api import errors
from commonweave.core.api.schemas import Detail, Errors
from commonweave.insights.api import router as insights_router
from commonweave.people.api.referrals import router as referrals_router
from commonweave.people.api.residents import router as residents_router

from .auth import AUTH


class JsonOnlyParser(Parser):
    """Reads a body only when it is sent as JSON. A body sent as text/plain or as a form
    is refused with a 415 (not parsed anyway and "fixed" by guessing): curl -d sends a form
    unless told otherwise, and the client should hear exactly that."""

    def parse_body(self, request):
        if not errors.is_json_type(request.content_type):
            raise errors.UnsupportedMediaType
        return super().parse_body(request)


def _ref(model):
    return REF_TEMPLATE.format(model=model.__name__)


# Answers made outside the endpoints (by auth, the parser, the size limit and the text
# check in middleware, which reads every query string and header), added to the documented
# responses of each operation they can come from.
COMMON_RESPONSES = {
    "any": {400: ("Bad input: each field named", Errors)},
    "body": {
        413: ("The request is over the size limit", Errors),
        415: ("The body was not sent as application/json", Errors),
    },
    "auth": {401: ("No valid token or session", Detail)},
}


# Endpoints that moved out of this package keep the operationId they were published with:
# clients generated from the schema name their methods after it.
PUBLISHED_MODULES = {
    "commonweave.people.api.referrals": "commonweave.api.referrals",
    "commonweave.people.api.residents": "commonweave.api.residents",
    "commonweave.insights.api": "commonweave.api.insights",
}


class CommonweaveAPI(NinjaAPI):
    """Documents COMMON_RESPONSES on every operation they can come from."""

    def get_openapi_operation_id(self, operation):
        module = operation.view_func.__module__
        module = PUBLISHED_MODULES.get(module, module)
        return f"{module}_{operation.view_func.__name__}".replace(".", "_")

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        components = schema["components"]["schemas"]
        for model in (Errors, Detail):
            defined = model.model_json_schema(ref_template=REF_TEMPLATE)
            components.update(defined.pop("$defs", {}))
            components[model.__name__] = defined
        for operation in (op for ops in schema["paths"].values() for op in ops.values()):
            kinds = ["any"]
            if operation.get("requestBody"):
                kinds.append("body")
            if operation.get("security"):
                kinds.append("auth")
            responses = operation["responses"]
            for kind in kinds:
                for status, (description, model) in COMMON_RESPONSES[kind].items():
                    if status not in responses:
                        content = {"application/json": {"schema": {"$ref": _ref(model)}}}
                        responses[status] = {"description": description, "content": content}
        return schema


api = CommonweaveAPI(
    title="Commonweave API",
    version="1.0.0",
    description=(
        "Referrals, triage and resident journeys for a Community Innovation Partnership. "
        "Authenticate with `Authorization: Bearer cw_...` (an organisation's token) or a "
        "signed-in session (send the CSRF token on changes). Bad input answers 400 with "
        '`{"errors": [{"field", "message"}]}`; a record you may not see is 404, exactly '
        "as if it did not exist; a stale `version` is 409. Send bodies as JSON with "
        "`Content-Type: application/json` (file uploads, such as a directory import, are "
        "multipart/form-data and say so): any other type is 415, and a body over the "
        "size limit is 413, both in the 400's shape. Text may not hold NUL (`\\u0000`) "
        "or unpaired surrogates (`\\ud800`): a 400 names the field. Every error, even "
        "for an address that does not exist, is JSON."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=AUTH,
    parser=JsonOnlyParser(),
)
errors.install(api)
api.add_router("/", referrals_router)
api.add_router("/", residents_router)
api.add_router("/", insights_router)
api.add_router("/", "commonweave.wellbeing.api.router")  # life map, check-ins, scores
api.add_router("/", "commonweave.learning.api.router")  # sessions, barriers, actions
api.add_router("/", "commonweave.network.api.router")  # nodes, ties, metrics, GraphML/GEXF
# directory entries, connections, referrals to services, imports
api.add_router("/", "commonweave.directory.api.router")
api.add_router("/", "commonweave.messaging.api.router")  # text messages, provider webhooks
api.add_router("/", "commonweave.mutualaid.api.router")  # needs, offers, matches, volunteers
api.add_router("/", "commonweave.prescribing.api.router")  # message back to GP and referrer
api.add_router("/", "commonweave.grants.api.router")  # funds, awards, payments (the ledger)
api.add_router("/", "commonweave.impact.api.router")  # social value: values and recipes
