"""An engine wired to an in-process sandbox network with a controllable clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from hearth.channels.models import ChannelAccount
from hearth.content.models import Variant
from hearth.publishing.engine import Engine
from hearth.sandbox.inprocess import start_in_process
from tests.content.factories import make_channel, make_item, make_project


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))


@pytest.fixture
def sandbox(clock):
    with start_in_process(clock=clock) as box:
        yield box


@pytest.fixture
def engine(clock, sandbox):
    return Engine(
        clock=clock,
        http_factory=lambda: sandbox.client(timeout=2.0),
        worker_id="test-worker",
        rng=random.Random(7),
        lease=timedelta(minutes=2),
    )


@pytest.fixture
def channel(workspace, sandbox):
    project = make_project(workspace)
    channel = make_channel(project, network="sandbox", name="Coach sandbox")
    ChannelAccount.objects.create(
        channel=channel,
        credentials=sandbox.create_account("coach", posts_per_window=1000, window_seconds=60),
        state=ChannelAccount.State.HEALTHY,
        min_interval_seconds=0,
    )
    return channel


@pytest.fixture
def schedule(owner, channel, clock):
    def _schedule(text: str = "Morning class at 7", *, at: datetime | None = None) -> Variant:
        item = make_item(channel.project, owner, [channel], text=text)
        variant = item.variants.get()
        Variant.objects.filter(pk=variant.pk).update(
            status=Variant.Status.SCHEDULED, scheduled_at=at or clock.now
        )
        variant.refresh_from_db()
        return variant

    return _schedule
