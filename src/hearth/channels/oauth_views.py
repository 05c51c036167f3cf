"""Connecting Mastodon and VK channels through OAuth: start, callback, community choice.

The start views (under ``/w/<ws>/``) need the channel-managing capability; the two
callbacks live at fixed, workspace-free addresses (registered once with the networks)
and learn the workspace and channel only from the single-use ``state`` kept in the
session — never from the request — and then check the user's role again.
Redirects only go to addresses Hearth built: the instance's or VK ID's authorize page,
or the channel page. A failed flow stores nothing and says why.
"""

from __future__ import annotations

import json
from datetime import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hearth.channels import oauth, services
from hearth.channels.models import OAuthApp
from hearth.connectors import errors
from hearth.content.models import Channel
from hearth.kit import crypto
from hearth.workspaces.access import resolve
from hearth.workspaces.decorators import workspace_view
from hearth.workspaces.roles import Capability

# Injected clock: tests move it to expire a state.
clock = timezone.now
VK_PENDING_KEY = "hearth_oauth_vk_pending"


class MastodonStartForm(forms.Form):
    instance_url = forms.CharField(
        label=gettext_lazy("Instance address"), max_length=200, initial="https://"
    )


class VkCommunityForm(forms.Form):
    def __init__(self, groups: list[list], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group_id"] = forms.TypedChoiceField(
            label=gettext_lazy("Community"),
            choices=[(str(gid), f"{name} (id {gid})") for gid, name in groups],
            coerce=int,
        )


def _channel(access, channel_id: int, network: str) -> Channel:
    return get_object_or_404(
        Channel.objects.select_related("project"),
        pk=channel_id,
        project__workspace=access.workspace,
        network=network,
    )


def _callback_uri(name: str) -> str:
    """Hearth's absolute callback address, from settings only (never from the request)."""
    try:
        path = reverse(name)
    except NoReverseMatch:
        raise oauth.OAuthError(
            "The OAuth callback addresses are not installed (hearth.channels.oauth_urls)."
        ) from None
    return settings.HEARTH_BASE_URL.rstrip("/") + path


def _failed(request, message: str, channel: Channel | None = None, ws: str | None = None):
    back = None
    if channel is not None and ws:
        back = reverse("channel-connect", kwargs={"ws": ws, "channel_id": channel.pk})
    return render(
        request, "channels/oauth_error.html", {"message": message, "back": back}, status=400
    )


def _connected(request, channel: Channel, ws: str):
    messages.success(request, _("Connected."))
    return redirect("channel-connect", ws=ws, channel_id=channel.pk)


# --- Mastodon -----------------------------------------------------------------------------


def _mastodon_app(http, instance_url: str, redirect_uri: str) -> OAuthApp:
    """The instance's app for this callback address, registered on first use."""
    existing = OAuthApp.objects.filter(instance_url=instance_url, redirect_uri=redirect_uri)
    if app := existing.first():
        return app
    registered = oauth.mastodon_register_app(
        http, instance_url, redirect_uri=redirect_uri, website=settings.HEARTH_BASE_URL
    )
    try:
        with transaction.atomic():
            return OAuthApp.objects.create(
                instance_url=instance_url,
                redirect_uri=redirect_uri,
                client_id=registered.client_id,
                client_secret=registered.client_secret,
                scopes=oauth.MASTODON_SCOPES,
            )
    except IntegrityError:  # another request registered it meanwhile: use theirs
        return existing.get()


@workspace_view(Capability.MANAGE_CHANNELS)
@require_POST
def mastodon_start(request, access, channel_id: int):
    channel = _channel(access, channel_id, "mastodon")
    ws = access.workspace.slug
    form = MastodonStartForm(request.POST)
    if not form.is_valid():
        return _failed(request, _("Enter the instance's address."), channel, ws)
    try:
        redirect_uri = _callback_uri("oauth-mastodon-callback")
        instance_url = oauth.normalize_instance_url(form.cleaned_data["instance_url"])
        with oauth.http_client() as http:
            app = _mastodon_app(http, instance_url, redirect_uri)
            use_pkce = oauth.mastodon_supports_pkce(http, instance_url)
    except oauth.OAuthError as exc:
        return _failed(request, str(exc), channel, ws)
    verifier = oauth.pkce_verifier() if use_pkce else None
    state = oauth.remember_state(
        request.session,
        {
            "network": "mastodon",
            "ws": ws,
            "channel": channel.pk,
            "app": app.pk,
            "verifier": verifier,
        },
        now=clock(),
    )
    return redirect(
        oauth.mastodon_authorize_url(
            app.instance_url,
            client_id=app.client_id,
            redirect_uri=app.redirect_uri,
            state=state,
            code_challenge=oauth.pkce_challenge(verifier) if verifier else None,
            scopes=app.scopes,
        )
    )


def _resume(request, network: str):
    """The state's record, with the workspace access and channel checked afresh."""
    record = oauth.take_state(
        request.session, request.GET.get("state"), network=network, now=clock()
    )
    access = resolve(request.user, record["ws"])
    access.require(Capability.MANAGE_CHANNELS)
    return record, access, _channel(access, record["channel"], network)


@login_required
@require_GET
def mastodon_callback(request):
    try:
        record, access, channel = _resume(request, "mastodon")
    except oauth.OAuthError as exc:
        return _failed(request, str(exc))
    ws = access.workspace.slug
    if error := request.GET.get("error"):
        return _failed(
            request, oauth.denied_message(error, request.GET.get("error_description")), channel, ws
        )
    app = OAuthApp.objects.filter(pk=record["app"]).first()
    code = request.GET.get("code")
    if app is None or not code:
        return _failed(request, _("The instance sent no authorization code."), channel, ws)
    registered = oauth.RegisteredApp(app.client_id, app.client_secret.reveal())
    try:
        with oauth.http_client() as http:
            token = oauth.mastodon_exchange_code(
                http,
                app.instance_url,
                app=registered,
                redirect_uri=app.redirect_uri,
                code=code,
                code_verifier=record.get("verifier"),
                scopes=app.scopes,
            )
            credentials = {
                "instance_url": app.instance_url,
                "access_token": token,
                "instance_limits": oauth.mastodon_instance_limits(http, app.instance_url),
            }
            services.connect(channel, credentials, http=http, clock=clock, actor=request.user)
    except (oauth.OAuthError, errors.ConnectorError, OSError) as exc:
        return _failed(request, str(exc), channel, ws)
    return _connected(request, channel, ws)


# --- VK ID --------------------------------------------------------------------------------


def _vk_client_id() -> str | None:
    value = getattr(settings, "HEARTH_VK_CLIENT_ID", None)
    return str(value) if value else None


@workspace_view(Capability.MANAGE_CHANNELS)
@require_POST
def vk_start(request, access, channel_id: int):
    channel = _channel(access, channel_id, "vk")
    ws = access.workspace.slug
    client_id = _vk_client_id()
    if client_id is None:
        return _failed(
            request,
            _("No VK ID app is configured: the administrator sets HEARTH_VK_CLIENT_ID."),
            channel,
            ws,
        )
    try:
        redirect_uri = _callback_uri("oauth-vk-callback")
    except oauth.OAuthError as exc:
        return _failed(request, str(exc), channel, ws)
    verifier = oauth.pkce_verifier()
    state = oauth.remember_state(
        request.session,
        {"network": "vk", "ws": ws, "channel": channel.pk, "verifier": verifier},
        now=clock(),
    )
    return redirect(
        oauth.vk_authorize_url(
            client_id=client_id,
            redirect_uri=redirect_uri,
            state=state,
            code_challenge=oauth.pkce_challenge(verifier),
        )
    )


def _pending_key(ws: str, channel_id: int) -> str:
    return f"{ws}:{channel_id}"


@login_required
@require_GET
def vk_callback(request):
    state = request.GET.get("state")
    try:
        record, access, channel = _resume(request, "vk")
    except oauth.OAuthError as exc:
        return _failed(request, str(exc))
    ws = access.workspace.slug
    if error := request.GET.get("error"):
        return _failed(
            request, oauth.denied_message(error, request.GET.get("error_description")), channel, ws
        )
    code, device_id, client_id = (
        request.GET.get("code"),
        request.GET.get("device_id"),
        _vk_client_id(),
    )
    if not code or not device_id or client_id is None:
        return _failed(request, _("VK ID sent no authorization code or device id."), channel, ws)
    try:
        with oauth.http_client() as http:
            tokens = oauth.vk_exchange_code(
                http,
                client_id=client_id,
                redirect_uri=_callback_uri("oauth-vk-callback"),
                code=code,
                code_verifier=record["verifier"],
                device_id=device_id,
                state=str(state),
                now=clock(),
            )
            groups = oauth.vk_managed_groups(http, tokens.access_token)
    except oauth.OAuthError as exc:
        return _failed(request, str(exc), channel, ws)
    if not groups:
        return _failed(
            request,
            _("You administer or edit no VK community, so there is nothing to connect."),
            channel,
            ws,
        )
    # Until the user picks the community, the tokens wait encrypted in the session.
    secret = {
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "device_id": tokens.device_id,
        "client_id": client_id,
        "expires_at": tokens.expires_at.isoformat(),
    }
    pending = dict(request.session.get(VK_PENDING_KEY) or {})
    pending[_pending_key(ws, channel.pk)] = {
        "secret": crypto.encrypt(json.dumps(secret)),
        "groups": [[gid, name] for gid, name in groups],
        "created": clock().timestamp(),
    }
    request.session[VK_PENDING_KEY] = pending
    return redirect("channel-oauth-vk-community", ws=ws, channel_id=channel.pk)


def _vk_pending(request, key: str, now: datetime) -> dict | None:
    entry = (request.session.get(VK_PENDING_KEY) or {}).get(key)
    if entry and now.timestamp() - entry["created"] < oauth.STATE_LIFETIME.total_seconds():
        return entry
    return None


def _drop_vk_pending(request, key: str) -> None:
    pending = dict(request.session.get(VK_PENDING_KEY) or {})
    pending.pop(key, None)
    request.session[VK_PENDING_KEY] = pending


@workspace_view(Capability.MANAGE_CHANNELS)
@require_http_methods(["GET", "POST"])
def vk_community(request, access, channel_id: int):
    channel = _channel(access, channel_id, "vk")
    ws = access.workspace.slug
    key = _pending_key(ws, channel.pk)
    entry = _vk_pending(request, key, clock())
    if entry is None:
        _drop_vk_pending(request, key)
        return _failed(
            request,
            _("There is no VK authorization waiting (or it expired). Start again."),
            channel,
            ws,
        )
    form = VkCommunityForm(entry["groups"], request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {
            **json.loads(crypto.decrypt(entry["secret"])),
            "group_id": form.cleaned_data["group_id"],
        }
        try:
            with oauth.http_client() as http:
                services.connect(channel, credentials, http=http, clock=clock, actor=request.user)
        except (errors.ConnectorError, OSError) as exc:
            form.add_error(None, _("VK refused the community: %(e)s") % {"e": exc})
        else:
            _drop_vk_pending(request, key)
            return _connected(request, channel, ws)
    return render(request, "channels/oauth_vk_community.html", {"channel": channel, "form": form})
