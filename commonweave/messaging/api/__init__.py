"""The messaging API under /api/messages/ and the providers' inbound webhooks."""

from ninja import Router

from .texts import router as texts_router
from .webhooks import router as webhooks_router

router = Router(tags=["Messages"])
router.add_router("/", texts_router)
router.add_router("/", webhooks_router)
