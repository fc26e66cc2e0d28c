"""The directory's staff JSON API under /api/directory/ (mounted by ../staff_api.py).

Each module is one capability with its own OpenAPI tag. They resolve the viewer, check the
same rules as the pages (most by running the page's own form on the JSON), call the
directory's services and selectors, and write what they return. The public ORUK read API
is elsewhere (../api.py, at /oruk/<place>/).
"""
