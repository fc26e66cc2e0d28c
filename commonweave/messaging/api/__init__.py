"""The messaging API under /api/messages/ and the providers' inbound webhooks."""

from ninja import Router

router = Router(tags=["Messages"])
