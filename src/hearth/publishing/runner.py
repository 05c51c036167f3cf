"""Runs the engine inside ``hearth worker``: a ticker and a small pool of senders.

The ticker claims (cheap conditional UPDATEs); the pool makes the network calls, so one
slow network does not hold up the others. Each thread has its own DB connection.
"""

from __future__ import annotations

import logging
import socket
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from hearth.kit.http import make_client
from hearth.publishing.engine import Engine

log = logging.getLogger("hearth.publishing")


def _in_thread(fn, *args):
    try:
        return fn(*args)
    except Exception:
        log.exception("publishing step failed")
        return None
    finally:
        connection.close()


def run(
    stop: threading.Event,
    *,
    threads: int = 8,
    interval: float = 0.5,
    worker_id: str | None = None,
    engine: Engine | None = None,
) -> None:
    engine = engine or Engine(
        clock=timezone.now,
        http_factory=make_client,
        worker_id=worker_id or f"{socket.gethostname()[:40]}-{uuid.uuid4().hex[:8]}",
        lease=timedelta(seconds=settings.HEARTH_PUBLISH_LEASE_SECONDS),
    )
    in_flight: set = set()
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="hearth-publish") as pool:
        while not stop.is_set():
            close_old_connections()
            try:
                engine.mark_missed()
                engine.recover_stale()
                for variant_id in engine.due(limit=threads * 4):
                    if len(in_flight) >= threads * 2:
                        break
                    if engine.claim(variant_id):
                        future = pool.submit(_in_thread, engine.publish_claimed, variant_id)
                        in_flight.add(future)
                        future.add_done_callback(in_flight.discard)
            except Exception:
                log.exception("publishing tick failed")
            stop.wait(interval)
