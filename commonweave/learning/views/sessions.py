"""Connecting the Dots sessions: plan, record, bring stories, export the pack."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from commonweave.core.versioning import Conflict
from commonweave.web.editing import EDIT_CONFLICT_MESSAGE, conflict_rows

from .. import rules, selectors, services
from ..forms import AttendeeForm, SessionForm, SessionRecordForm, StoryForm, apply_errors
from ..pack import pack_export
from ._common import paginate, staff


@login_required
def session_list(request):
    viewer = staff(request)
    context = paginate(request, selectors.sessions_for(viewer))
    # Stories per session count people's cases: published, not raw.
    context["rows"] = [
        (s, selectors.published(viewer, selectors.story_cell(s))) for s in context["page"]
    ]
    return render(request, "learning/session_list.html", context)


@login_required
def session_new(request):
    viewer = staff(request)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(viewer=viewer, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Session added")
            return redirect("learning:session_detail", session.public_id)
    return render(
        request, "learning/session_new.html", {"form": form}, status=400 if form.errors else 200
    )


def _detail(request, viewer, session, status=None, conflict=None, **forms):
    contents = selectors.session_contents(viewer, session)
    organisations = services.organisations_in(viewer)
    context = {
        "session": session,
        "identities": selectors.story_identities(viewer, contents["stories"]),
        "record_form": forms.get("record_form")
        or SessionRecordForm(
            initial={
                "notes": session.notes,
                "decisions": session.decisions,
                "version": session.version,
            }
        ),
        "conflict_rows": conflict,
        "can_edit": rules.can_edit_session(viewer, session),
        "can_delete": rules.can_delete_session(viewer, session),
        "changeable_stories": {
            s.pk for s in contents["stories"] if rules.can_change_story(viewer, s)
        },
        "action_rights": {
            a.pk: (rules.can_change_action(viewer, a), rules.can_delete_action(viewer, a))
            for a in contents["actions"]
        },
        "attendee_form": forms.get("attendee_form")
        or AttendeeForm(organisations=organisations, prefix="attendee"),
        "story_form": forms.get("story_form") or StoryForm(prefix="story"),
        **contents,
    }
    status = status or (400 if forms else 200)
    response = render(request, "learning/session_detail.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
def session_detail(request, public_id):
    viewer = staff(request)
    session = selectors.session_get(viewer, public_id)
    return _detail(request, viewer, session)


@require_POST
@login_required
def session_record(request, public_id):
    viewer = staff(request)
    session = selectors.session_get(viewer, public_id)
    form = SessionRecordForm(request.POST)
    if form.is_valid():
        try:
            services.session_record(viewer=viewer, session=session, **form.cleaned_data)
        except Conflict as conflict:
            # Keep what they typed, on top of the current version; show what is saved now.
            rows = conflict_rows(form, conflict.current, ("notes", "decisions"))
            data = request.POST.copy()
            data["version"] = str(conflict.current.version)
            form = SessionRecordForm(data)
            form.is_valid()
            form.add_error(None, EDIT_CONFLICT_MESSAGE)
            return _detail(
                request, viewer, conflict.current, status=409, record_form=form, conflict=rows
            )
        else:
            messages.success(request, "Notes and decisions saved")
            return redirect("learning:session_detail", session.public_id)
    return _detail(request, viewer, session, record_form=form)


@require_POST
@login_required
def attendee_add(request, public_id):
    viewer = staff(request)
    session = selectors.session_get(viewer, public_id)
    form = AttendeeForm(
        request.POST, organisations=services.organisations_in(viewer), prefix="attendee"
    )
    if form.is_valid():
        try:
            services.attendee_add(viewer=viewer, session=session, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Attendee added")
            return redirect("learning:session_detail", session.public_id)
    return _detail(request, viewer, session, attendee_form=form)


@require_POST
@login_required
def story_add(request, public_id):
    viewer = staff(request)
    session = selectors.session_get(viewer, public_id)
    form = StoryForm(request.POST, prefix="story")
    if form.is_valid():
        data = form.cleaned_data
        try:
            story = services.story_add(
                viewer=viewer,
                session=session,
                title=data["title"],
                text=data["text"],
                resident_public_id=data["resident"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Story added. Now record what got in the way.")
            return redirect(f"/learning/barriers/new/?story={story.public_id}")
    return _detail(request, viewer, session, story_form=form)


@never_cache
@login_required
def session_pack(request, public_id):
    """The pack as an accessible web page, made at once (the PDF is built in the background:
    views.packs)."""
    viewer = staff(request)
    session = selectors.session_get(viewer, public_id)
    response = HttpResponse(pack_export(viewer, session))
    response["Cache-Control"] = "no-store"
    return response
