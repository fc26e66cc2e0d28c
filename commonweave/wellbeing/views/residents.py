"""A resident's life map pages: the picture over time, a check-in with their catalyst,
priorities, and the one-time link a resident opens alone.
resolve viewer -> authorise -> service -> render.

Wellbeing is for the holding organisation only (FULL access): partners who see a shared
record do not see wellbeing (consent covers the journey, not wellbeing). Another
organisation's resident is a 404. Every record a page shows goes through the field policy
at the viewer's level (`shown`), as the API answers it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.visibility import shown, shown_all
from commonweave.people.access import Access, resident_get, resident_open
from commonweave.tenancy.viewer import public_viewer, viewer_or_404

from .. import selectors, senders, services
from ..enums import LinkChannel
from ..forms import CheckInForm, CheckInStepForm, PriorityForm, SendLinkForm, checkin_steps
from ..models import CheckIn, Priority


def _picture_url(resident):
    return reverse("wellbeing:picture", kwargs={"public_id": resident.public_id})


def _checkin_for(request, checkin_id):
    """The viewer, a check-in of a resident they hold in full (unaudited) and their access,
    or 404."""
    viewer = viewer_or_404(request)
    checkin = (
        CheckIn.objects.select_related("version", "resident").filter(public_id=checkin_id).first()
    )
    if checkin is None or checkin.place_id != viewer.place.pk:
        raise Http404
    resident, access = resident_get(viewer, checkin.resident.public_id, need=Access.FULL)
    return viewer, checkin, resident, access


def _audit_view(viewer, resident):
    audit_record(
        viewer=viewer,
        action=Action.VIEW,
        purpose=Purpose.CASEWORK,
        obj=resident,
        resident=resident,
    )


@login_required
def picture(request, public_id):
    """The resident's life map over time: charts, and a table of the same numbers."""
    viewer = viewer_or_404(request)
    resident, access = resident_open(viewer, public_id, need=Access.FULL)
    level = access.level
    context = {
        "resident": shown(resident, level),
        "picture": selectors.resident_picture(viewer, resident),
        "priorities": shown_all(
            resident.wellbeing_priorities.order_by("met_at", "by_when", "pk"), level
        ),
        "achievements": shown_all(resident.wellbeing_achievements.order_by("-at")[:20], level),
    }
    return render(request, "wellbeing/picture.html", context)


@login_required
@require_POST
def checkin_new(request, public_id):
    viewer = viewer_or_404(request)
    resident, _ = resident_get(viewer, public_id, need=Access.FULL)
    checkin = services.checkin_start(viewer=viewer, resident=resident)
    return redirect("wellbeing:checkin", checkin_id=checkin.public_id)


def _fill(request, *, viewer, checkin, resident, access, template, done):
    """Show and take the check-in form on the catalyst's page (a resident's link goes step
    by step: link_checkin)."""
    form_kwargs = {
        "areas": checkin.version.areas.all(),
        "instruments": services.instruments_for(checkin.place),
    }
    if request.method == "POST":
        form = CheckInForm(request.POST, **form_kwargs)
        if form.is_valid():
            answers = form.answers()
            try:
                services.checkin_submit(viewer=viewer, checkin=checkin, **answers)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                return done()
    else:
        form = CheckInForm(**form_kwargs)
    _audit_view(viewer, resident)
    context = {
        "form": form,
        "checkin": shown(checkin, access.level),
        "resident": shown(resident, access.level),
    }
    return render(request, template, context, status=400 if form.errors else 200)


@login_required
@never_cache
def checkin_fill(request, checkin_id):
    viewer, checkin, resident, access = _checkin_for(request, checkin_id)
    if checkin.is_complete:
        return redirect(_picture_url(resident))

    def done():
        messages.success(request, "Check-in saved")
        return redirect(_picture_url(resident))

    return _fill(
        request,
        viewer=viewer,
        checkin=checkin,
        resident=resident,
        access=access,
        template="wellbeing/checkin.html",
        done=done,
    )


@login_required
def send_link(request, checkin_id):
    """Send the resident a one-time link to this check-in, by a channel they have: only
    text message when there is a number, only email when there is an address, and neither
    (saying why) when there is none. After sending, the page says where it went, masked
    ("text message to 07••• ••• 123"), read from the link just made: nothing about the
    person travels in the address or in a message cookie."""
    viewer, checkin, resident, access = _checkin_for(request, checkin_id)
    if checkin.is_complete:
        return redirect(_picture_url(resident))
    record = shown(resident, access.level)
    phone, email = record.value("phone"), record.value("email")
    channels = senders.channels_for(phone=phone, email=email)
    form = SendLinkForm(request.POST or None)
    form.fields["channel"].choices = [
        (
            channel,
            gettext("%(channel)s to %(address)s")
            % {
                "channel": LinkChannel(channel).label,
                "address": senders.masked(
                    channel, senders.address_for(channel, phone=phone, email=email)
                ),
            },
        )
        for channel in channels
    ]
    posted = request.POST.get("channel")
    if posted in (LinkChannel.TEXT, LinkChannel.EMAIL) and posted not in channels:
        # Offered only what they have; a stale page or a hand-made post hears why not.
        form.fields["channel"].error_messages["invalid_choice"] = (
            gettext("There is no mobile number on their record")
            if posted == LinkChannel.TEXT
            else gettext("There is no email address on their record")
        )
    if len(channels) == 1 and not form.is_bound:
        form.initial["channel"] = channels[0]
    if request.method == "POST" and form.is_valid():
        try:
            services.link_send(
                viewer=viewer,
                checkin=checkin,
                channel=form.cleaned_data["channel"],
                url_for=lambda token: request.build_absolute_uri(
                    reverse("wellbeing:link", kwargs={"token": token})
                ),
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            url = reverse("wellbeing:send_link", kwargs={"checkin_id": checkin.public_id})
            return redirect(f"{url}?sent=1")
    _audit_view(viewer, resident)
    sent = None
    if request.method == "GET" and request.GET.get("sent"):
        link = (
            checkin.links.filter(used_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-created_at", "-pk")
            .first()
        )
        if link is not None:
            sent = {
                "where": senders.where_it_went(
                    link.channel,
                    senders.address_for(link.channel, phone=phone, email=email),
                ),
                "expires_at": link.expires_at,
            }
    context = {
        "form": form,
        "checkin": shown(checkin, access.level),
        "resident": record,
        "channels": channels,
        "sent": sent,
    }
    return render(request, "wellbeing/send_link.html", context, status=400 if form.errors else 200)


@login_required
def priority_new(request, public_id):
    viewer = viewer_or_404(request)
    resident, access = resident_get(viewer, public_id, need=Access.FULL)
    areas = list(services.current_lifemap(resident.place).areas.all())
    form = PriorityForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.priority_add(
                viewer=viewer,
                resident=resident,
                area_key=data["area"],
                why_now=data["why_now"],
                will_do=data["will_do"],
                by_when=data["by_when"],
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, "Priority added")
            return redirect(_picture_url(resident))
    _audit_view(viewer, resident)
    return render(
        request,
        "wellbeing/priority_form.html",
        {"form": form, "resident": shown(resident, access.level)},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def priority_met(request, public_id, priority_id):
    viewer = viewer_or_404(request)
    resident, _ = resident_get(viewer, public_id, need=Access.FULL)
    priority = Priority.objects.filter(pk=priority_id, resident=resident).first()
    if priority is None:
        raise Http404
    services.priority_met(viewer=viewer, priority=priority)
    messages.success(request, "Priority marked as met")
    return redirect(_picture_url(resident))


# --- the one-time link: no account, this check-in only -----------------------------------


def _no_referrer(response):
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store, private"
    return response


# A resident's answers wait in their session between steps (never in the address) and
# are stored only when the last step is saved; then the session forgets them.
STEP_SESSION_PREFIX = "wellbeing-checkin:"


def _step_number(value, count):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), count)


def _step_form(data, *, step, form_kwargs, errors=None):
    form = CheckInStepForm(data, step=step, **form_kwargs)
    form.is_valid()
    for name, messages_ in (errors or {}).items():
        form.add_error(None if name == "__all__" else name, messages_)
    return form


@never_cache
def link_checkin(request, token):
    """The check-in a one-time link opens, a few questions at a time ("Step 2 of 5").
    Shows only the first name and the questions, in plain words: no measure names."""
    try:
        link = services.link_open(token)
    except services.LinkUnavailable as error:
        status = 404 if error.reason == "unknown" else 410
        return _no_referrer(
            render(
                request, "wellbeing/link_unavailable.html", {"reason": error.reason}, status=status
            )
        )
    checkin = link.checkin
    resident = checkin.resident
    viewer = public_viewer(checkin.place)
    form_kwargs = {
        "areas": checkin.version.areas.all(),
        "instruments": services.instruments_for(checkin.place),
    }
    steps = checkin_steps(form_kwargs["areas"], form_kwargs["instruments"])
    key = STEP_SESSION_PREFIX + checkin.public_id
    saved = request.session.get(key)
    if saved is None:  # opened in this browser for the first time
        saved = {}
        request.session[key] = saved
        audit_record(
            viewer=viewer,
            action=Action.VIEW,
            purpose=Purpose.CASEWORK,
            obj=checkin,
            resident=resident,
            detail={"via": "link"},
        )
    source = request.POST if request.method == "POST" else request.GET
    number = _step_number(source.get("step"), len(steps))
    step = steps[number - 1]
    if request.method == "POST":
        answers = {name: request.POST.get(name, "") for name in step.field_names()}
        data = {k: v for k, v in (saved | answers).items() if v not in ("", None)}
        form = _step_form(answers, step=step, form_kwargs=form_kwargs)
        if not form.errors:
            request.session[key] = data
            if number < len(steps):
                return _no_referrer(redirect(f"{request.path}?step={number + 1}"))
            whole = CheckInForm(data, **form_kwargs)
            errors = {}
            if whole.is_valid():
                try:
                    services.checkin_submit(
                        viewer=viewer, checkin=checkin, link=link, **whole.answers()
                    )
                except ValidationError as error:
                    whole.add_service_errors(error)
                else:
                    request.session.pop(key, None)
                    return _no_referrer(redirect("wellbeing:link_done"))
            errors = whole.errors
            # Show the first step with a mistake, next to its question.
            for index, candidate in enumerate(steps, start=1):
                if set(candidate.field_names()) & set(errors):
                    number, step = index, candidate
                    break
            names = set(step.field_names())
            form = _step_form(
                {k: v for k, v in data.items() if k in names},
                step=step,
                form_kwargs=form_kwargs,
                errors={k: v for k, v in errors.items() if k in names or k == "__all__"},
            )
    else:
        form = CheckInStepForm(
            {k: v for k, v in saved.items() if k in step.field_names()} or None,
            step=step,
            **form_kwargs,
        )
    # Nothing about the person but the name they go by (SAFETY: the link reveals nothing
    # else), and no ids: the token in the address is the only key.
    first = resident.preferred_name or resident.full_name.split(" ")[0]
    context = {
        "form": form,
        "first_name": first,
        "step": step,
        "number": number,
        "count": len(steps),
        "last": number == len(steps),
        "back_url": f"{request.path}?step={number - 1}" if number > 1 else "",
    }
    response = render(
        request, "wellbeing/link_checkin.html", context, status=400 if form.errors else 200
    )
    return _no_referrer(response)


def link_done(request):
    return _no_referrer(render(request, "wellbeing/link_done.html"))
