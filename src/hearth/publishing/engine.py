"""The publishing engine: claim due variants, publish once, reconcile, never post twice.

Every step is a conditional UPDATE or an attempt row, so any number of workers on
PostgreSQL (or on one SQLite file) can run ``tick`` at once:

1. ``mark_missed``: scheduled variants older than the project's missed window → missed.
2. ``recover_stale``: variants whose claim lease ran out (their worker died). If an attempt
   was left ``sending``, the request may have reached the network → reconcile, never re-post.
3. ``claim``: reserve the channel's next send slot (pacing), then move the variant
   ``scheduled → publishing`` with ``UPDATE … WHERE status='scheduled'``: exactly one
   worker gets it.
4. ``publish_claimed``: write the attempt row (committed), call the network, record the
   answer, then decide (``policy``): published, retry later, reconcile, unconfirmed, failed.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from django.db import transaction
from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.db.models.functions import Coalesce

from hearth.channels import services as channels
from hearth.channels.models import ChannelAccount
from hearth.connectors import errors, rules
from hearth.connectors.base import MediaFile, PublishRequest
from hearth.connectors.registry import get_provider
from hearth.content.models import Variant
from hearth.publishing.models import Attempt, Delivery
from hearth.publishing.policy import (
    Action,
    Decision,
    RetryPolicy,
    after_error,
    after_reconcile,
    is_missed,
)

log = logging.getLogger("hearth.publishing")
S = Variant.Status


@dataclass
class Engine:
    clock: Callable[[], datetime]
    http_factory: Callable[[], httpx.Client]
    worker_id: str
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    rng: random.Random = field(default_factory=random.Random)
    lease: timedelta = timedelta(minutes=2)

    # --- 1. missed ------------------------------------------------------------------

    def mark_missed(self) -> int:
        now = self.clock()
        missed = 0
        late = Variant.objects.filter(status=S.SCHEDULED, scheduled_at__lt=now - timedelta(hours=1))
        for variant in late.select_related("channel__project").only(
            "pk", "scheduled_at", "channel__project__missed_window_hours"
        ):
            window = timedelta(hours=variant.channel.project.missed_window_hours)
            if is_missed(variant.scheduled_at, now, RetryPolicy(missed_window=window)):
                missed += Variant.objects.filter(pk=variant.pk, status=S.SCHEDULED).update(
                    status=S.MISSED
                )
                Delivery.objects.update_or_create(
                    variant_id=variant.pk,
                    defaults={
                        "last_error": f"not sent within the {window.total_seconds() / 3600:.0f} h missed window"
                    },
                )
        return missed

    # --- 2. stale claims -------------------------------------------------------------

    def recover_stale(self) -> int:
        now = self.clock()
        stale = Delivery.objects.filter(variant__status=S.PUBLISHING, lease_until__lt=now)
        recovered = 0
        for delivery in stale.select_related("variant"):
            # Take the stale claim over, conditionally, so two recoverers do not both act.
            took = Delivery.objects.filter(pk=delivery.pk, lease_until=delivery.lease_until).update(
                claimed_by=self.worker_id, lease_until=now + self.lease
            )
            if not took:
                continue
            recovered += 1
            open_attempt = Attempt.objects.filter(
                variant_id=delivery.variant_id,
                kind=Attempt.Kind.PUBLISH,
                state=Attempt.State.SENDING,
            ).last()
            if open_attempt is None:  # died before sending anything: safe to schedule again
                Variant.objects.filter(pk=delivery.variant_id, status=S.PUBLISHING).update(
                    status=S.SCHEDULED
                )
                continue
            Attempt.objects.filter(pk=open_attempt.pk).update(
                state=Attempt.State.FAILED,
                finished_at=now,
                error_class="WorkerLost",
                decision=Action.RECONCILE,
                decision_reason="the worker stopped during the call",
            )
            self._reconcile(delivery.variant_id)
        return recovered

    # --- 3. claim --------------------------------------------------------------------

    def due(self, limit: int) -> list[int]:
        """Oldest due variants, at most one per channel, only on channels whose pace allows
        a send now (so one busy channel never holds up the others)."""
        now = self.clock()
        rows = (
            Variant.objects.filter(
                status=S.SCHEDULED,
                scheduled_at__lte=now,
                channel__account__state=ChannelAccount.State.HEALTHY,
            )
            .filter(
                Q(channel__account__next_send_at__isnull=True)
                | Q(channel__account__next_send_at__lte=now)
            )
            .filter(
                Q(delivery__isnull=True)
                | Q(delivery__next_attempt_at__isnull=True)
                | Q(delivery__next_attempt_at__lte=now)
            )
            .order_by("scheduled_at", "pk")
            .values_list("pk", "channel_id")[: limit * 8]
        )
        picked: list[int] = []
        channels: set[int] = set()
        for pk, channel_id in rows:
            if channel_id not in channels:
                channels.add(channel_id)
                picked.append(pk)
                if len(picked) >= limit:
                    break
        return picked

    def claim(self, variant_id: int) -> bool:
        """Take the variant and its channel's next send slot together, or neither."""
        now = self.clock()
        account_id, interval = (
            Variant.objects.filter(pk=variant_id)
            .values_list("channel__account__pk", "channel__account__min_interval_seconds")
            .get()
        )
        with transaction.atomic():
            if (
                Variant.objects.filter(pk=variant_id, status=S.SCHEDULED).update(
                    status=S.PUBLISHING
                )
                != 1
            ):
                return False  # another worker took it
            pace = timedelta(seconds=interval)
            slot = (
                ChannelAccount.objects.filter(pk=account_id)
                .filter(Q(next_send_at__isnull=True) | Q(next_send_at__lte=now))
                .update(
                    # Keep the cadence from the slot, not from this claim's moment, so the
                    # few milliseconds each claim comes late do not add up over a backlog;
                    # after an idle spell the next slot simply starts from now.
                    next_send_at=Case(
                        When(next_send_at__gt=now - pace, then=F("next_send_at") + pace),
                        default=Value(now + pace),
                        output_field=DateTimeField(),
                    )
                )
            )
            if not slot:  # the channel's pace is used up: give the variant back untouched
                transaction.set_rollback(True)
                return False
            claim = {"claimed_by": self.worker_id, "lease_until": now + self.lease}
            if not Delivery.objects.filter(variant_id=variant_id).update(**claim):
                Delivery.objects.create(variant_id=variant_id, **claim)
        return True

    # --- 4. publish -----------------------------------------------------------------

    def publish_claimed(self, variant_id: int) -> str:
        variant = (
            Variant.objects.select_related(
                "channel__account", "channel__project__workspace", "delivery"
            )
            .prefetch_related("media")
            .get(pk=variant_id)
        )
        delivery = variant.delivery
        account = variant.channel.account
        network = variant.channel.network
        request = self._request(variant, delivery, with_media=True)
        text = request.text
        started = self.clock()
        # One commit, before the call: the evidence that a request may be on its way.
        with transaction.atomic():
            attempt = Attempt.objects.create(
                variant=variant,
                worker=self.worker_id,
                started_at=started,
                sent={
                    "text_length": len(text),
                    "images": len(request.images),
                    "idempotency_key": str(delivery.idempotency_key),
                    "network": network,
                },
            )
            Delivery.objects.filter(pk=delivery.pk).update(
                attempts=F("attempts") + 1,
                first_sent_at=Coalesce(F("first_sent_at"), Value(started)),
            )
        t0 = time.monotonic()
        with self.http_factory() as http:
            connection = channels.connection_for(account, http=http, clock=self.clock)
            try:
                post = connection.publish(request)
            except errors.ConnectorError as exc:
                decision = after_error(
                    exc,
                    attempt=delivery.attempts + 1,
                    now=self.clock(),
                    policy=self.policy,
                    rng=self.rng,
                )
                self._finish_attempt(
                    attempt,
                    t0,
                    Attempt.State.FAILED,
                    {"code": exc.vendor_code, "message": str(exc)[:300]},
                    type(exc).__name__,
                    decision,
                )
                return self._apply(variant, decision, account, str(exc))
            finally:
                channels.persist_credentials(account, connection)
        with transaction.atomic():  # the outcome and the new status commit together
            self._finish_attempt(
                attempt,
                t0,
                Attempt.State.SUCCEEDED,
                {"id": post.id, "url": post.url, "replayed": post.replayed},
                "",
                None,
            )
            self._mark_published(variant.pk, post.id, post.url)
        return S.PUBLISHED

    # --- helpers ----------------------------------------------------------------------

    def _request(self, variant: Variant, delivery: Delivery, *, with_media: bool) -> PublishRequest:
        """What goes to the network; the same text on every try and on reconciliation."""
        from hearth.links.services import rewrite_links

        network = variant.channel.network
        text = rewrite_links(
            rules.outgoing_text(network, variant.draft()),
            workspace=variant.channel.project.workspace,
            project=variant.channel.project,
            network=network,
            channel_ref=str(variant.channel_id),
            post_ref=str(variant.pk),
            enabled=variant.track_links,
        )
        images: tuple[MediaFile, ...] = ()
        if with_media:
            from hearth.content.storage import default_storage

            storage = default_storage()
            images = tuple(
                MediaFile(
                    content=storage.read(a.name),
                    mime_type=a.mime,
                    filename=a.original_name or a.name,
                )
                for a in sorted(variant.media.all(), key=lambda a: a.pk)  # prefetched
                if a.kind == "image"
            )
        return PublishRequest(
            text=text,
            idempotency_key=str(delivery.idempotency_key),
            images=images,
            created_at=variant.scheduled_at,
        )

    def _finish_attempt(
        self, attempt, t0, state, received, error_class, decision: Decision | None
    ) -> None:
        Attempt.objects.filter(pk=attempt.pk).update(
            state=state,
            finished_at=self.clock(),
            duration_ms=int((time.monotonic() - t0) * 1000),
            received=received,
            error_class=error_class,
            decision=decision.action if decision else "published",
            decision_reason=decision.reason[:300] if decision else "",
        )

    def _mark_published(self, variant_id: int, external_id: str, url: str | None) -> None:
        with transaction.atomic():
            Variant.objects.filter(pk=variant_id, status=S.PUBLISHING).update(
                status=S.PUBLISHED, published_at=self.clock()
            )
            Delivery.objects.filter(variant_id=variant_id).update(
                external_id=external_id, external_url=url or "", lease_until=None, last_error=""
            )

    def _apply(
        self, variant: Variant, decision: Decision, account: ChannelAccount, message: str
    ) -> str:
        if decision.action == Action.RECONCILE:
            return self._reconcile(variant.pk)
        if decision.action in (Action.RETRY, Action.REFRESH):
            with transaction.atomic():
                Variant.objects.filter(pk=variant.pk, status=S.PUBLISHING).update(
                    status=S.SCHEDULED
                )
                update = {
                    "next_attempt_at": decision.at,
                    "lease_until": None,
                    "last_error": decision.reason[:500],
                }
                if not decision.counts_as_attempt:
                    # Waiting on a rate limit or quota is not a failed try.
                    update["attempts"] = F("attempts") - 1
                Delivery.objects.filter(variant_id=variant.pk).update(**update)
            return "retry"
        final = {
            Action.FAIL: S.FAILED,
            Action.RECONNECT: S.FAILED,
            Action.UNCONFIRMED: S.UNCONFIRMED,
        }[decision.action]
        with transaction.atomic():
            Variant.objects.filter(pk=variant.pk, status=S.PUBLISHING).update(status=final)
            Delivery.objects.filter(variant_id=variant.pk).update(
                lease_until=None, last_error=decision.reason[:500]
            )
        if decision.action == Action.RECONNECT:
            channels.mark_needs_reconnect(account, message)
        return final

    def _reconcile(self, variant_id: int) -> str:
        """Look for the post on the network; publish, retry safely, or ask a person."""
        variant = Variant.objects.select_related("channel__account", "channel__project").get(
            pk=variant_id
        )
        delivery = variant.delivery
        account = variant.channel.account
        provider = get_provider(variant.channel.network)
        request = self._request(variant, delivery, with_media=False)
        started = self.clock()
        attempt = Attempt.objects.create(
            variant=variant, kind=Attempt.Kind.RECONCILE, worker=self.worker_id, started_at=started
        )
        t0 = time.monotonic()
        found = None
        with self.http_factory() as http:
            connection = channels.connection_for(account, http=http, clock=self.clock)
            try:
                found = connection.find_recent(
                    request, since=variant.scheduled_at - timedelta(hours=1)
                )
            except errors.NotSupported:
                found = None
            except errors.ConnectorError as exc:
                # Could not look: keep the claim's evidence and try reconciling again later.
                decision = Decision(
                    Action.RETRY,
                    self.clock() + timedelta(seconds=30),
                    f"reconcile failed: {exc}",
                    False,
                )
                self._finish_attempt(
                    attempt,
                    t0,
                    Attempt.State.FAILED,
                    {"message": str(exc)[:300]},
                    type(exc).__name__,
                    decision,
                )
                Delivery.objects.filter(variant_id=variant_id).update(
                    lease_until=self.clock() + timedelta(seconds=30)
                )
                return "reconcile_later"
        if found is not None:
            self._finish_attempt(
                attempt, t0, Attempt.State.RECONCILED, {"id": found.id, "url": found.url}, "", None
            )
            self._mark_published(variant_id, found.id, found.url)
            return S.PUBLISHED
        decision = after_reconcile(
            False,
            idempotency=provider.idempotency,
            window=provider.idempotency_window,
            first_sent=delivery.first_sent_at,
            attempt=delivery.attempts,
            now=self.clock(),
            policy=self.policy,
            rng=self.rng,
        )
        self._finish_attempt(attempt, t0, Attempt.State.RECONCILED, {"found": False}, "", decision)
        return self._apply(variant, decision, account, decision.reason)

    # --- the loop ----------------------------------------------------------------------

    def tick(self, limit: int = 100) -> dict[str, int]:
        report = {
            "missed": self.mark_missed(),
            "recovered": self.recover_stale(),
            "published": 0,
            "other": 0,
        }
        # One round takes at most one post per channel; rounds repeat until nothing more
        # may go now (this serial loop is for tests and one-off runs; workers use runner.run).
        handled = 0
        while handled < limit:
            claimed = 0
            for variant_id in self.due(limit - handled):
                if not self.claim(variant_id):
                    continue
                claimed += 1
                handled += 1
                try:
                    outcome = self.publish_claimed(variant_id)
                except Exception:  # never leave a claim without a decision; the lease recovers it
                    log.exception("publishing variant %s crashed", variant_id)
                    continue
                report["published" if outcome == S.PUBLISHED else "other"] += 1
            if not claimed:
                break
        return report
