"""Pulling metrics through a connector, against the sandbox network in process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hearth.connectors.base import PublishRequest
from hearth.metrics.ingest import link_external_id, pull_channel_snapshot, pull_post_metrics
from hearth.metrics.models import ChannelSnapshot, PostFacts, PostMetricSnapshot
from hearth.metrics.services import posts_frame
from hearth.sandbox.connector import SANDBOX
from hearth.sandbox.engagement import engagement_at
from hearth.sandbox.inprocess import start_in_process
from tests.metrics.factories import make_channel, make_post, make_project


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def sandbox_post(workspace):
    clock = Clock(datetime(2026, 10, 1, 9, 0, tzinfo=UTC))
    with start_in_process(clock=clock) as sandbox:
        creds = sandbox.create_account("coach", followers=4000, follower_growth_per_day=0.0)
        conn = SANDBOX.connect(creds, http=sandbox.client(), clock=clock)
        published = conn.publish(PublishRequest("Morning class at 7", idempotency_key="v-1"))
        project = make_project(workspace, "Europe/Paris")
        channel = make_channel(project, "sandbox")
        variant = make_post(channel, clock.now)
        link_external_id(variant, published.id)
        yield clock, conn, channel, variant, published


def test_post_metrics_over_time_define_er_at_24_hours(sandbox_post):
    clock, conn, channel, variant, published = sandbox_post
    for hours in (1, 6, 24, 72):
        clock.now = variant.published_at + timedelta(hours=hours)
        pull_post_metrics(variant, conn, clock.now)
    snaps = list(PostMetricSnapshot.objects.filter(variant=variant).order_by("taken_at"))
    assert [s.age_hours for s in snaps] == [1, 6, 24, 72]
    expected = engagement_at(int(published.id), 4000, timedelta(hours=24))
    day = snaps[2]
    assert (day.views, day.likes, day.comments, day.shares) == (
        expected.views,
        expected.likes,
        expected.comments,
        expected.shares,
    )
    assert day.reach is None and day.impressions is None  # the sandbox does not report them
    facts = PostFacts.objects.get(variant=variant)
    assert (facts.followers_at_post, facts.followers_source) == (4000, "network")
    at_24 = posts_frame(channel.project, at_age_hours=24).row(0, named=True)
    assert (at_24["views"], at_24["likes"]) == (expected.views, expected.likes)
    latest = posts_frame(channel.project).row(0, named=True)
    assert latest["views"] == snaps[-1].views >= at_24["views"]


def test_pulling_twice_at_the_same_instant_keeps_one_row(sandbox_post):
    clock, conn, _channel, variant, _ = sandbox_post
    clock.now += timedelta(hours=24)
    pull_post_metrics(variant, conn, clock.now)
    pull_post_metrics(variant, conn, clock.now)
    assert PostMetricSnapshot.objects.filter(variant=variant).count() == 1


def test_channel_snapshot_is_one_row_per_local_day(sandbox_post):
    clock, conn, channel, _variant, _ = sandbox_post
    clock.now = datetime(2026, 10, 1, 21, 0, tzinfo=UTC)  # 23:00 in Paris: still 1 October
    pull_channel_snapshot(channel, conn, clock.now)
    clock.now = datetime(2026, 10, 1, 21, 30, tzinfo=UTC)
    pull_channel_snapshot(channel, conn, clock.now)
    clock.now = datetime(2026, 10, 1, 22, 30, tzinfo=UTC)  # 00:30 on 2 October in Paris
    pull_channel_snapshot(channel, conn, clock.now)
    rows = list(ChannelSnapshot.objects.filter(channel=channel).values_list("day", "followers"))
    assert [str(d) for d, _ in rows] == ["2026-10-01", "2026-10-02"]
    assert {f for _, f in rows} == {4000}


def test_a_variant_without_a_network_id_cannot_be_pulled(sandbox_post):
    clock, conn, channel, _variant, _ = sandbox_post
    other = make_post(channel, clock.now)
    with pytest.raises(ValueError, match="no network post id"):
        pull_post_metrics(other, conn, clock.now)
