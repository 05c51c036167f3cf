"""Demo publishing: a channel on the local sandbox network with posts the engine sends.

`hearth demo` starts the sandbox (python -m hearth.sandbox) before building the demo, so
the channel connects for real and the worker publishes the queued posts while you watch.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
from django.conf import settings
from django.utils import timezone

from hearth.channels.models import ChannelAccount
from hearth.content.models import Channel, ContentItem, Variant
from hearth.sandbox.admin import SandboxAdmin, SandboxAdminError

CHANNEL_NAME = "Coach Anna — sandbox (demo network)"
POSTS = [
    (
        2,
        "5 exercises you can do while the kettle boils. Save this for tomorrow morning! #homefitness",
    ),
    (15, "Question of the day: what stops you from training at home? Answer in the comments 👇"),
    (45, "Free first session this Saturday — book at https://example.com/coach #spb"),
    (120, "Before/after: Olga, 41, two children, 12 weeks of 30-minute workouts at home."),
]


def build(workspace, owner) -> None:
    project = workspace.projects.first()
    if project is None or project.channels.filter(network="sandbox").exists():
        return
    channel = Channel.objects.create(
        project=project,
        network="sandbox",
        name=CHANNEL_NAME,
        cadence_count=1,
        cadence_period="day",
    )
    try:
        with httpx.Client(timeout=5) as http:
            credentials = SandboxAdmin(http, settings.HEARTH_SANDBOX_URL).create_account(
                "coach-anna", followers=1800, display_name="Coach Anna (demo)"
            )
    except (httpx.HTTPError, SandboxAdminError):
        return  # no sandbox running: the channel stays unconnected, which the page says
    ChannelAccount.objects.create(
        channel=channel,
        credentials=credentials,
        account_label="@coach-anna (sandbox)",
        state=ChannelAccount.State.HEALTHY,
        min_interval_seconds=1,
        last_checked_at=timezone.now(),
    )
    now = timezone.now()
    for minutes, text in POSTS:
        item = ContentItem.objects.create(
            project=project, title=text[:60], master_text=text, author=owner
        )
        Variant.objects.create(
            item=item,
            channel=channel,
            text=text,
            status=Variant.Status.SCHEDULED,
            scheduled_at=now + timedelta(minutes=minutes),
            approved_by=owner,
        )
