from datetime import timedelta

import pytest
from django.utils import timezone

from hearth.system.models import WorkerHeartbeat
from hearth.system.tasks import append_marker


@pytest.mark.django_db
def test_health_reports_database_workers_and_queue(client, tmp_path):
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="w1", hostname="h", pid=1, started_at=now, seen_at=now - timedelta(seconds=5)
    )
    WorkerHeartbeat.objects.create(
        worker_id="w2", hostname="h", pid=2, started_at=now, seen_at=now - timedelta(minutes=10)
    )
    append_marker.enqueue(str(tmp_path / "m"), "1")
    append_marker.enqueue(str(tmp_path / "m"), "2")
    body = client.get("/health").json()
    assert body["database"]["ok"] is True
    assert body["workers"]["alive"] == 1
    assert 4 <= body["workers"]["last_heartbeat_age_seconds"] < 60
    assert body["queue"]["depth"] == 2
    assert body["queue"]["oldest_waiting_age_seconds"] >= 0


@pytest.mark.django_db
def test_health_with_nothing_running(client):
    body = client.get("/health").json()
    assert body["workers"] == {
        "alive": 0,
        "last_heartbeat": None,
        "last_heartbeat_age_seconds": None,
    }
    assert body["queue"]["depth"] == 0 and body["queue"]["oldest_waiting_age_seconds"] is None
