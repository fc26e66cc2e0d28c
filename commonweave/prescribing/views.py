"""The message back to the GP and referrer: a page to check it, the JSON and the PDF.
Only the holding organisation's caseworkers (full access) reach these; anyone else gets
the same 404 as for a missing record. Showing it is one audited VIEW; each download is an
audited EXPORT naming the format and whether it was codes only."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.visibility import Level, shown
from commonweave.people.access import Access, resident_get, resident_open, resident_viewed
from commonweave.tenancy.viewer import viewer_or_404

from . import message, pdf
from .forms import GPRegistrationForm
from .models import GPRegistration
from .services import gp_registration_save


def _codes_only(request) -> bool:
    return request.GET.get("codes_only") in {"1", "on", "true"}


@login_required
def message_back(request, public_id):
    viewer = viewer_or_404(request)
    fmt = request.GET.get("format", "")
    if fmt in {"json", "pdf"}:
        resident, _access = resident_get(viewer, public_id, need=Access.FULL)
        return _download(request, viewer, resident, fmt)
    resident, _access = resident_open(viewer, public_id, need=Access.FULL)
    codes_only = _codes_only(request)
    built = message.build(viewer, resident, codes_only=codes_only)
    return render(
        request,
        "prescribing/message_back.html",
        {
            "resident": shown(resident, Level.FULL),
            "message": built,
            "codes_only": codes_only,
            "sections": message.readable(built.data),
            "gp": GPRegistration.objects.filter(resident=resident).first(),
        },
    )


def _download(request, viewer, resident, fmt):
    codes_only = _codes_only(request)
    built = message.build(viewer, resident, codes_only=codes_only)
    audit_record(
        viewer=viewer,
        action=Action.EXPORT,
        purpose=Purpose.CASEWORK,
        obj=resident,
        resident=resident,
        detail={"export": "message_back", "format": fmt, "codes_only": codes_only},
    )
    name = f"message-back-{resident.public_id}{'-codes-only' if codes_only else ''}"
    if fmt == "json":
        response = HttpResponse(
            json.dumps(built.data, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
    else:
        html = render_to_string(
            "prescribing/message_back_pdf.html",
            {"sections": message.readable(built.data), "codes_only": codes_only},
        )
        response = HttpResponse(pdf.from_html(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def gp_edit(request, public_id):
    viewer = viewer_or_404(request)
    resident, _access = resident_get(viewer, public_id, need=Access.FULL)
    registration = GPRegistration.objects.filter(resident=resident).first()
    if request.method == "POST":
        form = GPRegistrationForm(request.POST, instance=registration)
        if form.is_valid():
            gp_registration_save(viewer, resident, form.cleaned_data)
            messages.success(request, _("GP practice saved"))
            return redirect("prescribing:message_back", public_id=resident.public_id)
        status = 400
    else:
        form = GPRegistrationForm(instance=registration)
        status = 200
    resident_viewed(viewer, resident)
    return render(
        request,
        "prescribing/gp_form.html",
        {"resident": shown(resident, Level.FULL), "form": form},
        status=status,
    )
