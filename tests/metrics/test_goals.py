"""Goal measurements flow from the KPI engine, once per day, and never as a fake 0."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hearth.metrics.models import Conversion, Source
from hearth.metrics.recording import record_channel_day, record_post_snapshot
from hearth.metrics.services import update_goal_measurements
from hearth.strategy.models import Goal, GoalMeasurement
from tests.metrics.factories import make_channel, make_post, make_project

TODAY = date(2026, 10, 31)


def goal(project, metric, **fields):
    return Goal.objects.create(
        project=project, title=metric, direction="brand_awareness", metric=metric, **fields
    )


@pytest.fixture
def project(workspace):
    project = make_project(workspace)
    vk = make_channel(project, "vk", name="City group")
    tg = make_channel(project, "telegram")
    record_channel_day(
        vk, date(2026, 10, 1), datetime(2026, 10, 1, tzinfo=UTC), Source.CSV, followers=1000
    )
    record_channel_day(
        vk, date(2026, 10, 30), datetime(2026, 10, 30, tzinfo=UTC), Source.CSV, followers=1300
    )
    record_channel_day(
        tg, date(2026, 10, 29), datetime(2026, 10, 29, tzinfo=UTC), Source.CSV, followers=200
    )
    when = datetime(2026, 10, 20, 10, tzinfo=UTC)
    post = make_post(vk, when)
    record_post_snapshot(
        post,
        when + timedelta(days=1),
        {"likes": 40, "comments": 5, "shares": 5, "reach": 500},
        Source.CSV,
    )
    Conversion.objects.create(
        project=project, key="a", kind="lead", network="vk", occurred_at=when, source=Source.CSV
    )
    Conversion.objects.create(
        project=project,
        key="b",
        kind="lead",
        network="telegram",
        occurred_at=when,
        source=Source.CSV,
    )
    Conversion.objects.create(
        project=project,
        key="old",
        kind="lead",
        network="vk",
        occurred_at=when - timedelta(days=60),
        source=Source.CSV,
    )
    return project


def test_measurements_are_written_from_the_engine(project):
    followers = goal(project, "followers")
    followers_vk = goal(project, "followers", scope="network", network="vk")
    er = goal(project, "er_reach", scope="channel", channel="City group")
    leads = goal(project, "leads")
    visits = goal(project, "site_visits")
    manual = goal(project, "response_time")
    updates = {u.goal_id: u for u in update_goal_measurements(project, TODAY)}
    value = {g: GoalMeasurement.objects.get(goal=g).value for g in (followers, followers_vk, er)}
    assert value[followers] == 1300 + 200
    assert value[followers_vk] == 1300
    assert value[er] == pytest.approx(50 / 500 * 100)  # goals hold ER in percent
    assert GoalMeasurement.objects.get(goal=leads).value == 2  # the trailing 30 days only
    assert GoalMeasurement.objects.get(goal=visits).value == 0  # no clicks: 0 visits, known
    assert manual.pk not in updates and not manual.measurements.exists()
    m = GoalMeasurement.objects.get(goal=followers)
    assert m.source == "kpi" and m.measured_at == datetime(2026, 10, 31, 12, tzinfo=UTC)


def test_running_twice_a_day_keeps_one_measurement(project):
    g = goal(project, "followers")
    update_goal_measurements(project, TODAY)
    update_goal_measurements(project, TODAY)
    assert g.measurements.count() == 1
    update_goal_measurements(project, TODAY + timedelta(days=1))
    assert g.measurements.count() == 2


def test_a_metric_without_data_writes_nothing(project):
    g = goal(project, "er_views")  # no post reports views
    cac = goal(project, "cac")  # no spend recorded
    updates = {u.goal_id: u for u in update_goal_measurements(project, TODAY)}
    assert not g.measurements.exists() and not cac.measurements.exists()
    assert "lack views" in updates[g.pk].reason
    assert updates[cac.pk].value is None and updates[cac.pk].reason


def test_a_goal_measured_by_hand_stays_manual(project):
    from hearth.strategy.services import add_measurement

    g = goal(project, "followers")
    add_measurement(g, date(2026, 10, 1), 900, "manual")
    updates = update_goal_measurements(project, TODAY)
    assert g.pk not in {u.goal_id for u in updates}
    assert list(g.measurements.values_list("source", flat=True)) == ["manual"]
