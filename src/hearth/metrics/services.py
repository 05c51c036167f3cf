"""Measurement services: frames for the KPI engine, one KPI on demand, goal measurements.

No HTTP and no commits here (the caller owns the transaction). Values keep the engine's
rule: a number that cannot be computed is ``None`` with a ``reason``, never 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from hearth.metrics import kpi
from hearth.metrics.frames import (
    conversions_frame,
    local_today,
    posts_frame,
    snapshots_frame,
    spend_frame,
)
from hearth.metrics.kpi.frames import engagement_expr

__all__ = [
    "COUNT_METRICS",
    "GOAL_WINDOW_DAYS",
    "Period",
    "conversions_frame",
    "measure",
    "parse_period",
    "posts_frame",
    "snapshots_frame",
    "spend_frame",
    "update_goal_measurements",
]

GOAL_WINDOW_DAYS = 30
"""Flow metrics of goals (reach, ER, visits, leads, sales…) are measured over the trailing
30 days ending on the measurement day: a monthly rate, measured daily."""

COUNT_METRICS = ("reach", "impressions", "views", "engagements")
COMMERCE_METRICS = {
    "leads": "leads",
    "sales": "orders",
    "sales_count": "orders",
    "orders": "orders",
    "revenue": "revenue",
    "customer_acquisition_cost": "customer_acquisition_cost",
    "cac": "customer_acquisition_cost",
    "average_bill": "average_bill",
}
OTHER_METRICS = (
    "followers",
    "community_growth",
    "site_visits",
    "engagements_per_post",
    "engagements_per_day",
)


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def bounds(self) -> tuple[date, date]:
        return (self.first, self.last)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Period:
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def __str__(self) -> str:
        return f"{self.first.isoformat()}..{self.last.isoformat()}"


def parse_period(text: str | None, today: date, default_days: int = 30) -> Period:
    """``2026-10-01..2026-10-31`` (both inclusive), ``30d`` (the last 30 days up to today),
    ``2026-10`` (a month); empty: the last ``default_days`` days."""
    text = (text or "").strip()
    try:
        if not text:
            return Period(today - timedelta(days=default_days - 1), today)
        if text.endswith("d") and text[:-1].isdigit():
            days = int(text[:-1])
            if days < 1:
                raise ValueError
            return Period(today - timedelta(days=days - 1), today)
        if ".." in text:
            start, end = text.split("..", 1)
            period = Period(date.fromisoformat(start.strip()), date.fromisoformat(end.strip()))
        elif len(text) == 7:
            first = date.fromisoformat(text + "-01")
            nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
            period = Period(first, nxt - timedelta(days=1))
        else:
            day = date.fromisoformat(text)
            period = Period(day, day)
    except ValueError:
        raise ValueError(
            f"period {text!r}: use START..END (2026-10-01..2026-10-31), YYYY-MM or Nd"
        ) from None
    if period.last < period.first:
        raise ValueError(f"period {text!r}: the end comes before the start")
    return period


def clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become None; dates become ISO strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def rows_of(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [{k: clean(v) for k, v in row.items()} for row in frame.to_dicts()]


def measure(
    project,
    metric: str,
    *,
    aggregation: str | None = None,
    period: Period,
    by: Sequence[str] = (),
    at_age_hours: float | None = None,
    workspace=None,
) -> dict[str, Any]:
    """One KPI of a project for a period, grouped by ``by``: what the CLI and the API return.

    Rates (``er_*``, ``reach_rate``) need an aggregation; other KPIs ignore it. Every row
    carries ``value`` and, when it is null, ``reason``.
    """
    tz = project.time_zone
    head: dict[str, Any] = {"metric": metric, "period": str(period), "by": list(by)}
    if metric in kpi.METRICS:
        if not aggregation:
            raise ValueError(
                f"{metric} is a rate: give an aggregation ({', '.join(kpi.AGGREGATIONS)})"
            )
        posts = posts_frame(project, _history_for(aggregation, period), at_age_hours=at_age_hours)
        followers = None
        if aggregation == "mean_daily":
            followers = snapshots_frame(project, period.bounds).select(
                "channel_id", "day", "followers"
            )
        result = kpi.compute(
            metric, aggregation, posts, by=by, period=period.bounds, tz=tz, followers=followers
        )
        definition = kpi.METRICS[metric]
        head |= {
            "aggregation": aggregation,
            "formula": kpi.AGGREGATIONS[aggregation].formula(definition),
            "definition": definition.formula,
            "at_age_hours": at_age_hours,
            "unit": "fraction",
        }
        return head | {"rows": rows_of(result)}
    if metric in COUNT_METRICS or metric in ("engagements_per_post", "engagements_per_day"):
        return head | {"rows": _counts(project, metric, period, by, at_age_hours)}
    if metric in ("followers", "community_growth"):
        return head | {"rows": _followers(project, metric, period, by)}
    if metric == "site_visits":
        from hearth.links.services import clicks_frame

        clicks = clicks_frame(workspace or project.workspace, project, period.bounds)
        result = kpi.site_visits(clicks, by=[b for b in by if b != "channel_id"], tz=tz)
        rows = rows_of(result.rename({"visits": "value"}))
        return head | {"definition": kpi.KPIS["site_visits"].formula, "rows": rows}
    if metric in COMMERCE_METRICS:
        column = COMMERCE_METRICS[metric]
        result = kpi.commerce_summary(
            conversions_frame(project),
            spend=spend_frame(project),
            # Grouping by the project when no key is asked: the engine's money sums need a
            # group to aggregate currencies into a list (it fails with no key at all).
            by=[b for b in by if b in ("network", "project_id")] or ["project_id"],
            period=period.bounds,
            tz=tz,
        )
        reason = {"revenue": "revenue_reason", "customer_acquisition_cost": "cac_reason"}
        reason |= {"average_bill": "average_bill_reason"}
        rows = []
        for row in rows_of(result):
            row["value"] = row.get(column)
            row["reason"] = row.get(reason.get(column, "")) if row["value"] is None else None
            rows.append(row)
        return head | {"rows": rows}
    known = [*kpi.METRICS, *COUNT_METRICS, *OTHER_METRICS, *COMMERCE_METRICS]
    raise ValueError(f"unknown metric {metric!r}; known: {', '.join(known)}")


def _history_for(aggregation: str, period: Period):
    # median_last_20 looks back at posts before the period; the others need the period only.
    return None if aggregation == "median_last_20" else period.bounds


def _counts(project, metric: str, period: Period, by, at_age_hours) -> list[dict]:
    posts = posts_frame(project, period.bounds, at_age_hours=at_age_hours)
    if metric in ("engagements_per_post", "engagements_per_day"):
        result = kpi.frequency_tradeoff(posts, by=by, period=period.bounds, tz=project.time_zone)
        return rows_of(result.with_columns(pl.col(metric).alias("value")))
    frame = posts.with_columns(engagement_expr())
    keys = list(by)
    aggs = [
        pl.len().alias("n_posts"),
        pl.col(metric).is_null().sum().alias("n_missing"),
        pl.col(metric).sum().alias("_sum"),
    ]
    grouped = frame.group_by(keys).agg(aggs).sort(keys) if keys else frame.select(aggs)
    result = grouped.with_columns(
        pl.when((pl.col("n_missing") == 0) & (pl.col("n_posts") > 0))
        .then(pl.col("_sum"))
        .alias("value"),
        pl.when(pl.col("n_posts") == 0)
        .then(pl.lit("no posts in the period"))
        .when(pl.col("n_missing") > 0)
        .then(pl.format("{} post(s) lack {}", pl.col("n_missing"), pl.lit(metric)))
        .alias("reason"),
    ).drop("_sum")
    return rows_of(result)


def _followers(project, metric: str, period: Period, by) -> list[dict]:
    snaps = snapshots_frame(project, period.bounds)
    keys = [b for b in by if b in ("network", "channel_id", "project_id")]
    if metric == "community_growth":
        result = kpi.community_growth(
            snaps, by=keys or ["project_id"], period=period.bounds, tz=project.time_zone
        )
        return rows_of(result.with_columns(pl.col("growth_abs").alias("value")))
    return [
        {**{k: row.get(k) for k in keys}, **_level(row_frame)}
        for row, row_frame in _groups(snaps, keys)
    ]


def _groups(frame: pl.DataFrame, keys: list[str]):
    if not keys:
        yield {}, frame
        return
    for values, part in frame.partition_by(keys, as_dict=True, maintain_order=True).items():
        yield dict(zip(keys, values, strict=True)), part


def _level(snaps: pl.DataFrame) -> dict[str, Any]:
    """Followers on the last day: the sum over channels of each one's latest known level."""
    known = snaps.filter(pl.col("followers").is_not_null())
    channels = snaps["channel_id"].n_unique()
    if known.is_empty():
        return {"value": None, "reason": "no follower snapshot in the period"}
    latest = known.sort("day").group_by("channel_id").last()
    if latest.height < channels:
        return {
            "value": None,
            "reason": f"{channels - latest.height} channel(s) lack a follower snapshot",
        }
    return {
        "value": float(latest["followers"].sum()),
        "as_of": clean(latest["day"].max()),
        "reason": None,
    }


# --- goals -------------------------------------------------------------------------------

GOAL_METRICS = {
    "followers": ("followers", None, 1.0),
    "reach": ("reach", None, 1.0),
    "er_followers": ("er_followers", "ratio_of_sums", 100.0),
    "er_reach": ("er_reach", "ratio_of_sums", 100.0),
    "er_impressions": ("er_impressions", "ratio_of_sums", 100.0),
    "er_views": ("er_views", "ratio_of_sums", 100.0),
    "site_visits": ("site_visits", None, 1.0),
    "leads": ("leads", None, 1.0),
    "sales_count": ("sales", None, 1.0),
    "revenue": ("revenue", None, 1.0),
    "cac": ("customer_acquisition_cost", None, 1.0),
    "average_bill": ("average_bill", None, 1.0),
}
"""Goal metric → (KPI, aggregation, scale). Goals hold ER in percent (smart.KPIS unit "%"),
the engine returns fractions; the rest are counts or money. response_time and
content_delivered are not measured here and stay manual."""


MANUAL_SOURCES = ("manual", "api", "csv")


@dataclass(frozen=True)
class GoalUpdate:
    goal_id: int
    metric: str
    value: float | None
    reason: str | None


def goal_value(goal, today: date) -> tuple[float | None, str | None]:
    """The goal's metric over the trailing window ending ``today``, within its scope."""
    kpi_name, aggregation, scale = GOAL_METRICS[goal.metric]
    project = goal.project
    period = Period(today - timedelta(days=GOAL_WINDOW_DAYS - 1), today)
    by: list[str] = []
    wanted: dict[str, Any] = {}
    if goal.scope == "network" and goal.network:
        by, wanted = ["network"], {"network": goal.network}
    elif goal.scope == "channel" and goal.channel:
        channel = project.channels.filter(name=goal.channel).first()
        if channel is None:
            return None, f"no channel named {goal.channel!r} in the project"
        by, wanted = ["channel_id"], {"channel_id": channel.pk}
    if kpi_name in COMMERCE_METRICS and "channel_id" in by:
        return None, "conversions are recorded per network, not per channel"
    if kpi_name == "followers":
        period = Period(date(1970, 1, 1), today)
    result = measure(project, kpi_name, aggregation=aggregation, period=period, by=by)
    rows = [r for r in result["rows"] if all(r.get(k) == v for k, v in wanted.items())]
    if not rows:
        return None, "no data for this scope"
    value = rows[0].get("value")
    if value is None:
        return None, rows[0].get("reason") or "not computable"
    return float(value) * scale, None


def update_goal_measurements(project, today: date) -> list[GoalUpdate]:
    """Write one ``GoalMeasurement(source=kpi)`` per measurable goal for ``today`` (at noon,
    project time). Running it twice the same day updates the same row; a value the engine
    cannot compute writes nothing (missing is not 0). Goals that already have manual, CSV or
    API measurements are left to those."""
    from hearth.strategy.models import GoalMeasurement
    from hearth.strategy.services import add_measurement

    when = datetime.combine(today, time(12, 0), tzinfo=ZoneInfo(project.time_zone))
    updates = []
    goals = project.goals.filter(metric__in=list(GOAL_METRICS)).order_by("pk")
    # A goal measured by hand (or by CSV/API) stays so: mixing two definitions of its
    # metric in one series would bend its forecast.
    goals = goals.exclude(measurements__source__in=MANUAL_SOURCES).distinct()
    for goal in goals:
        value, reason = goal_value(goal, today)
        if value is not None:
            add_measurement(goal, when, value, GoalMeasurement.Source.KPI)
        updates.append(GoalUpdate(goal.pk, goal.metric, value, reason))
    return updates


def today_for(project, now: datetime) -> date:
    return local_today(project, now)
