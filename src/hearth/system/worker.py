"""A background-task worker with a heartbeat row, so /health can tell it is alive.

Several may run against one PostgreSQL, on several machines: the task backend claims
each task with a row lock, so a task runs once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid

from django.db import close_old_connections
from django.utils import timezone

from hearth.system.models import WorkerHeartbeat

log = logging.getLogger("hearth.worker")
HEARTBEAT_SECONDS = 10


def _beat(worker_id: str, started_at) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )


def _heartbeat_loop(worker_id: str, started_at, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            close_old_connections()
            _beat(worker_id, started_at)
        except Exception:  # a missed beat must never kill the worker
            log.exception("heartbeat failed")


def run_worker(
    *,
    queues: str = "*",
    interval: float = 0.5,
    batch: bool = False,
    max_tasks: int | None = None,
    worker_id: str | None = None,
    publishing: bool = True,
) -> None:
    from django_tasks_db.management.commands.db_worker import Worker

    worker_id = worker_id or f"{socket.gethostname()[:40]}-{uuid.uuid4().hex[:8]}"
    started_at = timezone.now()
    _beat(worker_id, started_at)
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat_loop, args=(worker_id, started_at, stop), daemon=True)
    beat.start()
    if publishing and not batch:
        # The publishing engine runs beside the task loop: claims are conditional UPDATEs,
        # so every worker may run it at once.
        from hearth.publishing import runner

        threading.Thread(
            target=runner.run,
            args=(stop,),
            kwargs={"worker_id": worker_id},
            daemon=True,
            name="hearth-publishing",
        ).start()
    worker = Worker(
        queue_names=queues.split(","),
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=not batch,
        max_tasks=max_tasks,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    worker.configure_signals()
    log.info("worker %s started on queues %s", worker_id, queues)
    try:
        worker.run()
    finally:
        stop.set()
        WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
