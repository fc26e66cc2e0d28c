"""Changing and removing sessions, stories, barriers, actions, log entries and cards.

Every edit form carries the version it started from; a stale save is answered with both
versions side by side (409) and nothing is overwritten. Every removal asks first. Who may
do what is in `learning.rules`; anyone else finds no such page (404).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from commonweave.web.editing import versioned_initial

from .. import rules, selectors, services
from ..forms import (
    ActionEditForm,
    BarrierEditForm,
    BarrierWithdrawForm,
    CardEditForm,
    LogEntryEditForm,
    SessionEditForm,
    StoryEditForm,
)
from ..models import Barrier
from ._common import edit_page, remove_page, staff
from .barriers import _people

# The fields each edit form starts from and compares on a conflict.
SESSION_FIELDS = ("title", "held_on", "notes", "decisions")
BARRIER_FIELDS = ("title", "description", "quadrant", "service_area")
ACTION_FIELDS = ("description", "owner_organisation", "owner", "owner_name", "due_on")
LOG_ENTRY_FIELDS = ("kind", "title", "body", "tried", "happened", "learnt", "will_change")
CARD_FIELDS = ("column", "text")


def _check(rule, viewer, obj):
    if not rule(viewer, obj):
        raise Http404


def _edit_template(title, caption, back, **extra):
    return {"title": title, "caption": caption, "back": back, **extra}


# --- sessions and stories -----------------------------------------------------------------


@login_required
def session_edit(request, public_id):
    viewer = staff(request)
    session = selectors.session_get(viewer, public_id)
    _check(rules.can_edit_session, viewer, session)
    back = reverse("learning:session_detail", args=[session.public_id])
    return edit_page(
        request,
        form=SessionEditForm(
            request.POST or None, initial=versioned_initial(session, SESSION_FIELDS)
        ),
        obj=session,
        save=lambda data: services.session_update(viewer=viewer, session=session, **data),
        template="learning/edit.html",
        context=_edit_template("Change the session", session.title, back),
        success="Session changed",
        next_url=back,
        compare=SESSION_FIELDS,
    )


@login_required
def session_remove(request, public_id):
    viewer = staff(request)
    session = selectors.session_get(viewer, public_id)
    _check(rules.can_delete_session, viewer, session)
    back = reverse("learning:session_detail", args=[session.public_id])
    stories = [s.title for s in session.stories.order_by("created_at", "pk")]
    return remove_page(
        request,
        obj=session,
        remove=lambda version: services.session_delete(
            viewer=viewer, session=session, version=version
        ),
        context={
            "title": "Remove this session?",
            "caption": session.title,
            "back": back,
            "removes": [
                "the session, its notes and decisions, and the list of who came",
                *(f"the story “{title}” and the cases it gave barriers" for title in stories),
            ],
            "keeps": "Barriers, actions and review boards stay.",
            "button": "Remove the session",
        },
        success="Session removed",
        next_url=reverse("learning:sessions"),
    )


@require_POST
@login_required
def attendee_remove(request, public_id, attendee_id):
    viewer = staff(request)
    session = selectors.session_get(viewer, public_id)
    attendee = selectors.attendee_get(viewer, session, attendee_id)
    services.attendee_remove(viewer=viewer, attendee=attendee)
    messages.success(request, "Taken off the list of who came")
    return redirect("learning:session_detail", session.public_id)


def _story_back(story):
    if story.session_id:
        return reverse("learning:session_detail", args=[story.session.public_id])
    return reverse("learning:sessions")


@login_required
def story_edit(request, public_id):
    """The resident field is offered only when the story is anonymous or the viewer may be
    shown who it is about; otherwise the link is left exactly as it is."""
    viewer = staff(request)
    story = selectors.story_get(viewer, public_id)
    _check(rules.can_change_story, viewer, story)
    shown = selectors.story_identities(viewer, [story]).get(story.pk)
    # Anonymous, or a link ended by a withdrawal of consent (it counts as none), or one the
    # viewer may be shown: only then is "who it is about" offered.
    may_link = shown is not None or not selectors.story_link_alive(story)
    initial = {
        "title": story.title,
        "text": story.text,
        "resident": shown.public_id if shown else "",
        "version": story.version,
    }
    form = StoryEditForm(request.POST or None, initial=initial)
    if not may_link:
        del form.fields["resident"]

    def save(data):
        services.story_update(
            viewer=viewer,
            story=story,
            version=data["version"],
            title=data["title"],
            text=data["text"],
            resident_public_id=data["resident"] if may_link else services.KEEP,
        )

    back = _story_back(story)
    return edit_page(
        request,
        form=form,
        obj=story,
        save=save,
        template="learning/edit.html",
        context=_edit_template("Change the story", story.title, back),
        success="Story changed",
        next_url=back,
        compare=("title", "text"),
    )


@login_required
def story_remove(request, public_id):
    viewer = staff(request)
    story = selectors.story_get(viewer, public_id)
    _check(rules.can_change_story, viewer, story)
    back = _story_back(story)
    return remove_page(
        request,
        obj=story,
        remove=lambda version: services.story_delete(viewer=viewer, story=story, version=version),
        context={
            "title": "Withdraw this story?",
            "caption": story.title,
            "back": back,
            "removes": ["the story", "the cases it gave the barriers it was linked to"],
            "keeps": "The barriers stay in the register.",
            "button": "Withdraw the story",
        },
        success="Story withdrawn",
        next_url=back,
    )


# --- barriers -----------------------------------------------------------------------------


@login_required
def barrier_edit(request, public_id):
    viewer = staff(request)
    barrier = selectors.barrier_get(viewer, public_id)
    _check(rules.can_edit_barrier, viewer, barrier)
    back = reverse("learning:barrier_detail", args=[barrier.public_id])
    return edit_page(
        request,
        form=BarrierEditForm(
            request.POST or None, initial=versioned_initial(barrier, BARRIER_FIELDS)
        ),
        obj=barrier,
        save=lambda data: services.barrier_update(viewer=viewer, barrier=barrier, **data),
        template="learning/edit.html",
        context=_edit_template(
            "Change the barrier",
            barrier.title,
            back,
            intro="The change is kept in the barrier's history, with what it said before.",
        ),
        success="Barrier changed",
        next_url=back,
        compare=BARRIER_FIELDS,
    )


@login_required
def barrier_withdraw(request, public_id):
    """Withdraw (never delete) a barrier; if it duplicates another, its cases move there."""
    viewer = staff(request)
    barrier = selectors.barrier_get(viewer, public_id)
    _check(rules.can_withdraw_barrier, viewer, barrier)
    others = [
        b for b, _ in selectors.similar_barriers(viewer, barrier.title, limit=5, exclude=barrier)
    ]
    back = reverse("learning:barrier_detail", args=[barrier.public_id])
    form = BarrierWithdrawForm(
        request.POST or None, initial={"version": barrier.version}, others=others
    )

    def save(data):
        same_as = None
        if data["same_as"]:
            same_as = Barrier.objects.filter(place=viewer.place, public_id=data["same_as"]).first()
        services.barrier_withdraw(
            viewer=viewer,
            barrier=barrier,
            version=data["version"],
            reason=data["reason"],
            same_as=same_as,
        )

    return edit_page(
        request,
        form=form,
        obj=barrier,
        save=save,
        template="learning/edit.html",
        context=_edit_template(
            "Withdraw the barrier",
            barrier.title,
            back,
            intro=(
                "A withdrawn barrier leaves the register and the board. It is not deleted: "
                "its page and history stay."
            ),
            button="Withdraw the barrier",
            warning=True,
        ),
        success="Barrier withdrawn",
        next_url=back,
        compare=(),
    )


# --- actions ------------------------------------------------------------------------------


def _action_back(action):
    return reverse("learning:actions") + f"?organisation={action.owner_organisation_id}"


@login_required
def action_edit(request, public_id):
    viewer = staff(request)
    action = selectors.action_get(viewer, public_id)
    _check(rules.can_change_action, viewer, action)
    form = ActionEditForm(
        request.POST or None,
        initial=versioned_initial(action, ACTION_FIELDS),
        organisations=services.organisations_in(viewer),
        people=_people(viewer),
    )
    back = reverse("learning:barrier_detail", args=[action.barrier.public_id])
    return edit_page(
        request,
        form=form,
        obj=action,
        save=lambda data: services.action_update(viewer=viewer, action=action, **data),
        template="learning/edit.html",
        context=_edit_template("Change the action", action.barrier.title, back),
        success="Action changed",
        next_url=back,
        compare=ACTION_FIELDS,
    )


@login_required
def action_remove(request, public_id):
    viewer = staff(request)
    action = selectors.action_get(viewer, public_id)
    _check(rules.can_delete_action, viewer, action)
    back = reverse("learning:barrier_detail", args=[action.barrier.public_id])
    return remove_page(
        request,
        obj=action,
        remove=lambda version: services.action_delete(
            viewer=viewer, action=action, version=version
        ),
        context={
            "title": "Remove this action?",
            "caption": action.description,
            "back": back,
            "removes": ["the action, for an action set by mistake"],
            "keeps": (
                "If it is simply no longer needed, change its status to “No longer needed” "
                "instead, so the record of it stays."
            ),
            "button": "Remove the action",
        },
        success="Action removed",
        next_url=back,
    )


# --- the learning log and boards ----------------------------------------------------------


def _log_barriers(viewer, entry=None):
    recent = Barrier.objects.active().filter(place=viewer.place).order_by("-updated_at")[:30]
    ids = {b.pk for b in recent} | ({b.pk for b in entry.barriers.all()} if entry else set())
    return Barrier.objects.filter(pk__in=ids).order_by("title")


@login_required
def log_edit(request, public_id):
    viewer = staff(request)
    entry = selectors.log_entry_get(viewer, public_id)
    _check(rules.can_change_entry, viewer, entry)
    initial = versioned_initial(
        entry,
        LOG_ENTRY_FIELDS,
        tags=", ".join(t.name for t in entry.tags.all()),
        barriers=[b.pk for b in entry.barriers.all()],
    )
    form = LogEntryEditForm(
        request.POST or None, initial=initial, barriers=_log_barriers(viewer, entry)
    )
    back = reverse("learning:log")
    return edit_page(
        request,
        form=form,
        obj=entry,
        save=lambda data: services.log_entry_update(viewer=viewer, entry=entry, **data),
        template="learning/edit.html",
        context=_edit_template("Change the log entry", entry.title, back),
        success="Log entry changed",
        next_url=back,
        compare=LOG_ENTRY_FIELDS,
    )


@login_required
def log_remove(request, public_id):
    viewer = staff(request)
    entry = selectors.log_entry_get(viewer, public_id)
    _check(rules.can_change_entry, viewer, entry)
    back = reverse("learning:log")
    return remove_page(
        request,
        obj=entry,
        remove=lambda version: services.log_entry_delete(
            viewer=viewer, entry=entry, version=version
        ),
        context={
            "title": "Remove this log entry?",
            "caption": entry.title,
            "back": back,
            "removes": ["the entry, with its themes and links to barriers"],
            "keeps": "The barriers it was about stay.",
            "button": "Remove the entry",
        },
        success="Log entry removed",
        next_url=back,
    )


def _card(viewer, public_id, card_id):
    board = selectors.board_get(viewer, public_id)
    card = selectors.card_get(viewer, board, card_id)
    _check(rules.can_change_card, viewer, card)
    return board, card


@login_required
def card_edit(request, public_id, card_id):
    viewer = staff(request)
    board, card = _card(viewer, public_id, card_id)
    back = reverse("learning:board_detail", args=[board.public_id])
    form = CardEditForm(
        request.POST or None,
        initial=versioned_initial(card, CARD_FIELDS),
    )
    return edit_page(
        request,
        form=form,
        obj=card,
        save=lambda data: services.card_update(viewer=viewer, card=card, **data),
        template="learning/edit.html",
        context=_edit_template(
            "Change the card",
            board.title,
            back,
            intro="Moving a card keeps its votes. Changing its words clears them: people "
            "voted for what it said.",
        ),
        success="Card changed",
        next_url=back,
        compare=CARD_FIELDS,
    )


@login_required
def card_remove(request, public_id, card_id):
    viewer = staff(request)
    board, card = _card(viewer, public_id, card_id)
    back = reverse("learning:board_detail", args=[board.public_id])
    return remove_page(
        request,
        obj=card,
        remove=lambda version: services.card_delete(viewer=viewer, card=card, version=version),
        context={
            "title": "Remove this card?",
            "caption": card.text,
            "back": back,
            "removes": ["the card and its votes"],
            "keeps": "",
            "button": "Remove the card",
        },
        success="Card removed",
        next_url=back,
    )
