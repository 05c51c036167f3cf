"""The click buffer: the redirector never waits on the database.

A click is appended to an in-process list (a few hundred nanoseconds under a lock); a
background thread writes the list with ``bulk_create`` every ``interval`` seconds or as soon as
``batch_size`` clicks are waiting. Everything else — user-agent classes, referrer hosts, visitor
hashes with the day's salt — is computed in that thread too, so the request path does no work
beyond the append. ``flush_all()`` writes what is left; it runs at interpreter exit (atexit,
registered when the thread starts) and from the ASGI lifespan shutdown of ``hearth serve``.

A failed write keeps its clicks and retries on the next round, so a database that is briefly
locked or restarting loses nothing; only past ``max_pending`` clicks (a database down for a
long time) are the oldest dropped, and the count of dropped clicks is logged.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import IntegrityError, close_old_connections, connection, transaction

from hearth.links.bots import classify_user_agent, referrer_host

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LinkRoute:
    """What a click needs to know about its link; cached by the redirector."""

    link_id: int
    workspace_id: int
    network: str
    channel_ref: str | None
    post_ref: str | None
    location: str


@dataclass(frozen=True, slots=True)
class RawClick:
    """A click as the request saw it. The IP lives only here, in memory, until the flush."""

    route: LinkRoute
    at: datetime
    ip: str
    user_agent: str
    referrer: str
    method: str


def visitor_hash(salt: str, ip: str, user_agent: str) -> str:
    """SHA-256 of (day's salt, IP, user agent): the same visitor within a day, nothing more."""
    material = "\x1f".join((salt, ip, user_agent[:512]))
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


class ClickBuffer:
    def __init__(
        self,
        *,
        interval: float = 0.5,
        batch_size: int = 500,
        max_pending: int = 1_000_000,
        background: bool = True,
    ):
        # background=False: no thread, the owner calls flush() (tests inside a transaction).
        self.background = background
        self.interval = interval
        self.batch_size = batch_size
        self.max_pending = max_pending
        self.dropped = 0
        self._pending: list[RawClick] = []
        self._lock = threading.Lock()  # guards _pending only; held for an append or a swap
        self._write_lock = threading.Lock()  # one writer at a time: the thread or a flush()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._salts: dict[date, str] = {}
        self._salts_pruned_on: date | None = None

    def add(self, click: RawClick) -> None:
        with self._lock:
            self._pending.append(click)
            waiting = len(self._pending)
            if waiting > self.max_pending:
                overflow = waiting - self.max_pending
                del self._pending[:overflow]
                self.dropped += overflow
        if self._thread is None and self.background:
            self._start()
        if waiting >= self.batch_size:
            self._wake.set()

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def flush(self) -> int:
        """Write every waiting click now; returns how many were written."""
        written = 0
        with self._write_lock:
            while True:
                with self._lock:
                    batch, self._pending = self._pending, []
                if not batch:
                    return written
                try:
                    written += self._write(batch)
                except Exception:
                    with self._lock:
                        self._pending[:0] = batch  # keep them, in order, for the next round
                    raise

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)
        self.flush()

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="hearth-clicks", daemon=True)
        self._thread.start()
        atexit.register(flush_all)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                close_old_connections()  # this thread's connection: drop it if broken or old
                self.flush()
                self._prune_salts(stale=False)  # a day may end without any click
            except Exception:
                log.exception("writing clicks failed; they stay buffered and are retried")
                self._stop.wait(self.interval)
            finally:
                close_old_connections()
            if self.dropped:
                log.error("dropped %d clicks: the buffer was full", self.dropped)
                self.dropped = 0

    def _write(self, batch: list[RawClick]) -> int:
        # A link deleted while its clicks waited would fail the whole batch (the foreign key is
        # checked at commit): keep only clicks of links that still exist, and if one vanished
        # between this check and the commit, check again once.
        try:
            return self._insert(self._alive(batch))
        except IntegrityError:
            return self._insert(self._alive(batch))

    @staticmethod
    def _alive(batch: list[RawClick]) -> list[RawClick]:
        from hearth.links.models import TrackedLink

        wanted = {click.route.link_id for click in batch}
        alive = set(TrackedLink.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        return batch if alive == wanted else [c for c in batch if c.route.link_id in alive]

    def _insert(self, batch: list[RawClick]) -> int:
        """One multi-row INSERT per ``batch_size`` clicks, in one transaction.

        Plain ``executemany`` rather than ``bulk_create``: building a model instance per click
        costs several times more CPU, and this thread shares the GIL with the redirector.
        """
        if not batch:
            return 0
        with transaction.atomic():
            salts = {day: self._salt(day) for day in {c.at.date() for c in batch}}
            adapt = connection.ops.adapt_datetimefield_value  # looked up once: it is not free
            rows = [_row(click, salts[click.at.date()], adapt) for click in batch]
            with connection.cursor() as cursor:
                for start in range(0, len(rows), self.batch_size):
                    cursor.executemany(_insert_sql(), rows[start : start + self.batch_size])
        self._prune_salts(stale=min(salts) < datetime.now(UTC).date())
        return len(rows)

    def _salt(self, day: date) -> str:
        from hearth.links.models import DailySalt

        if day not in self._salts:
            row, _created = DailySalt.objects.get_or_create(
                day=day, defaults={"salt": secrets.token_hex(32)}
            )
            self._salts[day] = row.salt
        return self._salts[day]

    def _prune_salts(self, *, stale: bool) -> None:
        """Forget and delete every salt older than today (UTC): on the first write of a day,
        and again after late clicks of a past day needed that day's salt."""
        today = datetime.now(UTC).date()
        if self._salts_pruned_on == today and not stale:
            return
        purge_expired_salts(today)
        self._salts = {day: salt for day, salt in self._salts.items() if day >= today}
        self._salts_pruned_on = today


_COLUMNS = (
    "link_id", "workspace_id", "clicked_at", "network", "channel_ref", "post_ref",
    "referrer_host", "ua_class", "is_bot", "visitor_hash",
)  # fmt: skip


@functools.cache
def _insert_sql() -> str:
    from hearth.links.models import Click

    quote = connection.ops.quote_name
    columns = ", ".join(quote(Click._meta.get_field(name).column) for name in _COLUMNS)
    placeholders = ", ".join(["%s"] * len(_COLUMNS))
    return f"INSERT INTO {quote(Click._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608


@functools.lru_cache(maxsize=4096)
def _classify(user_agent: str) -> tuple[str, bool]:
    return classify_user_agent(user_agent)  # the same few user agents come back all day


def _row(click: RawClick, salt: str, adapt_datetime) -> tuple:
    ua_class, is_bot = _classify(click.user_agent)
    if click.method == "HEAD":
        # Browsers following a link send GET; a HEAD comes from a checker or a preview fetcher.
        ua_class, is_bot = "bot", True
    route = click.route
    return (
        route.link_id,
        route.workspace_id,
        adapt_datetime(click.at),
        route.network,
        route.channel_ref,
        route.post_ref,
        referrer_host(click.referrer),
        ua_class,
        is_bot,
        visitor_hash(salt, click.ip, click.user_agent),
    )


_default = ClickBuffer()


def default_buffer() -> ClickBuffer:
    return _default


def record(click: RawClick) -> None:
    _default.add(click)


def purge_expired_salts(today: date | None = None) -> int:
    """Delete the salts of days before ``today`` (UTC); returns how many were deleted.

    Every process writing clicks does this once a day; a periodic job may call it too.
    """
    from hearth.links.models import DailySalt

    today = today or datetime.now(UTC).date()
    deleted, _per_model = DailySalt.objects.filter(day__lt=today).delete()
    return deleted


def flush_all() -> int:
    """Write every buffered click of this process; safe to call any number of times."""
    try:
        return _default.flush()
    except Exception:
        log.exception("final click flush failed; %d clicks lost", _default.pending())
        return 0
