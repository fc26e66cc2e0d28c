from ninja import NinjaAPI

api = NinjaAPI(
    title="Commonweave API",
    version="1.0.0",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
