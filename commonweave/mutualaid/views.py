"""Mutual-aid pages.

Public (no account):  ask/<place>/            ask for help (works without JavaScript)
                      ask/<place>/thanks/     who will be in touch, and by when
Coordinators:         needs/                  open needs with their clocks
                      needs/new/              a need from a phone call, a text or on
                                              someone's behalf (?resident=, ?text=)
                      needs/<id>/             one need: its match, suggested helpers
                      offers/                 the organisation's helpers' open offers
                      offers/new/             an offer for one of their helpers (?helper=)
                      helpers/                the organisation's helpers
                      helpers/new/            a new helper (?resident=<id>: a graduate)
                      helpers/<id>/           a helper and their checks
Place admins:         settings/               how the place runs mutual aid
Helpers (own link):   helper/<secret>/        their alerts and matches, lone-working
                                              check-ins, and a safeguarding concern form

Every view resolves, authorises, calls a service and renders; another organisation's need
is a 404. Contact details are shown only on the POST that reveals them (audited).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from commonweave.core import net, ratelimit
from commonweave.messaging.enums import Direction, MessageKind
from commonweave.messaging.selectors import texts_of
from commonweave.people.access import Access, resident_get, resident_open
from commonweave.tenancy.models import Place
from commonweave.tenancy.viewer import public_viewer, viewer_or_404

from . import clock, lone_working, rules, safeguarding, selectors, services
from .eligibility import highest_tier
from .enums import AidFrontDoor, Kind, RiskTier, Side
from .forms import (
    HONEYPOT_FIELD,
    AskForm,
    ChecksForm,
    ConcernForm,
    NeedForm,
    OfferForm,
    PlaceSettingsForm,
    ThanksForm,
    VolunteerForm,
)
from .models import Match, VolunteerChecks

THANKS_SESSION_KEY = "mutualaid_thanks"


def _coordinator(request):
    return viewer_or_404(request, may=rules.can_coordinate)


def _form_errors(form, error: ValidationError) -> None:
    """A service's ValidationError onto the form: beside its field, or at the top."""
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


# --- the public form -------------------------------------------------------------------------


def _open_place(slug) -> Place:
    return get_object_or_404(Place, slug=slug, lead_organisation__isnull=False)


@never_cache
def ask(request, place):
    place = _open_place(place)
    services.place_settings(place)
    form = AskForm(request.POST or None, place=place)
    limited = False
    if request.method == "POST":
        if request.POST.get(HONEYPOT_FIELD):
            return redirect("mutualaid:ask_thanks", place=place.slug)
        if form.is_valid():
            limited = not ratelimit.hit(
                "mutualaid-ask",
                net.client_key(request),
                limit=settings.PUBLIC_REFERRAL_RATE_PER_HOUR,
                window=60 * 60,
            )
            if not limited:
                data = form.cleaned_data
                need = services.request_create(
                    viewer=public_viewer(place),
                    kind=Kind.NEED,
                    category=data["category"],
                    what=data["what"],
                    first_name=data["first_name"],
                    front_door=AidFrontDoor.WEB,
                    neighbourhood=data.get("neighbourhood"),
                    when=data["when"],
                    urgency=data["urgency"],
                    language=data["language"],
                    phone=data["phone"],
                    address=data["address"],
                )
                request.session[THANKS_SESSION_KEY] = {
                    "hours": clock.promise_hours(services.place_settings(place), need.urgency)
                }
                return redirect("mutualaid:ask_thanks", place=place.slug)
    status = 429 if limited else 400 if form.errors else 200
    return render(
        request,
        "mutualaid/ask.html",
        {"form": form, "place": place, "honeypot": HONEYPOT_FIELD, "limited": limited},
        status=status,
    )


@never_cache
def ask_thanks(request, place):
    place = _open_place(place)
    thanks = request.session.pop(THANKS_SESSION_KEY, None) or {}
    hours = thanks.get("hours") or services.place_settings(place).promise_hours
    return render(request, "mutualaid/ask_thanks.html", {"place": place, "hours": hours})


# --- coordinators ----------------------------------------------------------------------------


@login_required
def need_list(request):
    viewer = _coordinator(request)
    now = timezone.now()
    needs = list(selectors.needs_open_for(viewer)[:200])
    rows = [(need, clock.need_clock(need, now)) for need in needs]
    return render(
        request,
        "mutualaid/need_list.html",
        {
            "rows": rows,
            "stats": selectors.time_to_match_for(viewer),
            "may_change_settings": services.may_change_settings(viewer),
            "may_read_log": safeguarding.may_read_log(viewer),
        },
    )


def _need_sources(request, viewer):
    """The resident (`?resident=`) and received text (`?text=`, one of that resident's)
    a new need starts from, or (None, None). Either one the viewer may not see is a 404.
    Opening the form reads the resident's record (audited); saving is audited by the
    service, which names them."""
    resident = text = None
    resident_id, text_id = request.GET.get("resident"), request.GET.get("text")
    if text_id and not resident_id:
        raise Http404
    if resident_id:
        if request.method == "POST":
            resident, _access = resident_get(viewer, resident_id, need=Access.FULL)
        else:
            resident, _access = resident_open(viewer, resident_id, need=Access.FULL)
    if text_id:
        text = (
            texts_of(viewer, resident)
            .filter(direction=Direction.IN, kind=MessageKind.TEXT, public_id=text_id)
            .first()
        )
        if text is None:
            raise Http404
    return resident, text


def _need_initial(resident, text) -> dict:
    initial: dict = {}
    if resident is not None:
        initial["front_door"] = AidFrontDoor.CATALYST
        initial["first_name"] = next(iter(resident.display_name.split()), "")
    if text is not None:
        initial |= {"front_door": AidFrontDoor.TEXT, "what": text.body, "phone": text.phone}
    return initial


@login_required
def need_new(request):
    """A need a caseworker records: a phone call, a text, or on someone's behalf."""
    viewer = _coordinator(request)
    resident, text = _need_sources(request, viewer)
    form = NeedForm(request.POST or None, place=viewer.place, initial=_need_initial(resident, text))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            need = services.request_create(
                viewer=viewer,
                kind=Kind.NEED,
                category=data["category"],
                what=data["what"],
                first_name=data["first_name"],
                front_door=data["front_door"],
                neighbourhood=data.get("neighbourhood"),
                community_area=data.get("community_area"),
                when=data["when"],
                language=data["language"],
                urgency=data["urgency"],
                skills=data["skills"],
                address=data["address"],
                phone=data["phone"],
                resident=resident,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Need recorded. The helpers who fit it best were alerted."))
            return redirect("mutualaid:need_detail", public_id=need.public_id)
    return render(
        request,
        "mutualaid/need_new.html",
        {"form": form, "resident": resident, "text": text},
        status=400 if form.errors else 200,
    )


def _need_page(request, viewer, need, *, contact=None, error=None, status=200):
    match = selectors.live_match(need)
    helpers = [] if match else selectors.suggested_helpers(viewer, need)
    said_yes = [] if match else selectors.helpers_who_said_yes(viewer, need)
    return render(
        request,
        "mutualaid/need_detail.html",
        {
            "need": need,
            "clock": clock.need_clock(need),
            "match": match,
            "helpers": helpers,
            "said_yes": said_yes,
            "contact": contact,
            "error": error,
            "thanks_form": ThanksForm(),
            "history": need.matches.exclude(pk=getattr(match, "pk", None)).select_related(
                "volunteer"
            ),
        },
        status=status,
    )


@login_required
def need_detail(request, public_id):
    viewer = _coordinator(request)
    need = selectors.need_for_coordinator(viewer, public_id)
    return _need_page(request, viewer, need)


@login_required
@require_POST
def need_contact(request, public_id):
    viewer = _coordinator(request)
    need = selectors.need_for_coordinator(viewer, public_id)
    contact = services.need_contact_open(viewer=viewer, need=need)
    return _need_page(request, viewer, need, contact=contact or False)


@login_required
@require_POST
def need_propose(request, public_id):
    viewer = _coordinator(request)
    need = selectors.need_for_coordinator(viewer, public_id)
    volunteer = next(
        (
            v
            for v in [
                *selectors.helpers_who_said_yes(viewer, need),
                *selectors.suggested_helpers(viewer, need),
            ]
            if v.public_id == request.POST.get("helper")
        ),
        None,
    )
    if volunteer is None:
        raise Http404
    try:
        services.match_propose(actor=viewer, need=need, volunteer=volunteer)
    except ValidationError as error:
        return _need_page(request, viewer, need, error=error.messages[0], status=400)
    return redirect("mutualaid:need_detail", public_id=need.public_id)


MATCH_ACTIONS = {
    "accept": lambda actor, match, post: services.match_accept(
        actor=actor, match=match, side=Side.NEED
    ),
    "accept-helper": lambda actor, match, post: services.match_accept(
        actor=actor, match=match, side=Side.HELPER
    ),
    "decline": lambda actor, match, post: services.match_decline(
        actor=actor, match=match, side=Side.NEED
    ),
    "cancel": lambda actor, match, post: services.match_cancel(actor=actor, match=match),
    "done": lambda actor, match, post: services.match_done(actor=actor, match=match),
    "message": lambda actor, match, post: services.relay_send(
        actor=actor, match=match, text=post.get("text", "")
    ),
    "thank": lambda actor, match, post: services.match_thank(
        actor=actor, match=match, thanks=post.get("thanks", "")
    ),
}


@login_required
@require_POST
def match_action(request, public_id, action):
    viewer = _coordinator(request)
    match = (
        Match.objects.filter(place=viewer.place, public_id=public_id).select_related("need").first()
    )
    if match is None or action not in MATCH_ACTIONS or not rules.coordinates(viewer, match.need):
        raise Http404
    try:
        MATCH_ACTIONS[action](viewer, match, request.POST)
    except ValidationError as error:
        return _need_page(request, viewer, match.need, error=error.messages[0], status=400)
    return redirect("mutualaid:need_detail", public_id=match.need.public_id)


# --- coordinators' helpers ------------------------------------------------------------------


@login_required
def helper_list(request):
    viewer = _coordinator(request)
    today = timezone.localdate()
    helpers = selectors.volunteers_held_by(viewer).select_related("checks")[:500]
    rows = [(v, RiskTier(highest_tier(getattr(v, "checks", None), today)).label) for v in helpers]
    return render(request, "mutualaid/helper_list.html", {"rows": rows})


@login_required
def helper_new(request):
    viewer = _coordinator(request)
    resident = None
    if request.GET.get("resident"):
        resident, _access = resident_get(viewer, request.GET["resident"], need=Access.FULL)
    form = VolunteerForm(
        request.POST or None, place=viewer.place, from_resident=resident is not None
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {"home": data["home"], "languages": data["languages"]}
        try:
            if resident is not None:
                volunteer, secret = services.volunteer_from_resident(
                    viewer=viewer, resident=resident, **common
                )
            else:
                volunteer, secret = services.volunteer_create(
                    viewer=viewer,
                    first_name=data["first_name"],
                    phone=data["phone"],
                    email=data["email"],
                    when=data["when"],
                    **common,
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            link = request.build_absolute_uri(reverse("mutualaid:helper_home", args=[secret]))
            return render(
                request, "mutualaid/helper_created.html", {"volunteer": volunteer, "link": link}
            )
    return render(
        request,
        "mutualaid/helper_new.html",
        {"form": form, "resident": resident},
        status=400 if form.errors else 200,
    )


@login_required
def helper_detail(request, public_id):
    viewer = _coordinator(request)
    if request.method == "POST":  # the change is audited by its service
        volunteer = selectors.volunteer_for_coordinator(viewer, public_id)
    else:
        volunteer = selectors.volunteer_open(viewer, public_id)
    checks = VolunteerChecks.objects.filter(volunteer=volunteer).first()
    form = ChecksForm(
        request.POST or None,
        initial={name: getattr(checks, name, None) for name in services.CHECK_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        services.checks_record(viewer=viewer, volunteer=volunteer, **form.cleaned_data)
        return redirect("mutualaid:helper_detail", public_id=volunteer.public_id)
    allowed = RiskTier(highest_tier(checks, timezone.localdate())).label
    return render(
        request,
        "mutualaid/helper_detail.html",
        {"volunteer": volunteer, "form": form, "allowed": allowed},
        status=400 if form.errors else 200,
    )


# --- coordinators' offers --------------------------------------------------------------------


@login_required
def offer_list(request):
    """The open offers of the organisation's helpers: first name, kind of help, area, when."""
    viewer = _coordinator(request)
    offers = selectors.offers_open_for(viewer)[:500]
    return render(request, "mutualaid/offer_list.html", {"offers": offers})


@login_required
def offer_new(request):
    """An offer of help a caseworker records for one of their helpers (`?helper=`, or
    chosen on the form)."""
    viewer = _coordinator(request)
    volunteer = None
    if request.GET.get("helper"):
        volunteer = selectors.volunteer_for_coordinator(viewer, request.GET["helper"])
    helpers = None if volunteer else selectors.volunteers_held_by(viewer)
    form = OfferForm(
        request.POST or None,
        place=viewer.place,
        helpers=helpers,
        initial={"neighbourhood": volunteer.home_id} if volunteer else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            offer = services.offer_create(
                viewer=viewer,
                volunteer=volunteer or data["helper"],
                category=data["category"],
                what=data["what"],
                neighbourhood=data.get("neighbourhood"),
                community_area=data.get("community_area"),
                when=data["when"],
                language=data["language"],
                skills=data["skills"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _("Offer recorded for %(name)s.") % {"name": offer.volunteer.first_name},
            )
            return redirect("mutualaid:offer_list")
    return render(
        request,
        "mutualaid/offer_new.html",
        {"form": form, "volunteer": volunteer},
        status=400 if form.errors else 200,
    )


# --- place admins ----------------------------------------------------------------------------


@login_required
def place_settings(request):
    """How the place runs mutual aid: alerts, its promise, reach, peer to peer and its
    safeguarding lead. For the place's admins; each change is audited by the service."""
    viewer = viewer_or_404(request, may=services.may_change_settings)
    current = services.place_settings_for_admin(viewer)
    form = PlaceSettingsForm(
        request.POST or None,
        members=selectors.place_members(viewer),
        initial={name: getattr(current, name) for name in services.SETTINGS_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.place_settings_update(viewer=viewer, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("mutualaid:settings")
    return render(
        request,
        "mutualaid/settings.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


# --- helpers, on their own link --------------------------------------------------------------


def _helper(secret):
    helper = services.helper_for_link(secret)
    if helper is None:
        raise Http404
    return helper


def _helper_page(request, helper, secret, *, contact=None, concern_form=None, status=200):
    return render(
        request,
        "mutualaid/helper.html",
        {
            "helper": helper.volunteer,
            "secret": secret,
            "alert_rows": selectors.helper_alerts_answered(helper),
            "matches": selectors.helper_matches(helper),
            "contact": contact,
            "concern_form": concern_form or ConcernForm(),
        },
        status=status,
    )


@never_cache
def helper_home(request, secret):
    return _helper_page(request, _helper(secret), secret)


@never_cache
@require_POST
def helper_answer(request, secret, need_id):
    helper = _helper(secret)
    alert = selectors.helper_alert(helper, need_id)
    yes = request.POST.get("answer") == "yes"
    match = services.alert_answer(helper=helper, alert=alert, yes=yes)
    if match is not None:  # the place allows peer to peer: they proposed themselves
        said = _(
            "Thank you. You have offered to help %(name)s. We will ask them, and give you "
            "their address and phone number when you have both said yes."
        ) % {"name": alert.need.first_name}
    elif yes and selectors.live_match(alert.need) is not None:
        said = _("Thank you. Someone is already helping %(name)s.") % {
            "name": alert.need.first_name
        }
    elif yes:
        said = _("Thank you. We have told the coordinator, who will be in touch.")
    else:
        said = _("Thank you for letting us know.")
    messages.success(request, said)
    return redirect("mutualaid:helper_home", secret=secret)


@never_cache
@require_POST
def helper_match(request, secret, public_id, action):
    helper = _helper(secret)
    match = selectors.helper_matches(helper).filter(public_id=public_id).first()
    if match is None:
        raise Http404
    if action == "contact":
        contact = services.contact_reveal(actor=helper, match=match)
        return _helper_page(request, helper, secret, contact=(match, contact))
    try:
        if action == "accept":
            services.match_accept(actor=helper, match=match, side=Side.HELPER)
        elif action == "decline":
            services.match_decline(actor=helper, match=match, side=Side.HELPER)
        elif action == "done":
            services.match_done(actor=helper, match=match)
        elif action == "message":
            services.relay_send(actor=helper, match=match, text=request.POST.get("text", ""))
        elif action == "on-my-way":
            lone_working.checkin_on_my_way(helper=helper, match=match)
        elif action == "safe":
            lone_working.checkin_safe(helper=helper, match=match)
        else:
            raise Http404
    except ValidationError:
        pass  # the page shows where the match now stands
    return redirect("mutualaid:helper_home", secret=secret)


@never_cache
@require_POST
def helper_concern(request, secret):
    """A helper raises a safeguarding concern; it goes to the place's safeguarding lead."""
    helper = _helper(secret)
    form = ConcernForm(request.POST)
    if form.is_valid():
        match = None
        if form.cleaned_data.get("match"):
            match = (
                selectors.helper_matches(helper)
                .filter(public_id=form.cleaned_data["match"])
                .first()
            )
        lone_working.concern_raise(actor=helper, text=form.cleaned_data["text"], match=match)
        return render(request, "mutualaid/concern_thanks.html", {"secret": secret})
    return _helper_page(request, helper, secret, concern_form=form, status=400)
