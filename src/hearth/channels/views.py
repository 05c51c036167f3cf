"""Connecting a content channel to an account, and checking it."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hearth.channels import services
from hearth.channels.forms import FIELDS, ConnectForm
from hearth.channels.models import ChannelAccount
from hearth.connectors import errors
from hearth.content.models import Channel
from hearth.kit.http import make_client
from hearth.workspaces.decorators import workspace_view
from hearth.workspaces.roles import Capability


def _channel(access, channel_id: int) -> Channel:
    return get_object_or_404(
        Channel.objects.select_related("project"),
        pk=channel_id,
        project__workspace=access.workspace,
    )


@workspace_view(Capability.MANAGE_CHANNELS)
@require_http_methods(["GET", "POST"])
def connect(request, access, channel_id: int):
    channel = _channel(access, channel_id)
    account = ChannelAccount.objects.filter(channel=channel).first()
    form = ConnectForm(channel.network, request.POST or None)
    supported = channel.network in FIELDS
    if request.method == "POST" and supported and form.is_valid():
        data = dict(form.cleaned_data)
        interval = data.pop("min_interval_seconds")
        credentials = {k: v for k, v in data.items() if v}
        try:
            if channel.network == "sandbox":
                credentials = _sandbox_credentials(credentials)
            with make_client() as http:
                account = services.connect(
                    channel, credentials, http=http, clock=timezone.now, actor=request.user
                )
        except (errors.ConnectorError, OSError) as exc:
            form.add_error(None, _("The network refused the account: %(e)s") % {"e": exc})
        else:
            with transaction.atomic():
                ChannelAccount.objects.filter(pk=account.pk).update(min_interval_seconds=interval)
            messages.success(request, _("Connected."))
            return redirect("channel-connect", ws=access.workspace.slug, channel_id=channel.pk)
    return render(
        request,
        "channels/connect.html",
        {"channel": channel, "account": account, "form": form, "supported": supported},
    )


def _sandbox_credentials(values: dict) -> dict:
    import httpx

    from hearth.sandbox.admin import SandboxAdmin

    with httpx.Client(timeout=10) as http:
        return SandboxAdmin(http, values["base_url"]).create_account(values["handle"])


@workspace_view(Capability.MANAGE_CHANNELS)
@require_POST
def check(request, access, channel_id: int):
    channel = _channel(access, channel_id)
    account = get_object_or_404(ChannelAccount, channel=channel)
    with make_client() as http:
        ok = services.check_health(account, http=http, clock=timezone.now)
    (messages.success if ok else messages.error)(
        request, _("Healthy.") if ok else _("The check failed; see the state below.")
    )
    return redirect("channel-connect", ws=access.workspace.slug, channel_id=channel.pk)
