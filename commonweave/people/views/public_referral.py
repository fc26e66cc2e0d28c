"""The public front door: refer yourself or someone you know, with no account.

    /refer/         the form (filled in again from the draft after "Change")
    /refer/check/   check your answers; nothing is stored until "Send referral" here
    /refer/thanks/  who will be in touch, when, and the reference to quote on the phone

The answers wait in the session between the form and the check page (never in an
address), and the session forgets them once the referral is sent.
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache

from commonweave.core import net, ratelimit
from commonweave.tenancy.models import Place
from commonweave.tenancy.viewer import public_viewer

from .. import services
from ..enums import FrontDoor, Urgency
from ..forms.referrals import FOR_MYSELF, HONEYPOT_FIELD, PublicReferralForm

DRAFT_SESSION_KEY = "public_referral_draft"
THANKS_SESSION_KEY = "public_referral_thanks"
RATE_WINDOW_SECONDS = 60 * 60
# What a browser posts that is not an answer.
NOT_ANSWERS = ("csrfmiddlewaretoken", HONEYPOT_FIELD)


def _over_rate_limit(request) -> bool:
    """Count this submission against the sender's hourly allowance (shared by every process;
    the cache keeps a keyed hash of the address, never the address)."""
    return not ratelimit.hit(
        "public-referral",
        net.client_key(request),
        limit=settings.PUBLIC_REFERRAL_RATE_PER_HOUR,
        window=RATE_WINDOW_SECONDS,
    )


def _public_phone():
    return getattr(settings, "PUBLIC_REFERRAL_PHONE", "")


def _places(slug):
    """The places taking referrals, and the one the form is for when that is settled (only
    one place, or a link naming it)."""
    places = Place.objects.filter(lead_organisation__isnull=False).order_by("name")
    place_list = list(places)
    if len(place_list) == 1:
        return places, place_list[0]
    return places, next((p for p in place_list if slug and p.slug == slug), None)


def _form_url(place_slug):
    url = reverse("people:refer")
    return f"{url}?{urlencode({'place': place_slug})}" if place_slug else url


def _context(**extra):
    return {"phone": _public_phone(), "honeypot": HONEYPOT_FIELD, **extra}


@never_cache
def public_referral(request):
    """The form. A good answer goes to the check page; nothing is stored yet."""
    place_slug = request.GET.get("place", "")
    places, place = _places(place_slug)
    context = _context(open=places.exists())
    if request.method == "POST":
        if request.POST.get(HONEYPOT_FIELD):
            # A bot filled the hidden field: thank it and keep nothing.
            request.session.pop(DRAFT_SESSION_KEY, None)
            return redirect("people:refer_thanks")
        form = PublicReferralForm(request.POST, places=places, place=place)
        if form.is_valid():
            request.session[DRAFT_SESSION_KEY] = {
                "data": {k: v for k, v in request.POST.items() if k not in NOT_ANSWERS},
                "place": place_slug if place is not None else "",
            }
            return redirect("people:refer_check")
    else:
        draft = request.session.get(DRAFT_SESSION_KEY)
        if draft:  # back from "Change": everything as they left it
            form = PublicReferralForm(draft["data"], places=places, place=place)
        else:
            form = PublicReferralForm(places=places, place=place)
    context["form"] = form
    return render(
        request,
        "people/referrals/public_form.html",
        context,
        status=400 if form.errors else 200,
    )


@never_cache
def public_referral_check(request):
    """Check your answers, each with a way back to change it; "Send referral" stores it."""
    draft = request.session.get(DRAFT_SESSION_KEY)
    if not draft:
        return redirect("people:refer")
    places, place = _places(draft.get("place"))
    form = PublicReferralForm(draft["data"], places=places, place=place)
    if not form.is_valid():  # the places changed since: show the form and what is wrong
        return redirect(_form_url(draft.get("place")))
    context = _context(
        form=form,
        rows=form.summary(),
        form_url=_form_url(draft.get("place")),
    )
    if request.method == "POST":
        if _over_rate_limit(request):
            context["limited"] = True
            return render(request, "people/referrals/public_check.html", context, status=429)
        chosen = form.chosen_place()
        referral = services.referral_create(
            viewer=public_viewer(chosen),
            front_door=FrontDoor.PUBLIC_WEB,
            person=form.person_details(),
            **form.referral_details(),
        )
        request.session.pop(DRAFT_SESSION_KEY, None)
        request.session[THANKS_SESSION_KEY] = {
            "organisation": chosen.lead_organisation.name,
            "urgent": referral.urgency == Urgency.URGENT,
            "for_self": form.cleaned_data["for_whom"] == FOR_MYSELF,
            "reference": referral.reference,
        }
        return redirect("people:refer_thanks")
    return render(request, "people/referrals/public_check.html", context)


@never_cache
def public_referral_thanks(request):
    """Who will be in touch, when, and the reference; nothing personal in the address."""
    thanks = request.session.get(THANKS_SESSION_KEY) or {}
    return render(
        request,
        "people/referrals/public_thanks.html",
        {"thanks": thanks, "phone": _public_phone()},
    )
