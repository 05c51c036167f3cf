"""What ``/health`` reports: the database, the workers and the task queue."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.db.utils import DatabaseError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hearth.system.models import WorkerHeartbeat

WORKER_STALE_AFTER = timedelta(seconds=60)

# Other apps add their own fields (publishing: due-but-unclaimed, missed, …).
EXTRA_PROBES: list = []


def health_report(now=None) -> tuple[dict, bool]:
    now = now or timezone.now()
    report: dict = {"time": now.isoformat()}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report["database"] = {"ok": True, "vendor": connection.vendor}
    except DatabaseError as exc:
        report["database"] = {"ok": False, "error": str(exc)}
        return report, False

    last = WorkerHeartbeat.objects.order_by("-seen_at").first()
    alive = WorkerHeartbeat.objects.filter(seen_at__gte=now - WORKER_STALE_AFTER).count()
    report["workers"] = {
        "alive": alive,
        "last_heartbeat": last.seen_at.isoformat() if last else None,
        "last_heartbeat_age_seconds": (now - last.seen_at).total_seconds() if last else None,
    }
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    report["queue"] = {
        "depth": waiting.count(),
        "running": DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count(),
        "oldest_waiting_age_seconds": (now - oldest).total_seconds() if oldest else None,
    }
    for probe in EXTRA_PROBES:
        report.update(probe(now))
    return report, True
