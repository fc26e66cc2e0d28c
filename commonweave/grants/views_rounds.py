"""Pages of participatory rounds (rounds.py): the runners' round page, the public
application form (no account, no JavaScript), the panellist's scoring page and the public
decision log. Logic is in rounds.py; anyone not allowed finds a 404."""

from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from commonweave.core import net, ratelimit
from commonweave.people.access import Access, resident_get
from commonweave.tenancy.viewer import public_viewer, viewer_or_404

from . import rounds, selectors, voting, winners
from .enums import Eligibility
from .forms_rounds import (
    HONEYPOT_FIELD,
    ApplyForm,
    BallotForm,
    ConflictForm,
    MoveForm,
    OverrideForm,
    PanellistForm,
    PanelTimeForm,
    RecordForm,
    RoundForm,
    ScoreForm,
    ScreenForm,
)
from .models import Application, Panellist, Round, Score
from .rules import may_see_funds

FORMS = {
    "move": MoveForm,
    "record": RecordForm,
    "screen": ScreenForm,
    "panellist": PanellistForm,
    "conflict": ConflictForm,
    "ballot": BallotForm,
    "override": OverrideForm,
    "time": PanelTimeForm,
}


def _application(round_, value) -> Application:
    """By its public id, or by its reference on the ballot paper ("P001", "p1")."""
    value = (value or "").strip()
    found = round_.applications.filter(public_id=value.lower()).first() if value else None
    ref = value.upper()
    if found is None and ref.startswith("P") and ref[1:].isdigit():
        found = round_.applications.filter(number=int(ref[1:])).first()
    if found is None:
        raise ValidationError({"application": _("There is no such application in this round")})
    return found


@login_required
def round_new(request, public_id):
    viewer = viewer_or_404(request, may=may_see_funds)
    fund = selectors.fund_open(viewer, public_id)
    form = RoundForm(
        request.POST if request.method == "POST" else None, initial={"vote_open": True}
    )
    if request.method == "POST" and form.is_valid():
        try:
            round_ = rounds.round_open(viewer=viewer, fund=fund, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Round opened"))
            return redirect("grants:round_detail", public_id=round_.public_id)
    status = 400 if form.errors else 200
    return render(request, "grants/round_new.html", {"fund": fund, "form": form}, status=status)


def _round_page(request, viewer, round_, bound=None, status=200):
    forms = {name: form_class(prefix=name) for name, form_class in FORMS.items()}
    if bound is not None:
        forms[bound[0]] = bound[1]
    applications = list(round_.applications.order_by("number"))
    decision = rounds.latest_decision(round_)
    context = {
        "round": round_,
        "rule": voting.RULES.get(round_.rule),
        "applications": applications,
        "panellists": list(round_.panellists.filter(place=round_.place)),
        "ballot_count": round_.ballots.count(),
        "decision": decision,
        "forms": forms,
        "points": rounds.points_ballots(round_),
        # The scoring page is a panellist's own: linked only for one.
        "on_panel": rounds.panellist_of(viewer, round_) is not None,
    }
    return render(request, "grants/round_detail.html", context, status=status)


@login_required
def round_detail(request, public_id):
    viewer = viewer_or_404(request)
    round_ = rounds.round_for_runner(viewer, public_id)
    return _round_page(request, viewer, round_)


@login_required
@require_POST
def round_action(request, public_id, action):
    viewer = viewer_or_404(request)
    round_ = rounds.round_for_runner(viewer, public_id)
    if action == "count":
        try:
            rounds.round_count(viewer=viewer, round_=round_)
        except ValidationError as error:
            for problem in error.messages:
                messages.error(request, problem)
        else:
            messages.success(request, _("Votes counted"))
        return redirect("grants:round_detail", public_id=round_.public_id)
    if action == "awards":
        try:
            made = winners.awards_make(viewer=viewer, round_=round_)
        except ValidationError as error:
            for problem in error.messages:
                messages.error(request, problem)
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)d grant asked for: it waits for the fund's approvers",
                    "%(n)d grants asked for: they wait for the fund's approvers",
                    len(made),
                )
                % {"n": len(made)},
            )
        return redirect("grants:round_detail", public_id=round_.public_id)
    if action not in FORMS:
        raise Http404
    form = FORMS[action](request.POST, prefix=action)
    if form.is_valid():
        data = form.cleaned_data
        try:
            _act(viewer, round_, action, data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Saved"))
            return redirect("grants:round_detail", public_id=round_.public_id)
    return _round_page(request, viewer, round_, bound=(action, form), status=400)


def _act(viewer, round_, action, data):
    if action == "move":
        rounds.round_move(viewer=viewer, round_=round_, state=data["state"])
    elif action == "record":
        rounds.application_record(viewer=viewer, round_=round_, **data)
    elif action == "screen":
        rounds.application_screen(
            viewer=viewer,
            application=_application(round_, data["application"]),
            eligible=data["eligible"] == "yes",
            reason=data["reason"],
        )
    elif action == "panellist":
        user = None
        if data["email"]:
            user = (
                get_user_model()
                .objects.filter(
                    email__iexact=data["email"], memberships__organisation__place=round_.place
                )
                .distinct()
                .first()
            )
            if user is None:
                raise ValidationError({"email": _("No one with this email works in this place")})
        resident = None
        if data["resident"]:
            try:
                resident, _access = resident_get(viewer, data["resident"].strip(), need=Access.FULL)
            except Http404:
                raise ValidationError(
                    {"resident": _("No resident record with this code that you can see")}
                ) from None
        rounds.panellist_add(
            viewer=viewer,
            round_=round_,
            user=user,
            resident=resident,
            name=data["name"],
            hourly_rate=data["hourly_rate"],
        )
    elif action == "time":
        panellist = Panellist.objects.filter(
            place=round_.place, round=round_, pk=data["panellist"]
        ).first()
        if panellist is None:
            raise ValidationError({"panellist": _("No panellist with this number on this round")})
        rounds.panel_time_claim(viewer=viewer, panellist=panellist, hours=data["hours"])
    elif action == "conflict":
        panellist = get_object_or_404(
            Panellist, place=round_.place, round=round_, pk=data["panellist"] or 0
        )
        rounds.conflict_declare(
            viewer=viewer,
            application=_application(round_, data["application"]),
            reason=data["reason"],
            panellist=panellist,
        )
    elif action == "ballot":
        rounds.ballot_enter(
            viewer=viewer,
            round_=round_,
            ref=data["ref"],
            channel=data["channel"],
            choices=rounds.parse_choices(round_, data["choices"]),
        )
    elif action == "override":
        rounds.decision_override(
            viewer=viewer,
            round_=round_,
            application=_application(round_, data["application"]),
            add=data["action"] == "add",
            reason=data["reason"],
        )


# --- the public application form ---------------------------------------------------------------


@never_cache
def round_apply(request, public_id):
    round_ = get_object_or_404(Round.objects.select_related("fund", "place"), public_id=public_id)
    form = ApplyForm(request.POST if request.method == "POST" else None)
    limited = False
    if request.method == "POST":
        if request.POST.get(HONEYPOT_FIELD):
            return redirect(f"{request.path}?sent=1")
        if form.is_valid():
            limited = not ratelimit.hit(
                "grants-round-apply",
                net.client_key(request),
                limit=settings.PUBLIC_REFERRAL_RATE_PER_HOUR,
                window=60 * 60,
            )
            if not limited:
                try:
                    rounds.application_submit(
                        viewer=public_viewer(round_.place), round_=round_, **form.cleaned_data
                    )
                except ValidationError as error:
                    form.add_service_errors(error)
                else:
                    return redirect(f"{request.path}?sent=1")
    status = 429 if limited else 400 if form.errors else 200
    context = {
        "round": round_,
        "form": form,
        "honeypot": HONEYPOT_FIELD,
        "limited": limited,
        "sent": request.GET.get("sent") == "1" and request.method == "GET",
        "is_open": rounds.taking_applications(round_),
    }
    return render(request, "grants/round_apply.html", context, status=status)


# --- the panellist's scoring page ----------------------------------------------------------


@login_required
def round_score(request, public_id, panellist=None):
    """The panellist's own scoring page; with a panellist number, a runner enters the marks
    of a resident panellist who has no account (from paper, or read out)."""
    viewer = viewer_or_404(request)
    round_ = get_object_or_404(Round.objects.select_related("fund"), public_id=public_id)
    acting_for = None
    if panellist is None:
        panellist = rounds.panellist_of(viewer, round_)
    else:
        acting_for = panellist = rounds.resident_panellist_for_runner(viewer, round_, panellist)
    if panellist is None:
        raise Http404
    applications = list(
        round_.applications.filter(eligibility=Eligibility.ELIGIBLE).order_by("number")
    )
    conflicted = set(panellist.conflicts.values_list("application_id", flat=True))
    scores = {s.application_id: s for s in panellist.scores.all()}
    status = 200
    bound: dict = {}
    if request.method == "POST":
        kind = request.POST.get("kind")
        try:
            application = _application(round_, request.POST.get("application"))
        except ValidationError:
            raise Http404 from None
        if kind == "conflict":
            form = ConflictForm(request.POST, prefix=f"c{application.number}")
        else:
            form = ScoreForm(request.POST, prefix=f"s{application.number}", rubric=round_.rubric)
        if form.is_valid():
            try:
                if kind == "conflict":
                    rounds.conflict_declare(
                        viewer=viewer,
                        application=application,
                        reason=form.cleaned_data["reason"],
                        panellist=acting_for,
                    )
                else:
                    rounds.score_record(
                        viewer=viewer,
                        application=application,
                        marks=form.marks(),
                        note=form.cleaned_data["note"],
                        panellist=acting_for,
                    )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Saved"))
                return redirect(request.path)
        bound[(kind == "conflict", application.pk)] = form
        status = 400
    rows = []
    for application in applications:
        score = scores.get(application.pk)
        initial = {"application": application.ref}
        if score is not None:
            initial.update({f"mark_{i}": score.marks.get(c) for i, c in enumerate(round_.rubric)})
            initial["note"] = score.note
        rows.append(
            {
                "application": application,
                "conflicted": application.pk in conflicted,
                "score": score,
                "score_form": bound.get(
                    (False, application.pk),
                    ScoreForm(
                        prefix=f"s{application.number}", rubric=round_.rubric, initial=initial
                    ),
                ),
                "conflict_form": bound.get(
                    (True, application.pk),
                    ConflictForm(
                        prefix=f"c{application.number}", initial={"application": application.ref}
                    ),
                ),
            }
        )
    context = {"round": round_, "panellist": panellist, "rows": rows, "acting_for": acting_for}
    return render(request, "grants/round_score.html", context, status=status)


# --- the public decision log -------------------------------------------------------------------


@never_cache
def round_decisions(request, public_id):
    """Open to all, no sign-in: what was decided and why. No contact details and no
    panellist's name; applicants by reference only when the round anonymises them."""
    round_ = get_object_or_404(Round.objects.select_related("fund"), public_id=public_id)
    applications = list(
        round_.applications.only(
            "number", "title", "group_name", "amount", "eligibility", "eligibility_reason"
        ).order_by("number")
    )
    marks: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for score in Score.objects.filter(application__round=round_).only("application_id", "marks"):
        for criterion, mark in score.marks.items():
            marks[score.application_id][criterion].append(mark)
    decisions = list(round_.decisions.select_related("application").order_by("computed_at", "pk"))
    latest = decisions[-1] if decisions else None
    tallies = latest.tallies if latest else {}
    winners = set(latest.winners) if latest else set()
    rows = []
    for a in applications:
        by_criterion = marks.get(a.pk, {})
        rows.append(
            {
                "ref": a.ref,
                "title": a.title,
                "group": "" if round_.anonymise_applicants else a.group_name,
                "amount": a.amount,
                "eligible": a.eligibility == Eligibility.ELIGIBLE,
                "eligibility": a.get_eligibility_display(),
                "reason": a.eligibility_reason,
                "scores": [
                    (c, sum(v) / len(v) if v else None, len(v))
                    for c, v in ((c, by_criterion.get(c, [])) for c in round_.rubric)
                ],
                "votes": tallies.get(a.ref),
                "winner": a.ref in winners,
            }
        )
    context = {
        "round": round_,
        "rule": voting.RULES.get(round_.rule),
        "rows": rows,
        "decisions": decisions,
        "latest": latest,
        "ballot_count": round_.ballots.count(),
    }
    return render(request, "grants/round_decisions.html", context)
