"""Pages for what came of the money (issue 17, part 4): a line added to a community award's
timeline from its page, and a fund's results page: its community awards with how each
stands, a template CSV to fill in, and the upload of a CSV file of results with the report
of what was read (docs/grants.md, "After the money"). Logic is in grants.results; anyone
not allowed finds a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commonweave.core.export import csv_response
from commonweave.tenancy.viewer import viewer_or_404

from . import results, rules, selectors, views
from .forms_results import AwardUpdateForm, ResultsUploadForm


@login_required
@require_POST
def award_update_add(request, public_id):
    """A new result on a community award's timeline, by one of the fund's runners. Bad
    input re-renders the award's page (400) with each problem beside its field and what
    was typed kept."""
    viewer = viewer_or_404(request)
    award = selectors.award_open(viewer, public_id)
    if not rules.runs(viewer, award.fund):
        raise Http404
    form = AwardUpdateForm(request.POST, prefix="update")
    if form.is_valid():
        data = form.cleaned_data
        try:
            results.update_add(
                viewer=viewer,
                award=award,
                on=data["on"],
                status=data["status"],
                progress=data["progress"],
                note=data["note"],
            )
        except ValidationError as error:
            if "award" in getattr(error, "error_dict", {}):
                messages.error(request, " ".join(error.message_dict["award"]))
                return redirect("grants:award_detail", public_id=award.public_id)
            form.add_service_errors(error)
        else:
            messages.success(request, _("Result added"))
            return redirect(
                f"{reverse('grants:award_detail', kwargs={'public_id': award.public_id})}#timeline"
            )
    return views._award_page(request, viewer, award, forms={"update": form}, status=400)


@login_required
def fund_results(request, public_id):
    """The fund's community awards and how each stands; `?template=csv` downloads the CSV
    to fill in; a POST uploads one and shows its report."""
    viewer = viewer_or_404(request, may=rules.may_see_funds)
    fund = selectors.fund_open(viewer, public_id)
    if request.method == "GET" and request.GET.get("template") == "csv":
        return csv_response(
            f"results-{fund.public_id}.csv",
            results.TEMPLATE_COLUMNS,
            results.template_rows(viewer, fund),
        )
    form = ResultsUploadForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                report = results.updates_import_csv(
                    viewer=viewer, fund=fund, file=form.cleaned_data["file"]
                )
            except ValidationError as error:
                form.add_service_errors(error)
                status = 400
            else:
                form = ResultsUploadForm()
        else:
            status = 400
    awards = [
        (award, results.recipient_name(award), results.status_label(award.result_status))
        for award in results.community_awards_of(viewer, fund)
    ]
    context = {"fund": fund, "awards": awards, "form": form, "report": report}
    return render(request, "grants/fund_results.html", context, status=status)
