"""Signing in, the two-factor verify step, and "Your account" (two-factor and password)."""

import math
from urllib.parse import urlencode

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from . import services
from .forms import CodeForm, GovukPasswordChangeForm, SignInForm
from .two_factor import check_code, confirmed_device, pending_device, qr_svg, secret_text

WRONG_CODE = "The code is not right. Enter the newest code shown in your authenticator app."


def _too_many_tries(locked_until):
    wait = 1
    if locked_until is not None:
        wait = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    unit = "second" if wait == 1 else "seconds"
    return f"Too many wrong codes. Wait {wait} {unit}, then enter the newest code."


def _code_error(form, result):
    form.add_error(
        "code", _too_many_tries(result.locked_until) if result.locked_until else WRONG_CODE
    )


def _safe_next(request, fallback="web:home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(fallback)


def _account_viewer(request):
    return services.account_viewer(request.user, request.place or None, request.viewer)


class SignInView(LoginView):
    """Email and password; people with an authenticator go on to the verify step."""

    form_class = SignInForm
    template_name = "accounts/login.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        if confirmed_device(form.get_user()) is not None:
            query = urlencode({"next": self.get_success_url()})
            return redirect(f"{reverse('accounts:verify')}?{query}")
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


@never_cache
@sensitive_post_parameters("code")
@login_required
def verify(request):
    """Second step of signing in: a code from the authenticator app."""
    device = confirmed_device(request.user)
    if device is None or request.user.is_verified():
        return redirect(_safe_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = check_code(device, form.cleaned_data["code"])
        if result.ok:
            request.session.cycle_key()
            otp_login(request, device)
            return redirect(_safe_next(request))
        _code_error(form, result)
    return render(
        request,
        "accounts/verify.html",
        {"form": form, "next": _safe_next(request)},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
def security(request):
    """Your account: two-factor sign-in, password, and the places you work in."""
    device = confirmed_device(request.user)
    place = request.place or None
    context = {
        "device": device,
        "remove_form": CodeForm(),
        "current_place": place,
        "two_factor_required": bool(place and place.require_two_factor),
    }
    return render(request, "accounts/security.html", context)


@never_cache
@sensitive_post_parameters("code")
@login_required
def two_factor_setup(request):
    """Show the QR code and secret for a new authenticator; a correct code turns it on."""
    if confirmed_device(request.user) is not None:
        return redirect("accounts:security")
    device = pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.two_factor_confirm(
            viewer=_account_viewer(request),
            user=request.user,
            device=device,
            code=form.cleaned_data["code"],
        )
        if result.ok:
            # This session has just proved it holds the authenticator.
            request.session.cycle_key()
            otp_login(request, device)
            messages.success(request, "Two-factor sign-in is on.")
            return redirect("accounts:security")
        _code_error(form, result)
    place = request.place or None
    context = {
        "form": form,
        "qr_svg": qr_svg(device),
        "secret": secret_text(device),
        "two_factor_required": bool(place and place.require_two_factor),
    }
    return render(
        request,
        "accounts/two_factor_setup.html",
        context,
        status=400 if form.errors else 200,
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
@require_POST
def two_factor_remove(request):
    device = confirmed_device(request.user)
    if device is None:
        return redirect("accounts:security")
    form = CodeForm(request.POST)
    if form.is_valid():
        result = services.two_factor_remove(
            viewer=_account_viewer(request),
            user=request.user,
            device=device,
            code=form.cleaned_data["code"],
        )
        if result.ok:
            messages.success(request, "Two-factor sign-in is off.")
            return redirect("accounts:security")
        _code_error(form, result)
    place = request.place or None
    context = {
        "device": device,
        "remove_form": form,
        "current_place": place,
        "two_factor_required": bool(place and place.require_two_factor),
    }
    return render(request, "accounts/security.html", context, status=400)


@never_cache
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
def password_change(request):
    form = GovukPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # Keeps this session signed in; every other session of this user ends.
        update_session_auth_hash(request, user)
        services.password_changed(viewer=_account_viewer(request), user=user)
        messages.success(request, "Your password has been changed.")
        return redirect("accounts:security")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def locked_out(request, original_response=None, credentials=None):
    """django-axes lockout page (AXES_LOCKOUT_CALLABLE): what happened and when to try
    again. The same words whether or not the email has an account."""
    cool_off = get_cool_off(request)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT}
    if cool_off:
        context["try_again_at"] = timezone.localtime() + cool_off
        context["wait_minutes"] = max(1, math.ceil(cool_off.total_seconds() / 60))
    return render(request, "accounts/locked_out.html", context, status=429)
