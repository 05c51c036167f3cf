"""The engine against a real (in-process) sandbox network: once, and never silently missed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hearth.channels.models import ChannelAccount
from hearth.content.models import Variant
from hearth.publishing.models import Attempt, Delivery

S = Variant.Status
pytestmark = pytest.mark.django_db


def _total_posts(sandbox) -> int:
    return sandbox.admin.stats()["totals"]["posts"]


def _duplicates(sandbox) -> int:
    return sandbox.admin.stats()["totals"]["duplicate_texts"]


def test_a_due_post_is_published_once_with_an_attempt_row(engine, schedule, sandbox):
    variant = schedule()
    report = engine.tick()
    variant.refresh_from_db()
    assert report["published"] == 1 and variant.status == S.PUBLISHED
    delivery = Delivery.objects.get(variant=variant)
    assert delivery.external_id and delivery.attempts == 1
    attempt = Attempt.objects.get(variant=variant)
    assert attempt.state == Attempt.State.SUCCEEDED and attempt.duration_ms is not None
    assert "access_token" not in str(attempt.sent)  # credentials never land in attempt rows
    assert engine.tick()["published"] == 0  # nothing due any more
    assert _total_posts(sandbox) == 1


def test_a_post_not_yet_due_waits(engine, schedule, clock):
    variant = schedule(at=clock.now + timedelta(minutes=5))
    engine.tick()
    variant.refresh_from_db()
    assert variant.status == S.SCHEDULED
    clock.advance(minutes=5)
    engine.tick()
    variant.refresh_from_db()
    assert variant.status == S.PUBLISHED


def test_timeout_after_accepting_is_reconciled_without_a_duplicate(engine, schedule, sandbox):
    variant = schedule("Reconcile me")
    sandbox.admin.inject_fault("timeout_after_accept", count=1, stall_seconds=5)
    engine.tick()
    variant.refresh_from_db()
    assert variant.status == S.PUBLISHED
    kinds = list(Attempt.objects.filter(variant=variant).values_list("kind", "state"))
    assert kinds == [("publish", "failed"), ("reconcile", "reconciled")]
    assert _total_posts(sandbox) == 1 and _duplicates(sandbox) == 0


def test_rate_limit_waits_retry_after_then_succeeds(engine, schedule, sandbox, clock):
    variant = schedule()
    sandbox.admin.inject_fault("rate_limit", count=1, retry_after=30)
    engine.tick()
    variant.refresh_from_db()
    delivery = Delivery.objects.get(variant=variant)
    assert variant.status == S.SCHEDULED
    assert delivery.next_attempt_at == clock.now + timedelta(seconds=30)
    assert delivery.attempts == 0  # waiting on a rate limit is not a failed try
    clock.advance(seconds=29)
    engine.tick()
    variant.refresh_from_db()
    assert variant.status == S.SCHEDULED
    clock.advance(seconds=1)
    engine.tick()
    variant.refresh_from_db()
    assert variant.status == S.PUBLISHED
    assert _total_posts(sandbox) == 1


def test_token_expiring_mid_batch_refreshes_once_under_the_lock(engine, schedule, sandbox, channel):
    variants = [schedule(f"Post {n}") for n in range(5)]
    engine.tick(limit=2)
    account = ChannelAccount.objects.get(channel=channel)
    version_before = account.credentials_version
    old_refresh = account.credentials.reveal()["refresh_token"]
    sandbox.admin.expire_tokens("coach")
    engine.tick()
    account.refresh_from_db()
    assert account.credentials_version == version_before + 1  # one refresh, persisted
    assert account.credentials.reveal()["refresh_token"] != old_refresh  # the rotated token kept
    for v in variants:
        v.refresh_from_db()
        assert v.status == S.PUBLISHED
    assert _total_posts(sandbox) == 5


def test_workers_down_for_an_hour_still_publish_within_the_window(engine, schedule, clock):
    variant = schedule()
    clock.advance(hours=1)
    engine.tick()
    variant.refresh_from_db()
    assert variant.status == S.PUBLISHED


def test_overdue_beyond_the_window_is_missed_not_published(engine, schedule, clock, sandbox):
    variant = schedule()
    clock.advance(hours=49)
    report = engine.tick()
    variant.refresh_from_db()
    assert report["missed"] == 1 and variant.status == S.MISSED
    assert "missed window" in Delivery.objects.get(variant=variant).last_error
    assert _total_posts(sandbox) == 0


def test_the_project_window_is_respected(engine, schedule, clock, channel):
    channel.project.missed_window_hours = 2
    channel.project.save()
    variant = schedule()
    clock.advance(hours=3)
    engine.tick()
    variant.refresh_from_db()
    assert variant.status == S.MISSED


def test_a_claim_is_taken_by_exactly_one_worker(engine, schedule):
    variant = schedule()
    assert engine.claim(variant.pk) is True
    assert engine.claim(variant.pk) is False
    variant.refresh_from_db()
    assert variant.status == S.PUBLISHING


def test_a_worker_lost_before_sending_is_rescheduled(engine, schedule, clock, sandbox):
    variant = schedule()
    assert engine.claim(variant.pk)
    clock.advance(minutes=3)  # the lease ran out and no attempt was written
    engine.tick()
    variant.refresh_from_db()
    assert variant.status == S.PUBLISHED and _total_posts(sandbox) == 1


def test_a_worker_lost_mid_call_is_reconciled_not_reposted(engine, schedule, clock, sandbox):
    from hearth.connectors.base import PublishRequest
    from hearth.connectors.registry import get_provider

    variant = schedule("Sent just before the crash")
    assert engine.claim(variant.pk)
    delivery = Delivery.objects.get(variant=variant)
    # The worker wrote its attempt, the network accepted the post, then the worker died.
    Attempt.objects.create(variant=variant, worker="dead", started_at=clock.now)
    account = ChannelAccount.objects.get(channel=variant.channel)
    conn = get_provider("sandbox").connect(
        account.credentials.reveal(), http=sandbox.client(), clock=clock
    )
    conn.publish(
        PublishRequest(
            "Sent just before the crash",
            idempotency_key=str(delivery.idempotency_key),
            created_at=variant.scheduled_at,
        )
    )
    clock.advance(minutes=3)
    engine.tick()
    variant.refresh_from_db()
    assert variant.status == S.PUBLISHED
    assert _total_posts(sandbox) == 1


def test_validation_errors_fail_without_retry(engine, schedule, sandbox):
    variant = schedule("x" * 600)  # over the sandbox's 500 characters
    engine.tick()
    variant.refresh_from_db()
    assert variant.status == S.FAILED
    assert _total_posts(sandbox) == 0


def test_revoked_access_marks_the_channel_for_reconnect(
    engine, schedule, channel, mailoutbox, owner
):
    account = ChannelAccount.objects.get(channel=channel)
    creds = account.credentials.reveal()
    account.credentials = {**creds, "access_token": "nope", "refresh_token": "spent"}
    account.save()
    variant = schedule()
    engine.tick()
    variant.refresh_from_db()
    account.refresh_from_db()
    assert variant.status == S.FAILED
    assert account.state == ChannelAccount.State.NEEDS_RECONNECT


def test_health_reports_publishing_fields(client, engine, schedule, clock):
    schedule()
    body = client.get("/health").json()
    assert body["publishing"]["due_unclaimed"] >= 0
    assert set(body["publishing"]) >= {
        "due_unclaimed",
        "oldest_due_age_seconds",
        "in_flight",
        "failing_now",
        "unconfirmed",
        "missed",
        "channels_need_reconnect",
    }


def test_channel_pace_keeps_its_cadence_and_restarts_after_idle(engine, schedule, channel, clock):
    ChannelAccount.objects.filter(channel=channel).update(min_interval_seconds=1.0)
    first, second, third = (schedule(f"Paced {n}") for n in range(3))
    start = clock.now
    assert engine.claim(first.pk)
    assert not engine.claim(second.pk)  # the slot is taken for a second
    clock.advance(seconds=1.05)  # claimed a little late
    assert engine.claim(second.pk)
    account = ChannelAccount.objects.get(channel=channel)
    assert account.next_send_at == start + timedelta(seconds=2)  # not 2.05: no drift
    clock.advance(seconds=10)  # idle: the cadence restarts from now
    assert engine.claim(third.pk)
    account.refresh_from_db()
    assert account.next_send_at == clock.now + timedelta(seconds=1)
