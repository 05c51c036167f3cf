"""Publishing health for a workspace: what is due, late, failing, unconfirmed or missed."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hearth.channels.models import ChannelAccount
from hearth.content.models import Variant
from hearth.publishing import services
from hearth.publishing.health import publishing_probe
from hearth.publishing.models import Attempt
from hearth.workspaces.decorators import workspace_view
from hearth.workspaces.roles import Capability

S = Variant.Status


@workspace_view(Capability.VIEW)
def health(request, access):
    now = timezone.now()
    mine = Variant.objects.filter(channel__project__workspace=access.workspace).select_related(
        "channel", "item", "delivery"
    )
    context = {
        "now": now,
        "totals": publishing_probe(now, workspace=access.workspace)["publishing"],
        "due": mine.filter(status=S.SCHEDULED, scheduled_at__lte=now).order_by("scheduled_at")[:50],
        "in_flight": mine.filter(status=S.PUBLISHING)[:50],
        "unconfirmed": mine.filter(status=S.UNCONFIRMED)[:50],
        "missed": mine.filter(status=S.MISSED).order_by("-scheduled_at")[:50],
        "failed": mine.filter(status=S.FAILED).order_by("-scheduled_at")[:50],
        "published": mine.filter(status=S.PUBLISHED).order_by("-published_at")[:20],
        "reconnect": ChannelAccount.objects.filter(
            channel__project__workspace=access.workspace, state=ChannelAccount.State.NEEDS_RECONNECT
        ).select_related("channel"),
        "can_fix": access.can(Capability.SCHEDULE_CONTENT),
    }
    return render(request, "publishing/health.html", context)


@workspace_view(Capability.VIEW)
def attempts(request, access, variant_id: int):
    variant = get_object_or_404(
        Variant.objects.select_related("channel", "item"),
        pk=variant_id,
        channel__project__workspace=access.workspace,
    )
    return render(
        request,
        "publishing/attempts.html",
        {"variant": variant, "attempts": Attempt.objects.filter(variant=variant)},
    )


@workspace_view(Capability.SCHEDULE_CONTENT)
@require_POST
def resolve(request, access, variant_id: int):
    variant = get_object_or_404(
        Variant.objects.select_related("channel__project"),
        pk=variant_id,
        channel__project__workspace=access.workspace,
    )
    try:
        with transaction.atomic():
            services.resolve_unconfirmed(
                variant,
                request.user,
                is_on_network=request.POST.get("on_network") == "yes",
                url=request.POST.get("url", ""),
            )
    except Exception as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Recorded."))
    return redirect("publishing-health", ws=access.workspace.slug)
