"""Where the providers tell us of a text received. No session or API token: each request
proves itself to its provider's secret (Notify's bearer token, Twilio's signature), and
anything that does not is a 403 that stores nothing. A text already stored answers as
the first time did, so a provider's retry is harmless."""

import json

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router

from commonweave.core.api.schemas import Detail, Errors
from commonweave.tenancy.models import Place

from ..enums import ProviderName
from ..providers import notify, twilio
from ..services import inbound_receive

router = Router(tags=["Provider webhooks"])

TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _refused() -> JsonResponse:
    return JsonResponse({"detail": _("Not signed by the provider")}, status=403)


def _bad(message: str) -> JsonResponse:
    return JsonResponse({"errors": [{"field": "body", "message": message}]}, status=400)


def _place(slug: str) -> Place:
    place = Place.objects.filter(slug=slug).first()
    if place is None:
        raise Http404
    return place


@router.post(
    "/messages/inbound/notify/{place_slug}",
    auth=None,
    response={204: None, 400: Errors, 403: Detail, 404: Detail},
    summary="GOV.UK Notify: a text received",
    include_in_schema=False,
)
def notify_callback(request, place_slug: str):
    """Notify's received-text callback (JSON), with `Authorization: Bearer` the callback
    token set in Notify (NOTIFY_CALLBACK_TOKEN)."""
    if not notify.token_matches(request.headers.get("Authorization")):
        return _refused()
    place = _place(place_slug)
    try:
        text = notify.read_callback(json.loads(request.body or b"null"))
    except ValueError:
        return _bad(_("Not a received text from Notify"))
    inbound_receive(place=place, provider=ProviderName.NOTIFY, text=text)
    return HttpResponse(status=204)


def twilio_url(request) -> str:
    """The address Twilio called, as it signed it: MESSAGING_PUBLIC_URL (where a proxy in
    front changes the scheme or host) or the address this request arrived at."""
    base = (getattr(settings, "MESSAGING_PUBLIC_URL", "") or "").rstrip("/")
    return base + request.get_full_path() if base else request.build_absolute_uri()


@router.post(
    "/messages/inbound/twilio/{place_slug}",
    auth=None,
    response={200: None, 400: Errors, 403: Detail, 404: Detail},
    summary="Twilio: a text received",
    include_in_schema=False,
)
def twilio_webhook(request, place_slug: str):
    """Twilio's incoming-message webhook (a form post) signed with X-Twilio-Signature."""
    params = [(name, value) for name, values in request.POST.lists() for value in values]
    if not twilio.signature_matches(
        twilio_url(request), params, request.headers.get("X-Twilio-Signature")
    ):
        return _refused()
    place = _place(place_slug)
    try:
        text = twilio.read_form(request.POST)
    except ValueError:
        return _bad(_("Not a received text from Twilio"))
    inbound_receive(place=place, provider=ProviderName.TWILIO, text=text)
    return HttpResponse(TWIML_EMPTY, content_type="text/xml")
