"""The text pages: a caseworker's texts from their residents, one resident's texts with a
reply and the number revealed on request, the place's set-up, and the practice pages
(outbox, "send a text as a resident") of a place on the fake provider.

Resolve → authorise → call a service → render. Another organisation's resident is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.visibility import Level, shown, shown_all
from commonweave.people.access import Access, resident_get, resident_viewed
from commonweave.tenancy.viewer import viewer_or_404

from . import phones, selectors, services
from .enums import ProviderName
from .forms import PracticeTextForm, ReplyForm, SetupForm
from .providers import InboundText, missing_settings, provider_name_for


def _can_casework(viewer):
    return viewer.can_do_casework


@login_required
def inbox(request):
    """Texts received from the residents the viewer's organisations hold."""
    viewer = viewer_or_404(request, may=_can_casework)
    texts = list(selectors.inbox_for(viewer))
    audit_record(
        viewer=viewer,
        action=Action.LIST,
        purpose=Purpose.CASEWORK,
        object_type="messaging.textmessage",
        residents=[t.resident for t in texts],
        detail={"list": "texts_received"},
    )
    rows = [
        {"text": shown(t, Level.FULL), "resident": shown(t.resident, Level.FULL)} for t in texts
    ]
    return render(request, "messaging/inbox.html", {"rows": rows})


def _render_thread(request, viewer, resident, *, form=None, number=None, status=200):
    texts = shown_all(selectors.texts_of(viewer, resident), Level.FULL)
    phone = phones.normalise(resident.phone)
    context = {
        "resident": shown(resident, Level.FULL),
        "texts": texts,
        "form": form or ReplyForm(),
        "masked_number": phones.masked(resident.phone) if resident.phone else "",
        "number": number,
        "stopped": bool(phone) and not services.may_send(phone, place=viewer.place),
    }
    return render(request, "messaging/thread.html", context, status=status)


@login_required
def thread(request, public_id):
    """One resident's texts, oldest first, and a reply: for the caseworkers of the
    organisation holding them."""
    viewer = viewer_or_404(request, may=_can_casework)
    resident, _access = resident_get(viewer, public_id, need=Access.FULL)
    if request.method == "POST":
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                services.text_reply(
                    viewer=viewer, resident=resident, body=form.cleaned_data["body"]
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, _("Text sent."))
                return redirect(reverse("messaging:thread", args=[resident.public_id]))
        resident_viewed(viewer, resident)
        return _render_thread(request, viewer, resident, form=form, status=400)
    resident_viewed(viewer, resident)
    return _render_thread(request, viewer, resident)


@login_required
@require_POST
def reveal_number(request, public_id):
    """Show the resident's number in full: one audit event naming the field revealed."""
    viewer = viewer_or_404(request, may=_can_casework)
    resident, _access = resident_get(viewer, public_id, need=Access.FULL)
    number = services.phone_reveal(viewer=viewer, resident=resident)
    return _render_thread(request, viewer, resident, number=number)


def _is_place_admin(viewer):
    return viewer.is_place_admin


@login_required
def setup(request):
    """The place's text front door: its provider, urgent words and automatic replies."""
    viewer = viewer_or_404(request, may=_is_place_admin)
    current = services.setup_for(viewer.place)
    if request.method == "POST":
        form = SetupForm(request.POST, instance=current, place=viewer.place)
        if form.is_valid():
            services.setup_save(viewer=viewer, data=form.cleaned_data)
            messages.success(request, _("Text message set-up saved."))
            return redirect(reverse("messaging:setup"))
        status = 400
    else:
        form = SetupForm(instance=current, place=viewer.place)
        status = 200
    provider = ProviderName(provider_name_for(viewer.place))
    context = {
        "form": form,
        "provider": provider,
        "missing": missing_settings(provider),
        "practice": selectors.practice_pages_open_to(viewer),
        "place": viewer.place,
    }
    return render(request, "messaging/setup.html", context, status=status)


def _practice(viewer):
    return selectors.practice_pages_open_to(viewer)


@login_required
def outbox(request):
    """What the fake provider "sent": nothing left Commonweave."""
    viewer = viewer_or_404(request, may=_practice)
    rows = [{"text": t, "number": phones.masked(t.phone)} for t in selectors.outbox_for(viewer)]
    return render(request, "messaging/outbox.html", {"rows": rows})


@login_required
def practice_send(request):
    """Send a text as if a resident had: it arrives through the same front door as a real
    one (stored, routed, acknowledged)."""
    viewer = viewer_or_404(request, may=_practice)
    form = PracticeTextForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.inbound_receive(
            place=viewer.place,
            provider=ProviderName.FAKE,
            text=InboundText(
                provider_message_id=services.fake_inbound_id(),
                phone=form.cleaned_data["phone"],
                body=form.cleaned_data["body"],
            ),
        )
        messages.success(request, _("Text received. Its reply, if any, is in the outbox."))
        return redirect(reverse("messaging:outbox"))
    status = 400 if request.method == "POST" else 200
    return render(request, "messaging/practice_send.html", {"form": form}, status=status)
