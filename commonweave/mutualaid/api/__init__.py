"""The mutual-aid API under /api/mutual-aid/: the same selectors and services as the pages."""

from ninja import Router

router = Router(tags=["Mutual aid"])
