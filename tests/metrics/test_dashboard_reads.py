"""The project dashboard's lean reads give the KPI engine's numbers, with a fixed query count.

The dashboard groups clicks in the database, reads follower levels only, and computes the
period's and the previous period's sales figures in one pass; each is compared here with the
engine run the plain way (``kpi.compute``, ``kpi.commerce_summary``, ``kpi.site_visits``) on
the same stored rows.
"""

from __future__ import annotations

import gc
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hearth.content.models import Channel
from hearth.links.models import Click, TrackedLink
from hearth.links.services import clicks_frame
from hearth.metrics import dashboard, kpi
from hearth.metrics.frames import (
    conversions_frame,
    follower_snapshots_frame,
    posts_frame,
    query_frame,
    snapshots_frame,
    spend_frame,
)
from hearth.metrics.kpi.commerce_periods import commerce_by_period
from hearth.metrics.kpi.frames import resolve_period
from hearth.metrics.models import Conversion, Source, Spend
from hearth.metrics.recording import record_channel_day, record_post_snapshot
from hearth.metrics.services import Period
from hearth.metrics.visits import constant_offset, daily_visit_counts, visit_count
from tests.metrics.factories import make_channel, make_post, make_project

NETWORKS = ("vk", "telegram", "instagram")


def _clicks(project, instants, *, bots_every: int = 5) -> None:
    links = [
        TrackedLink.objects.create(
            workspace=project.workspace,
            project=project,
            code=f"t{project.pk}{n}",
            target_url="https://example.com/",
            network=network,
        )
        for n, network in enumerate(NETWORKS)
    ]
    Click.objects.bulk_create(
        Click(
            link=links[n % 3],
            workspace=project.workspace,
            network=links[n % 3].network,
            clicked_at=at,
            ua_class="mobile",
            is_bot=n % bots_every == 0,
            visitor_hash=str(n),
        )
        for n, at in enumerate(instants)
    )


def _near_midnights(period: Period, tz: str) -> list[datetime]:
    """Clicks one second and one minute either side of every local midnight, plus noon."""
    zone, out = ZoneInfo(tz), []
    for n in range(-1, period.days + 2):
        midnight = datetime.combine(period.first + timedelta(days=n), datetime.min.time(), zone)
        for seconds in (-60, -1, 0, 1, 60, 12 * 3600):
            out.append((midnight + timedelta(seconds=seconds)).astimezone(UTC))
    return out


def _reference_visits(project, period: Period) -> tuple[int, list[int], dict[str, int]]:
    """The per-click rule: every stored click, bots out, on its local day."""
    clicks = clicks_frame(project.workspace, project, period.bounds).filter(~pl.col("is_bot"))
    days = clicks["clicked_at"].dt.convert_time_zone(project.time_zone).dt.date().to_list()
    per_day = {d: days.count(d) for d in set(days)}
    series = [per_day.get(d, 0) for d in dashboard.days_of(period)]
    per_network = dict(clicks.group_by("network").agg(pl.len()).iter_rows())
    return clicks.height, series, per_network


@pytest.mark.parametrize(
    ("tz", "period", "fixed"),
    [
        ("Europe/Moscow", Period(date(2026, 10, 1), date(2026, 10, 31)), True),
        ("Asia/Kolkata", Period(date(2026, 10, 1), date(2026, 10, 10)), True),
        ("America/Los_Angeles", Period(date(2026, 10, 1), date(2026, 10, 10)), True),
        ("UTC", Period(date(2026, 10, 1), date(2026, 10, 10)), True),
        # Daylight saving time ends on 25 Oct (Berlin) and 1 Nov (New York): the grouping
        # falls back to UTC minutes.
        ("Europe/Berlin", Period(date(2026, 10, 20), date(2026, 10, 31)), False),
        ("America/New_York", Period(date(2026, 10, 25), date(2026, 11, 5)), False),
    ],
)
def test_visits_grouped_by_the_database_equal_the_per_click_count(workspace, tz, period, fixed):
    project = make_project(workspace, tz)
    _clicks(project, _near_midnights(period, tz))
    window = resolve_period(period.bounds, tz)
    assert (constant_offset(window, tz) is not None) is fixed
    expected = _reference_visits(project, period)
    assert dashboard.visits_by_day(project, period) == expected
    assert visit_count(project, period.bounds) == expected[0]
    # The engine's own rule on the same clicks gives the same total.
    engine = kpi.site_visits(clicks_frame(workspace, project, period.bounds), by=["network"], tz=tz)
    assert int(engine["visits"].sum()) == expected[0] > 0
    assert daily_visit_counts(project, period.bounds)["n"].sum() == expected[0]


def _conversions(rng: np.random.Generator, n: int) -> pl.DataFrame:
    start = datetime(2026, 8, 1, tzinfo=UTC)
    kinds = rng.choice(["lead", "sale"], n)
    return pl.DataFrame(
        {
            "occurred_at": [start + timedelta(hours=int(h)) for h in rng.integers(0, 24 * 92, n)],
            "kind": kinds,
            "amount": [
                None if k == "lead" or rng.random() < 0.05 else float(rng.integers(100, 900))
                for k in kinds
            ],
            "currency": ["RUB" if k == "sale" else None for k in kinds],
            "customer_id": [
                None if rng.random() < 0.03 else f"c{rng.integers(0, 40)}" for _ in kinds
            ],
            "network": rng.choice(list(NETWORKS), n),
            "project_id": [1] * n,
        },
        schema_overrides={"occurred_at": pl.Datetime("us", "UTC")},
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_commerce_by_period_equals_one_summary_per_period(seed):
    rng = np.random.default_rng(seed)
    conversions = _conversions(rng, 300)
    days = [date(2026, 8, 1) + timedelta(days=int(d)) for d in range(92)]
    spend = pl.DataFrame(
        {
            "day": days,
            "amount": rng.integers(0, 500, len(days)).astype(float),
            "currency": ["RUB"] * len(days),
            "network": rng.choice(list(NETWORKS), len(days)),
            "project_id": [1] * len(days),
        }
    )
    periods = [
        (date(2026, 10, 1), date(2026, 10, 31)),
        (date(2026, 8, 31), date(2026, 9, 30)),
        (date(2027, 1, 1), date(2027, 1, 31)),  # nothing recorded: no row
    ]
    got = commerce_by_period(conversions, periods, spend=spend, tz="Europe/Moscow")
    for period, row in zip(periods, got, strict=True):
        alone = kpi.commerce_summary(
            conversions, spend=spend, by=["project_id"], period=period, tz="Europe/Moscow"
        )
        if alone.is_empty():
            assert row is None
        else:
            assert row == {k: v for k, v in alone.row(0, named=True).items() if k != "project_id"}
    assert got[0]["orders"] > 0 and got[1]["orders"] > 0
    with pytest.raises(ValueError, match="overlap"):
        commerce_by_period(conversions, [periods[0], periods[0]], tz="UTC")


def _fill(project, n_channels: int, posts_per_channel: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    for c in range(n_channels):
        channel = make_channel(project, NETWORKS[c % 3])
        for d in range(0, 62, 3):
            day = date(2026, 9, 1) + timedelta(days=d)
            record_channel_day(
                channel, day, datetime(2026, 9, 1, tzinfo=UTC), Source.DEMO, followers=500 + d * c
            )
        for p in range(posts_per_channel):
            when = datetime(2026, 9, 1, 8, tzinfo=UTC) + timedelta(hours=int(rng.integers(0, 1400)))
            post = make_post(channel, when, text=f"post {c}-{p}")
            reach = None if p % 7 == 6 else int(rng.integers(50, 900))
            counts = {"likes": int(rng.integers(0, 40)), "comments": 1, "shares": 2}
            record_post_snapshot(
                post, when + timedelta(hours=24), counts | {"reach": reach}, Source.DEMO
            )
    period = Period(date(2026, 9, 1), date(2026, 10, 31))
    _clicks(project, _near_midnights(period, project.time_zone)[: 40 * n_channels])
    for n, at in enumerate(_near_midnights(period, project.time_zone)[::5][: 10 * n_channels]):
        Conversion.objects.create(
            project=project,
            key=f"k{n}",
            kind="sale" if n % 3 == 0 else "lead",
            occurred_at=at,
            amount=1000 if n % 3 == 0 else None,
            currency="RUB" if n % 3 == 0 else "",
            customer_key=f"cust{n}" if n % 3 == 0 else "",
            network=NETWORKS[n % 3],
            source=Source.DEMO,
        )
    Spend.objects.create(
        project=project, day=date(2026, 10, 3), network="vk", amount=900, currency="RUB"
    )


OCT = Period(date(2026, 10, 1), date(2026, 10, 31))


def _same(shown, engine) -> None:
    """Equal to the engine's value, including "missing" (None) for a rate it cannot give."""
    if engine is None:
        assert shown is None
    else:
        assert shown == pytest.approx(engine, rel=1e-12)


def test_dashboard_numbers_equal_the_engine_on_the_same_rows(workspace):
    project = make_project(workspace, "Europe/Moscow")
    _fill(project, n_channels=4, posts_per_channel=12)
    tz, previous = project.time_zone, OCT.previous()
    data = dashboard.overview(project, OCT)
    cards = {card["key"]: card for card in data["kpis"]}
    for window, field in ((OCT, "value"), (previous, "previous")):
        posts = posts_frame(project, window.bounds)
        for metric in dashboard.RATES:
            engine = kpi.compute(metric, "ratio_of_sums", posts, period=window.bounds, tz=tz)
            _same(cards[metric][field], engine["value"][0])
        commerce = kpi.commerce_summary(
            conversions_frame(project),
            spend=spend_frame(project),
            by=["project_id"],
            period=window.bounds,
            tz=tz,
        ).row(0, named=True)
        for key in ("leads", "orders", "revenue", "customer_acquisition_cost", "average_bill"):
            assert cards[key][field] == commerce[key]
        visits = kpi.site_visits(clicks_frame(workspace, project, window.bounds), by=[], tz=tz)
        assert cards["site_visits"][field] == visits["visits"][0]
    assert cards["customer_acquisition_cost"]["value"] is not None
    posts = posts_frame(project, OCT.bounds)
    by_network = kpi.compute(
        "er_reach", "ratio_of_sums", posts, by=["network"], period=OCT.bounds, tz=tz
    )
    engine_er = dict(by_network.select("network", "value").iter_rows())
    leads = kpi.commerce_summary(
        conversions_frame(project), by=["network"], period=OCT.bounds, tz=tz
    )
    engine_leads = dict(leads.select("network", "leads").iter_rows())
    engine_visits = kpi.site_visits(
        clicks_frame(workspace, project, OCT.bounds), by=["network"], tz=tz
    )
    engine_visits_by = dict(engine_visits.select("network", "visits").iter_rows())
    assert data["by_network"]
    for row in data["by_network"]:
        _same(row["er_reach"], engine_er[row["network"]])
        assert row["leads"] == engine_leads.get(row["network"], 0)
        assert row["visits"] == engine_visits_by.get(row["network"], 0)


def _page_queries(client, project) -> int:
    url = (
        f"/w/{project.workspace.slug}/projects/{project.pk}/metrics/?period=2026-10-01..2026-10-31"
    )
    client.get(url)  # warm: session, caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_dashboard_query_count_does_not_grow_with_posts_and_channels(
    client, login, owner, workspace
):
    login(owner)
    small = make_project(workspace, "Europe/Moscow", name="Small")
    _fill(small, n_channels=2, posts_per_channel=3)
    large = make_project(workspace, "Europe/Moscow", name="Large")
    _fill(large, n_channels=6, posts_per_channel=15)
    n_small, n_large = _page_queries(client, small), _page_queries(client, large)
    assert n_small == n_large
    assert n_large <= 25


def test_query_frame_reads_columns_by_name_in_the_wanted_order(workspace):
    project = make_project(workspace)
    vk, tg = make_channel(project, "vk"), make_channel(project, "telegram")
    query = Channel.objects.filter(project=project).order_by("pk").values_list("network", "pk")
    frame = query_frame(query, {"pk": pl.Int64, "network": pl.String}, ("channel_id", "net"))
    assert frame.to_dicts() == [
        {"channel_id": vk.pk, "net": "vk"},
        {"channel_id": tg.pk, "net": "telegram"},
    ]
    nothing = query_frame(Channel.objects.filter(pk__in=[]).values_list("pk"), {"pk": pl.Int64})
    assert nothing.height == 0 and nothing.schema == {"pk": pl.Int64}
    assert gc.isenabled()  # the collector paused for the read is back on


def test_carry_in_adds_each_channels_latest_level_before_the_period(workspace):
    project = make_project(workspace, "Europe/Moscow")
    a, b = make_channel(project, "vk"), make_channel(project, "telegram")
    taken = datetime(2026, 9, 1, tzinfo=UTC)
    for channel, day, followers in (
        (a, date(2026, 9, 10), 100),
        (a, date(2026, 9, 20), 120),  # a's latest level before October
        (b, date(2026, 9, 5), 300),  # b's latest level before October...
        (b, date(2026, 9, 25), None),  # ...since this day has no follower count
        (a, date(2026, 10, 2), 130),
        (b, date(2026, 10, 3), 310),
    ):
        record_channel_day(channel, day, taken, Source.DEMO, followers=followers)
    period = (date(2026, 10, 1), date(2026, 10, 31))
    full = snapshots_frame(project, period, carry_in=True)
    assert full.select("channel_id", "day", "followers").rows() == [
        (a.pk, date(2026, 9, 20), 120.0),
        (a.pk, date(2026, 10, 2), 130.0),
        (b.pk, date(2026, 9, 5), 300.0),
        (b.pk, date(2026, 10, 3), 310.0),
    ]
    assert full["network"].to_list() == ["vk", "vk", "telegram", "telegram"]
    lean = follower_snapshots_frame(project, period, carry_in=True)
    assert lean.equals(full.select("channel_id", "network", "project_id", "day", "followers"))
    assert snapshots_frame(project, period).height == 2
