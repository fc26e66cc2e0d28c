"""Loading ONS's postcode directory from the web (coordinators and place admins): upload
the NSPL or ONSPD file (CSV or ONS's zip), choose the local authorities, and the load runs
as a background job whose page shows a progress bar."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonweave.jobs.models import Job
from commonweave.web.forms import GovukForm

from .. import postcodes
from ..models import PostcodeLookup
from .common import editor

RECENT = 10


class PostcodeLoadForm(GovukForm):
    file = forms.FileField(
        label=gettext_lazy("Postcode directory file"),
        help_text=gettext_lazy(
            "ONS's National Statistics Postcode Lookup (NSPL) or Postcode Directory (ONSPD): "
            "the .zip as published, or its .csv"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.zip"}),
        error_messages={"required": gettext_lazy("Choose the postcode directory file")},
    )
    lads = forms.CharField(
        label=gettext_lazy("Local authority codes (optional)"),
        required=False,
        max_length=500,
        help_text=gettext_lazy(
            "Only load these, separated by spaces or commas, for example E08000004. "
            "Leave empty to load every postcode in the file"
        ),
    )

    def clean_lads(self):
        codes = self.cleaned_data["lads"].replace(",", " ").split()
        try:
            return sorted(postcodes.clean_lad_codes(codes))
        except postcodes.PostcodeFileError as exc:
            raise forms.ValidationError(str(exc)) from None


@login_required
def load(request, place_slug):
    viewer = editor(request, place_slug)
    form = PostcodeLoadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job, started = postcodes.postcodes_load_start(
            viewer=viewer, upload=form.cleaned_data["file"], lads=form.cleaned_data["lads"]
        )
        if not started:
            messages.info(request, _("Postcodes are already being loaded: here is that job."))
        return redirect("jobs:detail", public_id=job.public_id)
    recent = Job.objects.filter(place=viewer.place, kind=postcodes.LOAD_POSTCODES)[:RECENT]
    context = {
        "form": form,
        "place": viewer.place,
        "recent": recent,
        "postcode_count": PostcodeLookup.objects.count(),
    }
    return render(request, "directory/postcodes.html", context, status=400 if form.errors else 200)
