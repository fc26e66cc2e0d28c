"""The barrier register, the board by level and quadrant, and one barrier's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from commonweave.accounts.models import User

from .. import rules, selectors, services, similarity
from ..enums import LEVEL_ORDER, Level, Quadrant
from ..forms import ActionForm, BarrierForm, LevelForm, LinkStoryForm, apply_errors
from ..models import Story
from ._common import paginate, staff


def _people(viewer):
    return (
        User.objects.filter(memberships__organisation__place=viewer.place, is_active=True)
        .distinct()
        .order_by("name", "email")
    )


@login_required
def barrier_register(request):
    viewer = staff(request)
    filters = {
        "q": request.GET.get("q", "").strip()[:100],
        "quadrant": request.GET.get("quadrant", "")
        if request.GET.get("quadrant") in Quadrant.values
        else "",
        "level": request.GET.get("level", "") if request.GET.get("level") in Level.values else "",
        "service_area": request.GET.get("service_area", "").strip()[:100],
        "withdrawn": request.GET.get("withdrawn") == "1",
    }
    context = paginate(request, selectors.barriers_for(viewer, **filters), filters)
    rows = list(context["page"])
    # Cases are stories, i.e. people: their counts and trends are published, not raw.
    trends = selectors.published_trends(viewer, [b.pk for b in rows])
    cases = selectors.case_counts([b.pk for b in rows], keyed=True)
    context.update(
        rows=[(b, selectors.published(viewer, cases[b.pk]), trends.get(b.pk, [])) for b in rows],
        threshold=viewer.place.suppression_threshold,
        filters=filters,
        quadrants=Quadrant.choices,
        levels=Level.choices,
        months=[month for month, _ in next(iter(trends.values()), [])],
    )
    return render(request, "learning/barrier_register.html", context)


@login_required
def barrier_board(request):
    viewer = staff(request)
    return render(
        request,
        "learning/barrier_board.html",
        {"rows": selectors.barrier_board(viewer), "quadrants": list(Quadrant)},
    )


def _story_from(viewer, public_id):
    if not public_id:
        return None
    return Story.objects.filter(place=viewer.place, public_id=public_id).first()


@login_required
def barrier_new(request):
    """Record a barrier; if it reads like one already in the register, suggest linking the
    story to that one instead (the count and trend then show it recurring)."""
    viewer = staff(request)
    story = _story_from(viewer, request.POST.get("story") or request.GET.get("story"))
    form = BarrierForm(request.POST or None, initial={"story": story.public_id if story else ""})
    suggestions = []
    if request.method != "POST":
        # Build the place's similarity index now, while the person types.
        similarity.warm(viewer.place.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data["add_anyway"]:
            suggestions = selectors.similar_barriers(
                viewer, f"{data['title']} {data['description']}"
            )
        if not suggestions:
            try:
                barrier = services.barrier_create(
                    viewer=viewer,
                    title=data["title"],
                    description=data["description"],
                    quadrant=data["quadrant"],
                    service_area=data["service_area"],
                    story=story,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, "Barrier added to the register")
                return redirect("learning:barrier_detail", barrier.public_id)
    return render(
        request,
        "learning/barrier_new.html",
        {"form": form, "story": story, "suggestions": suggestions},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def barrier_suggest(request):
    """htmx: the suggestions region of "Record a barrier", refreshed as the person types.
    Without JavaScript the same suggestions come back when the form is posted."""
    viewer = staff(request)
    story = _story_from(viewer, request.POST.get("story"))
    text = f"{request.POST.get('title', '')} {request.POST.get('description', '')}"[:5000]
    suggestions = selectors.similar_barriers(viewer, text) if text.strip() else []
    return render(
        request,
        "learning/barrier_new.html#suggestions",
        {"suggestions": suggestions, "story": story, "live": True},
    )


@require_POST
@login_required
def barrier_link(request, public_id):
    viewer = staff(request)
    barrier = selectors.barrier_get(viewer, public_id)
    story = _story_from(viewer, request.POST.get("story"))
    if story is None:
        messages.error(request, "Choose a story")
    else:
        try:
            services.barrier_link_story(viewer=viewer, barrier=barrier, story=story)
        except ValidationError:
            messages.error(request, "This barrier was withdrawn: link the story to another")
        else:
            messages.success(request, "Story linked: the barrier counts one more case")
    return redirect("learning:barrier_detail", barrier.public_id)


def _barrier_page(request, viewer, barrier, *, level_form=None, action_form=None):
    stories = list(barrier.stories.select_related("session").order_by("-created_at"))
    # Exact counts: this page lists every one of these stories to whoever reads it, so a
    # count of them discloses nothing more. Published views (the register, the API, packs)
    # still count stories as people are counted (insights/disclosure.py).
    trend = selectors.barrier_trends([barrier.pk], months=12)[barrier.pk]
    linkable = Story.objects.filter(place=viewer.place).exclude(pk__in=[s.pk for s in stories])[:50]
    actions = list(barrier.actions.select_related("owner", "owner_organisation").order_by("due_on"))
    active = not barrier.is_withdrawn
    context = {
        "barrier": barrier,
        "stories": stories,
        "cases": len(stories),
        "identities": selectors.story_identities(viewer, stories),
        "trend": trend,
        "timeline": selectors.barrier_timeline(barrier),
        "actions": actions,
        "action_rights": _action_rights(viewer, actions),
        "can_edit": rules.can_edit_barrier(viewer, barrier),
        "can_withdraw": rules.can_withdraw_barrier(viewer, barrier),
        "active": active,
        "similar": selectors.similar_barriers(viewer, barrier.title, limit=3, exclude=barrier)
        if active
        else [],
        "level_form": level_form or LevelForm(prefix="level"),
        "action_form": action_form
        or ActionForm(
            prefix="action",
            organisations=services.organisations_in(viewer),
            people=_people(viewer),
        ),
        "link_form": LinkStoryForm(stories=linkable) if linkable and active else None,
        "levels": LEVEL_ORDER,
    }
    status = 400 if (level_form or action_form) else 200
    response = render(request, "learning/barrier_detail.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _action_rights(viewer, actions):
    """{action.pk: (may change, may remove)} for the edit and remove links."""
    return {
        a.pk: (rules.can_change_action(viewer, a), rules.can_delete_action(viewer, a))
        for a in actions
    }


@login_required
def barrier_detail(request, public_id):
    viewer = staff(request)
    return _barrier_page(request, viewer, selectors.barrier_get(viewer, public_id))


@require_POST
@login_required
def barrier_level(request, public_id):
    viewer = staff(request)
    barrier = selectors.barrier_get(viewer, public_id)
    form = LevelForm(request.POST, prefix="level")
    if form.is_valid():
        try:
            services.barrier_set_level(viewer=viewer, barrier=barrier, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Learning level changed")
            return redirect("learning:barrier_detail", barrier.public_id)
    return _barrier_page(request, viewer, barrier, level_form=form)


@require_POST
@login_required
def action_add(request, public_id):
    viewer = staff(request)
    barrier = selectors.barrier_get(viewer, public_id)
    form = ActionForm(
        request.POST,
        prefix="action",
        organisations=services.organisations_in(viewer),
        people=_people(viewer),
    )
    if form.is_valid():
        try:
            services.action_create(viewer=viewer, barrier=barrier, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Action added")
            return redirect("learning:barrier_detail", barrier.public_id)
    return _barrier_page(request, viewer, barrier, action_form=form)
