"""Periodic measurement work, run by every worker's upkeep (see publishing.runner).

All of it is idempotent (natural keys, "already done today" checks), so several workers
running it at once waste a little work and break nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction

from hearth.connectors import errors

log = logging.getLogger("hearth.metrics")
# Post metrics are read at these ages, so "ER at 24 h" and friends are defined.
MILESTONES_HOURS = (1, 6, 24, 72, 168)


def due_milestone(age_hours: float, taken_ages: list[float]) -> int | None:
    """The latest passed milestone that no snapshot covers yet, else None."""
    passed = [m for m in MILESTONES_HOURS if age_hours >= m]
    if not passed:
        return None
    latest = passed[-1]
    return None if any(a >= latest for a in taken_ages) else latest


def pull_due_metrics(http, clock) -> dict[str, int]:
    from hearth.channels.models import ChannelAccount
    from hearth.channels.services import connection_for, persist_credentials
    from hearth.content.models import Channel, Variant
    from hearth.metrics.ingest import pull_channel_snapshot, pull_post_metrics
    from hearth.metrics.models import ChannelSnapshot, PostMetricSnapshot
    from hearth.metrics.services import today_for

    now: datetime = clock()
    done = {"posts": 0, "channels": 0, "errors": 0}
    accounts = ChannelAccount.objects.filter(state=ChannelAccount.State.HEALTHY).select_related(
        "channel__project"
    )
    for account in accounts:
        channel: Channel = account.channel
        connection = connection_for(account, http=http, clock=clock)
        try:
            day = today_for(channel.project, now)
            if not ChannelSnapshot.objects.filter(channel=channel, day=day).exists():
                with transaction.atomic():
                    pull_channel_snapshot(channel, connection, now)
                done["channels"] += 1
            recent = Variant.objects.filter(
                channel=channel,
                status=Variant.Status.PUBLISHED,
                published_at__gte=now - timedelta(hours=MILESTONES_HOURS[-1] + 24),
            )
            for variant in recent:
                age = (now - variant.published_at).total_seconds() / 3600
                taken = list(
                    PostMetricSnapshot.objects.filter(variant=variant).values_list(
                        "age_hours", flat=True
                    )
                )
                if due_milestone(age, taken) is None:
                    continue
                with transaction.atomic():
                    pull_post_metrics(variant, connection, now)
                done["posts"] += 1
        except errors.NotSupported:
            continue
        except errors.ConnectorError as exc:  # next upkeep tries again
            log.info("metrics pull for channel %s: %s", channel.pk, exc)
            done["errors"] += 1
        finally:
            persist_credentials(account, connection)
    return done


def daily_goals_and_reports(clock) -> None:
    from hearth.metrics.reports import send_due_reports
    from hearth.metrics.services import today_for, update_goal_measurements
    from hearth.strategy.models import Project

    now = clock()
    for project in Project.objects.all():
        with transaction.atomic():
            update_goal_measurements(project, today_for(project, now))
    with transaction.atomic():
        send_due_reports(now)
