"""Login with throttling and an optional TOTP second step; logout."""

from __future__ import annotations

import pyotp
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hearth.workspaces import services
from hearth.workspaces.forms import TotpForm
from hearth.workspaces.middleware import activate_profile_language
from hearth.workspaces.models import UserProfile

PENDING_KEY = "hearth_totp_pending"


def _throttle_keys(request, username: str) -> list[str]:
    return [f"user:{username.strip().lower()}", f"addr:{request.META.get('REMOTE_ADDR', '')}"]


def safe_next(request, fallback: str = "/") -> str:
    """Only same-site relative targets: never an open redirect."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _finish_login(request, user):
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    profile = UserProfile.for_user(user)
    response = redirect(safe_next(request, "/"))
    if profile.language:
        activate_profile_language(request, profile)
        response.set_cookie("django_language", profile.language, samesite="Lax")
    return response


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST":
        keys = _throttle_keys(request, request.POST.get("username", ""))
        if services.login_locked(keys):
            form.add_error(None, _("Too many failed attempts. Try again in a few minutes."))
            return render(request, "auth/login.html", {"form": form}, status=429)
        if form.is_valid():
            user = form.get_user()
            services.clear_login_failures(keys)
            profile = UserProfile.for_user(user)
            if profile.totp_enabled:
                request.session[PENDING_KEY] = user.pk
                request.session["hearth_totp_next"] = safe_next(request, "/")
                return redirect("login-totp")
            return _finish_login(request, user)
        services.note_login_failure(keys)
    return render(request, "auth/login.html", {"form": form, "next": safe_next(request, "")})


@require_http_methods(["GET", "POST"])
def login_totp_view(request):
    user_id = request.session.get(PENDING_KEY)
    if user_id is None:
        return redirect("login")
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return redirect("login")
    form = TotpForm(request.POST or None)
    keys = [f"totp:{user.pk}"]
    if request.method == "POST":
        if services.login_locked(keys):
            form.add_error(None, _("Too many failed attempts. Try again in a few minutes."))
            return render(request, "auth/login_totp.html", {"form": form}, status=429)
        if form.is_valid():
            secret = UserProfile.for_user(user).totp_secret
            if secret and pyotp.TOTP(secret.reveal()).verify(
                form.cleaned_data["code"], valid_window=1
            ):
                services.clear_login_failures(keys)
                next_url = request.session.pop("hearth_totp_next", "/")
                del request.session[PENDING_KEY]
                response = _finish_login(request, user)
                response["Location"] = next_url
                return response
            form.add_error("code", _("That code is not right."))
            services.note_login_failure(keys)
    return render(request, "auth/login_totp.html", {"form": form})


def logged_out_notice(request):
    messages.info(request, _("You are logged out."))
    return redirect("login")
