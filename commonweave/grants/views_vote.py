"""The public vote of a participatory round with one-use voter codes, the runner's page
that issues them, and the round as a Pabulib file (vote.py; docs/grants-voting.md).

The vote page needs no account and no JavaScript. Every vote sent from one address counts
against an hourly limit (the one rate limiter), so voter codes cannot be found by trying
them one after another."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from commonweave.core import net, ratelimit
from commonweave.core.export import csv_response
from commonweave.tenancy.viewer import viewer_or_404

from . import rounds, vote
from .enums import Eligibility, RoundState
from .forms_vote import CodesForm, VoteForm
from .models import Round

VOTE_SCOPE = "grants-round-vote"
# Votes sent from one address (or IPv6 /64) in an hour, right or wrong. Enough for a busy
# drop-in session on one wifi; far too few to guess codes (vote.ALPHABET).
VOTE_TRIES_PER_HOUR = 100


def vote_limited(request) -> bool:
    """Count one vote sent from this address; True once over the hourly limit. The page
    and the API share the count."""
    limit = getattr(settings, "GRANTS_VOTE_TRIES_PER_HOUR", VOTE_TRIES_PER_HOUR)
    return not ratelimit.hit(VOTE_SCOPE, net.client_key(request), limit=limit, window=60 * 60)


def _closed_reason(round_: Round) -> str:
    if not round_.vote_open:
        return _("This round does not have a public vote.")
    if round_.state == RoundState.DECIDED:
        return _("Voting has finished.")
    return _("Voting has not started yet. Please come back later.")


def _projects(round_: Round):
    # The template gives the first box the field's own id: the error summary links to it.
    return list(
        round_.applications.filter(place=round_.place, eligibility=Eligibility.ELIGIBLE)
        .only("number", "title", "what_for", "amount", "group_name")
        .order_by("number")
    )


@never_cache
@require_http_methods(["GET", "POST"])
def round_vote(request, public_id):
    round_ = get_object_or_404(Round.objects.select_related("fund", "place"), public_id=public_id)
    if request.method == "GET" and request.GET.get("thanks") == "1":
        return render(request, "grants/round_vote_thanks.html", {"round": round_})
    is_open = vote.vote_open(round_)
    points = (round_.points or 1) if rounds.points_ballots(round_) else None
    projects = _projects(round_) if is_open else []
    posted = request.method == "POST" and is_open
    form = VoteForm(
        request.POST if posted else None,
        projects=projects,
        points=points,
        most=round_.max_choices,
    )
    status, limited, choices_errors = 200, False, []
    if request.method == "POST":
        status = 400
        if not is_open:
            pass
        elif vote_limited(request):
            limited, status = True, 429
        elif form.is_valid():
            try:
                vote.vote_cast(round_=round_, code=form.cleaned_data["code"], choices=form.ballot())
            except ValidationError as error:
                if points and hasattr(error, "error_dict") and "choices" in error.error_dict:
                    # Points have one box a project: the message goes above them all.
                    choices_errors = error.message_dict["choices"]
                form.add_service_errors(error)
            else:
                return redirect(f"{request.path}?thanks=1")
    context = {
        "round": round_,
        "is_open": is_open,
        "closed_reason": "" if is_open else _closed_reason(round_),
        "form": form,
        "projects": projects,
        "points": points,
        "most": round_.max_choices,
        "named": not round_.anonymise_applicants,
        "limited": limited,
        "choices_errors": choices_errors,
        "chosen": set(form["choices"].value() or []) if "choices" in form.fields else set(),
    }
    return render(request, "grants/round_vote.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def round_codes(request, public_id):
    """Issue voter codes (the round's runners only): each batch is shown once, printable,
    and can be downloaded as a CSV file while the page is open. Afterwards only how many
    were issued and used is shown: the codes themselves are not kept."""
    viewer = viewer_or_404(request)
    round_ = rounds.round_for_runner(viewer, public_id)
    vote_url = request.build_absolute_uri(
        reverse("grants:round_vote", kwargs={"public_id": round_.public_id})
    )
    if request.method == "POST" and request.POST.get("format") == "csv":
        found = vote.codes_confirm(viewer=viewer, round_=round_, codes=request.POST.getlist("code"))
        return csv_response(
            f"voter-codes-{round_.public_id}.csv",
            [_("Voting code"), _("Vote at")],
            ([code, vote_url] for code in found),
        )
    form = CodesForm(request.POST if request.method == "POST" else None)
    codes: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            codes = vote.codes_issue(
                viewer=viewer, round_=round_, how_many=form.cleaned_data["how_many"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            form = CodesForm()  # empty again: a second batch is asked for on purpose
    context = {
        "round": round_,
        "form": form,
        "codes": codes,
        "counts": vote.code_counts(round_),
        "vote_url": vote_url,
    }
    return render(request, "grants/round_codes.html", context, status=400 if form.errors else 200)


@never_cache
def round_pabulib(request, public_id):
    """The round's projects and ballots as a Pabulib file: anyone's once it is decided (so
    anyone can count it again), its runners' at any time; otherwise a 404."""
    round_ = get_object_or_404(Round.objects.select_related("fund"), public_id=public_id)
    text = vote.pabulib_for(getattr(request, "viewer", None), round_)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="round-{round_.public_id}.pb"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
