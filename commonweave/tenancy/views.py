"""Place administration (place admins only; anyone else finds nothing: 404): the place's
sign-in rule, people and roles, deactivating accounts, invitations and API tokens;
accepting an invitation, and switching between places.

Views resolve the viewer, authorise, call a service and render.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from commonweave.accounts.forms import NewAccountForm
from commonweave.accounts.models import User
from commonweave.accounts.two_factor import has_confirmed_device

from . import selectors, services
from .forms import (
    AddRoleForm,
    ApiTokenForm,
    ConfirmForm,
    InvitationForm,
    OrganisationForm,
    SwitchPlaceForm,
    TwoFactorRequirementForm,
)
from .http import PlaceRequest
from .middleware import SESSION_KEY
from .models import Membership, Organisation, Place
from .services import MemberReach
from .viewer import Viewer, viewer_for_user


def _admin_viewer(request: PlaceRequest) -> Viewer:
    """The place admin's viewer in their current place; anyone else gets a 404."""
    viewer = request.viewer
    if not viewer or not viewer.is_place_admin:
        raise Http404
    return viewer


def _members_context(viewer: Viewer, invite_form: InvitationForm | None = None) -> dict[str, Any]:
    organisations = selectors.organisations_in_place(viewer)
    return {
        "organisations": selectors.organisations_with_members(viewer),
        "invitations": list(selectors.open_invitations(viewer)),
        "invite_form": invite_form or InvitationForm(organisations=organisations),
    }


# --- the place's sign-in rule ------------------------------------------------------------


@login_required
def sign_in_settings(request: PlaceRequest) -> HttpResponse:
    """Whether everyone who works in the place must use two-factor sign-in."""
    viewer = _admin_viewer(request)
    # An empty POST is still an answer (a button pressed with nothing chosen): bind it.
    data = request.POST if request.method == "POST" else None
    form = TwoFactorRequirementForm(data, place=viewer.place)
    if request.method == "POST" and form.is_valid():
        try:
            place = services.place_two_factor_set(viewer=viewer, required=form.is_required)
        except ValidationError as error:
            form.add_error("required", error)
        else:
            if place.require_two_factor:
                messages.success(request, _("Two-factor sign-in is now required in this place."))
            else:
                messages.success(
                    request, _("Two-factor sign-in is no longer required in this place.")
                )
            return redirect("tenancy:sign_in_settings")
    context = {
        "form": form,
        "required_now": viewer.place.require_two_factor,
        "own_two_factor": has_confirmed_device(request.user),
    }
    return render(
        request, "tenancy/sign_in_settings.html", context, status=400 if form.errors else 200
    )


# --- people and roles --------------------------------------------------------------------


@login_required
def members(request: PlaceRequest) -> HttpResponse:
    """Organisations in the place with their members and roles, and open invitations."""
    viewer = _admin_viewer(request)
    return render(request, "tenancy/members.html", _members_context(viewer))


def _member_page(
    request: PlaceRequest,
    viewer: Viewer,
    member: User,
    *,
    form: AddRoleForm | None = None,
    remove_error: str | None = None,
) -> HttpResponse:
    context = {
        "member": member,
        "roles": list(selectors.member_roles(viewer, member)),
        "form": form or AddRoleForm(organisations=selectors.organisations_in_place(viewer)),
        "remove_error": remove_error,
        "is_you": member.pk == request.user.pk,
        "reach": services.member_reach(viewer, member),
    }
    status = 400 if (form and form.errors) or remove_error else 200
    return render(request, "tenancy/member.html", context, status=status)


@login_required
def member(request: PlaceRequest, user_id: int) -> HttpResponse:
    """One member's roles in this place: add a role here, remove one below."""
    viewer = _admin_viewer(request)
    person = selectors.member_in_place(viewer, user_id)
    if person is None:
        raise Http404
    if request.method != "POST":
        return _member_page(request, viewer, person)
    form = AddRoleForm(request.POST, organisations=selectors.organisations_in_place(viewer))
    if form.is_valid():
        organisation = form.cleaned_data["organisation"]
        try:
            membership = services.membership_add(
                viewer=viewer,
                user=person,
                organisation=organisation,
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            form.add_error("role", error)
        else:
            messages.success(
                request,
                f"{person.name} is now {membership.get_role_display().lower()} "
                f"at {organisation.name}.",
            )
            return redirect("tenancy:member", user_id=person.pk)
    return _member_page(request, viewer, person, form=form)


@login_required
@require_POST
def membership_remove(request: PlaceRequest, membership_id: int) -> HttpResponse:
    viewer = _admin_viewer(request)
    membership = selectors.membership_in_place(viewer, membership_id)
    if membership is None:
        raise Http404
    person = membership.user
    try:
        services.membership_remove(viewer=viewer, membership=membership)
    except ValidationError as error:
        return _member_page(request, viewer, person, remove_error=error.messages[0])
    messages.success(
        request,
        f"{person.name} is no longer {membership.get_role_display().lower()} "
        f"at {membership.organisation.name}.",
    )
    if person.pk == request.user.pk:
        # Took away one of their own roles: they may no longer administer this place.
        after = viewer_for_user(request.user, viewer.place)
        if not after or not after.is_place_admin:
            return redirect("web:home")
    if selectors.member_in_place(viewer, person.pk) is None:
        return redirect("tenancy:members")
    return redirect("tenancy:member", user_id=person.pk)


def _deactivate_question(reach: MemberReach, person: User, place: Place) -> str:
    if reach.action == "remove":
        return _("Are you sure you want to remove %(name)s from %(place)s?") % {
            "name": person.name,
            "place": place.name,
        }
    return _("Are you sure you want to deactivate %(name)s's account?") % {"name": person.name}


@login_required
def member_deactivate(request: PlaceRequest, user_id: int) -> HttpResponse:
    """Deactivate a member's account, or (if they also work in another place) remove
    them from this place: a question first, so nothing happens without a "Yes"."""
    viewer = _admin_viewer(request)
    person = selectors.member_in_place(viewer, user_id)
    if person is None:
        raise Http404
    reach = services.member_reach(viewer, person)
    if not person.is_active and reach.action == "deactivate":
        return redirect("tenancy:member", user_id=person.pk)
    form = ConfirmForm(
        request.POST if request.method == "POST" else None,
        question=_deactivate_question(reach, person, viewer.place),
    )
    if request.method == "POST" and form.is_valid():
        if not form.confirmed:
            return redirect("tenancy:member", user_id=person.pk)
        try:
            outcome = services.member_deactivate(viewer=viewer, user=person)
        except ValidationError as error:
            form.add_error("confirm", error)
        else:
            if outcome == "removed":
                messages.success(
                    request,
                    _("%(name)s no longer has any role in %(place)s.")
                    % {"name": person.name, "place": viewer.place.name},
                )
                return redirect("tenancy:members")
            messages.success(
                request,
                _("%(name)s's account is deactivated. They have been signed out.")
                % {"name": person.name},
            )
            return redirect("tenancy:member", user_id=person.pk)
    context = {
        "member": person,
        "reach": reach,
        "form": form,
        "is_you": person.pk == request.user.pk,
    }
    return render(
        request, "tenancy/member_deactivate.html", context, status=400 if form.errors else 200
    )


# --- invitations -------------------------------------------------------------------------


@login_required
def invite(request: PlaceRequest) -> HttpResponse:
    viewer = _admin_viewer(request)
    organisations = selectors.organisations_in_place(viewer)
    form = InvitationForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                viewer=viewer,
                organisation=form.cleaned_data["organisation"],
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                link_for=lambda raw: request.build_absolute_uri(
                    reverse("tenancy:invitation", args=[raw])
                ),
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(request, "Invitation sent. The link works for 7 days.")
            return redirect("tenancy:members")
    return render(
        request, "tenancy/invite.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def invitation_revoke(request: PlaceRequest, invitation_id: int) -> HttpResponse:
    viewer = _admin_viewer(request)
    invitation = selectors.invitation_in_place(viewer, invitation_id)
    if invitation is None:
        raise Http404
    services.invitation_revoke(viewer=viewer, invitation=invitation)
    messages.success(request, "Invitation withdrawn. Its link no longer works.")
    return redirect("tenancy:members")


def _invitation_invalid(request: PlaceRequest) -> HttpResponse:
    return render(request, "tenancy/invitation_invalid.html", status=404)


def _start_in_place(request: PlaceRequest, membership: Membership) -> HttpResponse:
    request.session[SESSION_KEY] = membership.organisation.place_id
    messages.success(
        request,
        f"Welcome. You have joined {membership.organisation.name} "
        f"as {membership.get_role_display().lower()}.",
    )
    return redirect("web:home")


@never_cache
@sensitive_post_parameters("password1", "password2")
def invitation(request: PlaceRequest, token: str) -> HttpResponse:
    """Accept an invitation. Anyone with the link may open it; unknown, expired,
    withdrawn and used links all show the same page."""
    invitation = selectors.open_invitation_by_token(token)
    if invitation is None:
        return _invitation_invalid(request)
    context: dict[str, Any] = {"invitation": invitation}
    user = request.user
    if user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            return render(request, "tenancy/invitation_other_account.html", context)
        if request.method == "POST":
            try:
                membership = services.invitation_accept(invitation=invitation, user=user)
            except ValidationError:
                return _invitation_invalid(request)
            return _start_in_place(request, membership)
        return render(request, "tenancy/invitation_accept.html", context)
    if User.objects.filter(email__iexact=invitation.email).exists():
        context["sign_in_url"] = (
            reverse("accounts:login") + "?next=" + reverse("tenancy:invitation", args=[token])
        )
        return render(request, "tenancy/invitation_sign_in.html", context)
    form = NewAccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept(
                invitation=invitation,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            if error.code in ("closed", "has_account"):
                return _invitation_invalid(request)
            form.add_error("password1", error)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            return _start_in_place(request, membership)
    context["form"] = form
    status = 400 if form.errors else 200
    return render(request, "tenancy/invitation_new_account.html", context, status=status)


# --- organisations -----------------------------------------------------------------------


@login_required
def organisation_add(request: PlaceRequest) -> HttpResponse:
    viewer = _admin_viewer(request)
    form = OrganisationForm(request.POST or None, place=viewer.place)
    if request.method == "POST" and form.is_valid():
        organisation = services.organisation_create(
            viewer=viewer, name=form.cleaned_data["name"], kind=form.cleaned_data["kind"]
        )
        messages.success(request, f"{organisation.name} added.")
        return redirect("tenancy:members")
    return render(
        request,
        "tenancy/organisation_form.html",
        {"form": form, "organisation": None},
        status=400 if form.errors else 200,
    )


@login_required
def organisation_edit(request: PlaceRequest, organisation_id: int) -> HttpResponse:
    viewer = _admin_viewer(request)
    organisation = Organisation.objects.filter(pk=organisation_id, place=viewer.place).first()
    if organisation is None:
        raise Http404
    form = OrganisationForm(request.POST or None, place=viewer.place, instance=organisation)
    if request.method == "POST" and form.is_valid():
        services.organisation_update(
            viewer=viewer,
            organisation=organisation,
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
        )
        messages.success(request, f"{organisation.name} updated.")
        return redirect("tenancy:members")
    return render(
        request,
        "tenancy/organisation_form.html",
        {"form": form, "organisation": organisation},
        status=400 if form.errors else 200,
    )


# --- API tokens --------------------------------------------------------------------------


@never_cache
@login_required
def tokens(request: PlaceRequest) -> HttpResponse:
    """Tokens for partner systems. A new token's secret is shown on this response only."""
    viewer = _admin_viewer(request)
    organisations = selectors.organisations_in_place(viewer)
    form = ApiTokenForm(request.POST or None, organisations=organisations)
    issued = None
    if request.method == "POST" and form.is_valid():
        token, raw = services.api_token_issue(
            viewer=viewer,
            organisation=form.cleaned_data["organisation"],
            name=form.cleaned_data["name"],
            role=form.cleaned_data["role"],
        )
        issued = {"token": token, "raw": raw}
        form = ApiTokenForm(organisations=organisations)
    context = {"form": form, "issued": issued, "tokens": list(selectors.api_tokens(viewer))}
    return render(request, "tenancy/tokens.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke(request: PlaceRequest, token_id: int) -> HttpResponse:
    viewer = _admin_viewer(request)
    token = selectors.api_token_in_place(viewer, token_id)
    if token is None:
        raise Http404
    services.api_token_revoke(viewer=viewer, token=token)
    messages.success(request, f"Token {token.prefix} revoked. It no longer works.")
    return redirect("tenancy:tokens")


# --- switching place ---------------------------------------------------------------------


@login_required
def switch_place(request: PlaceRequest) -> HttpResponse:
    """Choose which of your places to work in (only places where you hold a role)."""
    places = selectors.places_for_user(request.user)
    if not places.exists():
        raise Http404
    current = request.place or None
    form = SwitchPlaceForm(
        request.POST or None,
        places=places,
        initial={"place": current.pk if current else None},
    )
    if request.method == "POST" and form.is_valid():
        place = form.cleaned_data["place"]
        request.session[SESSION_KEY] = place.pk
        messages.success(request, f"You are now working in {place.name}.")
        return redirect("web:home")
    status = 400 if form.errors else 200
    return render(request, "tenancy/switch_place.html", {"form": form}, status=status)
