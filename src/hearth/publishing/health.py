"""Publishing fields of ``/health`` and of the health page: nothing due may go unseen."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Min


def publishing_probe(now, workspace=None) -> dict:
    from hearth.channels.models import ChannelAccount
    from hearth.content.models import Variant
    from hearth.publishing.models import Attempt

    variants = Variant.objects.all()
    accounts = ChannelAccount.objects.all()
    attempts = Attempt.objects.all()
    if workspace is not None:
        variants = variants.filter(channel__project__workspace=workspace)
        accounts = accounts.filter(channel__project__workspace=workspace)
        attempts = attempts.filter(variant__channel__project__workspace=workspace)
    due = variants.filter(status=Variant.Status.SCHEDULED, scheduled_at__lte=now)
    oldest = due.aggregate(m=Min("scheduled_at"))["m"]
    # Queue lag: how late the oldest due-but-unclaimed post already is.
    return {
        "publishing": {
            "due_unclaimed": due.count(),
            "oldest_due_age_seconds": (now - oldest).total_seconds() if oldest else None,
            "in_flight": variants.filter(status=Variant.Status.PUBLISHING).count(),
            "failing_now": attempts.filter(
                state=Attempt.State.FAILED, started_at__gte=now - timedelta(minutes=15)
            ).count(),
            "unconfirmed": variants.filter(status=Variant.Status.UNCONFIRMED).count(),
            "missed": variants.filter(status=Variant.Status.MISSED).count(),
            "channels_need_reconnect": accounts.filter(
                state=ChannelAccount.State.NEEDS_RECONNECT
            ).count(),
        }
    }
