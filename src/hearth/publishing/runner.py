"""Runs the engine inside ``hearth worker``: a ticker and a small pool of senders.

The ticker claims (cheap conditional UPDATEs); the pool makes the network calls, so one
slow network does not hold up the others. Each thread has its own DB connection.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from hearth.kit.http import make_client
from hearth.publishing.engine import Engine

log = logging.getLogger("hearth.publishing")
UPKEEP_SECONDS = 60
HOUSEKEEPING_SECONDS = 2.0  # missed-window and dead-worker sweeps
HEALTH_CHECK_EVERY = timedelta(minutes=30)
LEADS_INGEST_EVERY = 3600.0  # seconds between reads of comments/likes into the leads tables
LEADS_LOOKBACK = timedelta(days=30)
METRICS_EVERY = 600.0  # seconds between metric pulls, goal updates and report sending


def metrics_upkeep(engine: Engine) -> None:
    from hearth.metrics import jobs

    with engine.http_factory() as http:
        jobs.pull_due_metrics(http, engine.clock)
    jobs.daily_goals_and_reports(engine.clock)


def leads_upkeep(engine: Engine) -> None:
    """Read who commented, liked and reposted recent posts into the leads tables.

    Idempotent (natural keys), so several workers doing it is wasteful but harmless.
    """
    from hearth.leads.ingest import ingest_project
    from hearth.strategy.models import Project

    projects = Project.objects.filter(channels__account__isnull=False).distinct()
    with engine.http_factory() as http:
        for project in projects:
            try:
                report = ingest_project(
                    project, http=http, clock=engine.clock, since=engine.clock() - LEADS_LOOKBACK
                )
            except Exception:
                log.exception("leads ingestion of project %s failed", project.pk)
                continue
            for note in report.notes:
                log.info("leads ingestion, project %s: %s", project.pk, note)


def channel_upkeep(engine: Engine) -> None:
    """Refresh tokens ahead of expiry and re-check channels every half hour.

    Every worker may run this: refreshes are serialised by the account row lock, and a
    health check done twice is harmless.
    """
    from hearth.channels import services
    from hearth.channels.models import ChannelAccount

    now = engine.clock()
    accounts = ChannelAccount.objects.exclude(
        state=ChannelAccount.State.NEEDS_RECONNECT
    ).select_related("channel__project__workspace")
    with engine.http_factory() as http:
        for account in accounts:
            try:
                if services.refresh_if_expiring(account, http=http, clock=engine.clock):
                    account.refresh_from_db()  # check with the new token, not the spent one
                if (
                    account.last_checked_at is None
                    or now - account.last_checked_at > HEALTH_CHECK_EVERY
                ):
                    services.check_health(account, http=http, clock=engine.clock)
            except Exception:
                log.exception("upkeep of channel account %s failed", account.pk)


def _in_thread(fn, *args):
    # Keep the thread's DB connection between jobs (a new PostgreSQL backend per post is
    # expensive); close_old_connections drops it only when it is stale or broken.
    close_old_connections()
    try:
        return fn(*args)
    except Exception:
        log.exception("publishing step failed")
        return None


class _ThreadClients:
    """One keep-alive HTTP client per sender thread: no new TCP connection per post."""

    def __init__(self) -> None:
        self._local = threading.local()

    def __call__(self):
        client = getattr(self._local, "client", None)
        if client is None:
            client = self._local.client = make_client()
        return contextlib.nullcontext(client)


def run(
    stop: threading.Event,
    *,
    threads: int = 16,
    interval: float = 0.5,
    busy_interval: float = 0.05,
    worker_id: str | None = None,
    engine: Engine | None = None,
) -> None:
    """Claim due posts and hand them to ``threads`` senders, until ``stop`` is set.

    Ticks come fast while there is work (``busy_interval``) and slowly when idle.
    """
    engine = engine or Engine(
        clock=timezone.now,
        http_factory=_ThreadClients(),
        worker_id=worker_id or f"{socket.gethostname()[:40]}-{uuid.uuid4().hex[:8]}",
        lease=timedelta(seconds=settings.HEARTH_PUBLISH_LEASE_SECONDS),
    )
    in_flight: set = set()
    next_upkeep = 0.0
    next_leads = time.monotonic() + UPKEEP_SECONDS  # let publishing settle first
    next_metrics = time.monotonic() + UPKEEP_SECONDS
    next_housekeeping = 0.0
    with (
        ThreadPoolExecutor(max_workers=threads, thread_name_prefix="hearth-publish") as pool,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="hearth-upkeep") as upkeep,
    ):
        while not stop.is_set():
            close_old_connections()
            now = time.monotonic()
            if now >= next_upkeep:
                next_upkeep = now + UPKEEP_SECONDS
                upkeep.submit(_in_thread, channel_upkeep, engine)
            if now >= next_leads:
                next_leads = now + LEADS_INGEST_EVERY
                upkeep.submit(_in_thread, leads_upkeep, engine)
            if now >= next_metrics:
                next_metrics = now + METRICS_EVERY
                upkeep.submit(_in_thread, metrics_upkeep, engine)
            claimed = 0
            try:
                if now >= next_housekeeping:  # not every fast tick: these scan tables
                    next_housekeeping = now + HOUSEKEEPING_SECONDS
                    engine.mark_missed()
                    engine.recover_stale()
                room = threads - len(in_flight)
                for variant_id in engine.due(limit=max(room, 0)) if room > 0 else ():
                    if engine.claim(variant_id):
                        claimed += 1
                        future = pool.submit(_in_thread, engine.publish_claimed, variant_id)
                        in_flight.add(future)
                        future.add_done_callback(in_flight.discard)
            except Exception:
                log.exception("publishing tick failed")
            stop.wait(busy_interval if claimed or in_flight else interval)
