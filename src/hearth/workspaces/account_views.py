"""The signed-in person's own settings: language, time zone, TOTP, API tokens."""

from __future__ import annotations

import pyotp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hearth.workspaces import services
from hearth.workspaces.forms import ProfileForm, TokenForm, TotpForm
from hearth.workspaces.models import ApiToken, UserProfile

TOTP_SETUP_KEY = "hearth_totp_setup_secret"


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    profile = UserProfile.for_user(request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        response = redirect("account")
        if profile.language:
            response.set_cookie("django_language", profile.language, samesite="Lax")
        else:
            response.delete_cookie("django_language")
        return response
    context = {
        "form": form,
        "profile": profile,
        "tokens": request.user.api_tokens.order_by("-created_at"),
        "token_form": TokenForm(),
        "new_token": request.session.pop("hearth_new_token", None),
    }
    return render(request, "workspaces/account.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def totp_setup(request):
    profile = UserProfile.for_user(request.user)
    secret = request.session.get(TOTP_SETUP_KEY) or pyotp.random_base32()
    request.session[TOTP_SETUP_KEY] = secret
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if pyotp.TOTP(secret).verify(form.cleaned_data["code"], valid_window=1):
            profile.totp_secret = secret
            profile.totp_enabled = True
            profile.save(update_fields=["totp_secret", "totp_enabled"])
            del request.session[TOTP_SETUP_KEY]
            messages.success(request, _("Two-factor authentication is on."))
            return redirect("account")
        form.add_error("code", _("That code is not right."))
    uri = pyotp.TOTP(secret).provisioning_uri(name=request.user.username, issuer_name="Hearth")
    return render(
        request, "workspaces/totp_setup.html", {"form": form, "secret": secret, "uri": uri}
    )


@login_required
@require_POST
def totp_disable(request):
    UserProfile.objects.filter(user=request.user).update(totp_enabled=False, totp_secret=None)
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("account")


@login_required
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            _token, raw = ApiToken.issue(request.user, form.cleaned_data["name"])
        # Shown once on the next page; only the hash is stored.
        request.session["hearth_new_token"] = raw
    return redirect("account")


@login_required
@require_POST
def token_revoke(request, token_id: int):
    services.revoke_token(request.user, token_id)
    return redirect("account")
