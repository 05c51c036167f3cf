"""The numbers behind the project, channel and post pages (and the client report).

Everything is read from stored raw counts for the requested period and computed by the KPI
engine; every KPI carries its definition for the hover text. The result is plain data
(JSON-safe); pages turn series into SVG.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl

from hearth.content.models import Variant
from hearth.metrics import kpi
from hearth.metrics.frames import (
    conversions_frame,
    follower_snapshots_frame,
    posts_frame,
    snapshots_frame,
    spend_frame,
)
from hearth.metrics.kpi.commerce_periods import commerce_by_period
from hearth.metrics.kpi.frames import engagement_expr, resolve_period, within
from hearth.metrics.kpi.summary import ratio_of_sums_summary
from hearth.metrics.services import Period, clean, rows_of
from hearth.metrics.visits import daily_visit_counts, visit_count

RATES = ("er_followers", "er_reach", "er_views", "reach_rate")
AGGREGATION = "ratio_of_sums"
TOP_POSTS = 10


def rate_title(metric: str, aggregation: str = AGGREGATION) -> str:
    m, a = kpi.METRICS[metric], kpi.AGGREGATIONS[aggregation]
    return (
        f"{m.label}: {m.formula}. Denominator: {m.denominator}. "
        f"Aggregation: {a.label} = {a.formula(m)}. {a.description}"
    )


def kpi_title(name: str) -> str:
    k = kpi.KPIS[name]
    return f"{k.label}: {k.formula}. {k.description}"


def days_of(period: Period) -> list[date]:
    return [period.first + timedelta(days=n) for n in range(period.days)]


def _series(frame: pl.DataFrame, period: Period, column: str = "value") -> list[Any]:
    values = dict(zip(frame["day"].to_list(), frame[column].to_list(), strict=True))
    return [clean(values.get(d)) for d in days_of(period)]


def _rate(posts, metric, period, tz, by=()):
    return kpi.compute(metric, AGGREGATION, posts, by=by, period=period.bounds, tz=tz)


def _scalar(frame: pl.DataFrame, column: str = "value"):
    return clean(frame[column][0]) if frame.height else None


def _reason(frame: pl.DataFrame):
    return frame["reason"][0] if frame.height and "reason" in frame.columns else None


def followers_by_day(snaps: pl.DataFrame, period: Period) -> list[float | None]:
    """Sum over channels of each one's latest level up to each day (None until every
    channel has one)."""
    if snaps.is_empty():
        return [None] * period.days
    grid = pl.DataFrame({"day": days_of(period)}).join(
        snaps.select("channel_id").unique(), how="cross"
    )
    known = snaps.filter(pl.col("followers").is_not_null()).select("channel_id", "day", "followers")
    filled = (
        grid.join(known, on=["channel_id", "day"], how="left")
        .sort("channel_id", "day")
        .with_columns(pl.col("followers").forward_fill().over("channel_id"))
    )
    daily = filled.group_by("day").agg(
        pl.col("followers").sum().alias("sum"), pl.col("followers").null_count().alias("n_null")
    )
    daily = daily.with_columns(pl.when(pl.col("n_null") == 0).then(pl.col("sum")).alias("value"))
    return _series(daily, period)


def _count_total(posts: pl.DataFrame, column: str) -> tuple[float | None, str | None]:
    if posts.is_empty():
        return None, "no posts in the period"
    missing = posts[column].null_count()
    if missing:
        return None, f"{missing} of {posts.height} post(s) lack {column}"
    return float(posts[column].sum()), None


def _daily_sum(posts: pl.DataFrame, column: str, period: Period, tz: str) -> list:
    if posts.is_empty():
        return [None] * period.days
    daily = (
        posts.with_columns(pl.col("published_at").dt.convert_time_zone(tz).dt.date().alias("day"))
        .group_by("day")
        .agg(pl.col(column).sum().alias("sum"), pl.col(column).null_count().alias("n_null"))
        .with_columns(pl.when(pl.col("n_null") == 0).then(pl.col("sum")).alias("value"))
    )
    return _series(daily, period)


def visits_by_day(project, period: Period) -> tuple[int, list, dict]:
    """Non-bot clicks on the project's tracked links: total, per local day, per network
    (the rule of ``kpi.site_visits``: known bots excluded), grouped by the database."""
    counts = daily_visit_counts(project, period.bounds)
    per_day = dict(counts.group_by("day").agg(pl.col("n").sum()).iter_rows())
    per_network = dict(counts.group_by("network").agg(pl.col("n").sum()).iter_rows())
    series = [per_day.get(d, 0) for d in days_of(period)]
    return int(counts["n"].sum()), series, per_network


def overview(project, period: Period, *, workspace=None) -> dict[str, Any]:
    tz = project.time_zone
    previous = period.previous()
    posts = posts_frame(project, period.bounds)
    before = posts_frame(project, previous.bounds)
    snaps = follower_snapshots_frame(project, (previous.first, period.last), carry_in=True)
    conversions, spend = conversions_frame(project), spend_frame(project)

    cards = [_followers_card(snaps, period, previous)]
    for column in ("reach", "views"):
        value, reason = _count_total(posts, column)
        cards.append(
            {
                "key": column,
                "label": column.capitalize(),
                "unit": "count",
                "value": value,
                "previous": _count_total(before, column)[0],
                "reason": reason,
                "title": f"Σ {column} of the period's posts (latest counts); missing if any post "
                f"lacks it",
                "series": _daily_sum(posts, column, period, tz),
            }
        )
    totals, daily = ratio_of_sums_summary(posts, RATES, period=period.bounds, tz=tz)
    totals_before, _ = ratio_of_sums_summary(before, RATES, period=previous.bounds, tz=tz)
    for metric in RATES:
        now = totals[metric]
        cards.append(
            {
                "key": metric,
                "label": kpi.METRICS[metric].label,
                "unit": "fraction",
                "value": clean(now["value"]),
                "previous": clean(totals_before[metric]["value"]),
                "reason": now["reason"] if now["value"] is None else None,
                "title": rate_title(metric),
                "series": _series(daily, period, metric),
                "n_used": now["n_used"],
                "n_posts": now["n_posts"],
            }
        )
    visits, visit_series, visits_by_network = visits_by_day(project, period)
    visits_before = visit_count(project, previous.bounds)
    cards.append(
        {
            "key": "site_visits",
            "label": "Site visits",
            "unit": "count",
            "value": visits,
            "previous": visits_before,
            "reason": None,
            "title": kpi_title("site_visits"),
            "series": visit_series,
        }
    )
    # The period's and the previous period's sales figures in one engine pass.
    commerce, commerce_before = (
        _commerce_row(row)
        for row in commerce_by_period(
            conversions, [period.bounds, previous.bounds], spend=spend, tz=tz
        )
    )
    for key, label, unit, title in (
        ("leads", "Leads", "count", "leads"),
        ("orders", "Sales", "count", "sales"),
        ("revenue", "Revenue", "money", "revenue"),
        (
            "customer_acquisition_cost",
            "Customer acquisition cost",
            "money",
            "customer_acquisition_cost",
        ),
        ("average_bill", "Average bill", "money", "average_bill"),
    ):
        cards.append(
            {
                "key": key,
                "label": label,
                "unit": unit,
                "value": commerce.get(key),
                "previous": commerce_before.get(key),
                "reason": commerce.get(f"{key}_why"),
                "title": kpi_title(title),
                "series": None,
                "currency": commerce.get("revenue_currency") or project.currency,
            }
        )
    return {
        "period": str(period),
        "first": period.first.isoformat(),
        "last": period.last.isoformat(),
        "previous": str(previous),
        "days": [d.isoformat() for d in days_of(period)],
        "n_posts": posts.height,
        "kpis": cards,
        "top_posts": top_posts(posts),
        "by_network": _by_network(posts, snaps, period, tz, visits_by_network, conversions),
        "frequency": rows_of(
            kpi.frequency_tradeoff(posts, by=["week"], period=period.bounds, tz=tz)
        ),
        "frequency_title": f"{kpi_title('engagements_per_post')} {kpi_title('engagements_per_day')}",
    }


def _followers_card(snaps, period, previous) -> dict[str, Any]:
    series = followers_by_day(snaps, period)
    before = followers_by_day(snaps, Period(previous.last, previous.last))[0]
    value = series[-1] if series else None
    return {
        "key": "followers",
        "label": "Followers",
        "unit": "count",
        "value": value,
        "previous": before,
        "reason": None if value is not None else "no follower snapshot",
        "title": kpi_title("community_growth")
        + " Shown: the sum of every channel's latest daily snapshot.",
        "series": series,
    }


def _commerce_row(found: dict[str, Any] | None) -> dict[str, Any]:
    if found is None:
        return {"leads": 0, "orders": 0, "revenue": 0.0}
    row = {k: clean(v) for k, v in found.items()}
    row["revenue_why"] = row.get("revenue_reason")
    row["customer_acquisition_cost_why"] = row.get("cac_reason")
    row["average_bill_why"] = row.get("average_bill_reason")
    return row


def top_posts(posts: pl.DataFrame, limit: int = TOP_POSTS) -> list[dict[str, Any]]:
    if posts.is_empty():
        return []
    ranked = (
        posts.with_columns(engagement_expr())
        .filter(pl.col("engagements").is_not_null())
        .sort("engagements", descending=True)
        .head(limit)
    )
    titles = dict(
        Variant.objects.filter(pk__in=ranked["post_id"].to_list()).values_list("pk", "item__title")
    )
    rows = []
    for row in ranked.iter_rows(named=True):
        e = row["engagements"]
        rows.append(
            {
                "post_id": row["post_id"],
                "title": titles.get(row["post_id"], ""),
                "network": row["network"],
                "published_at": row["published_at"].isoformat(),
                "engagements": e,
                "reach": row["reach"],
                "views": row["views"],
                "er_reach": e / row["reach"] if row["reach"] else None,
                "er_followers": e / row["followers_at_post"] if row["followers_at_post"] else None,
            }
        )
    return rows


def _by_network(posts, snaps, period, tz, visits, conversions) -> list[dict[str, Any]]:
    networks = sorted(
        (set(posts["network"].to_list()) | set(snaps["network"].to_list()) | set(visits))
        - {None, ""}
    )
    er = {r["network"]: r for r in rows_of(_rate(posts, "er_reach", period, tz, by=("network",)))}
    leads_by = _leads_by_network(conversions, period, tz)
    counts = {
        row["network"]: row
        for row in posts.group_by("network")
        .agg(
            pl.len().alias("posts"),
            *[pl.col(c).sum().alias(c) for c in ("reach", "views")],
            *[pl.col(c).null_count().alias(f"{c}_missing") for c in ("reach", "views")],
        )
        .iter_rows(named=True)
    }
    # Followers at the period's end: each channel's latest level, summed per network (null
    # if one of the network's channels has none yet).
    upto = snaps.filter(pl.col("day") <= period.last)
    levels = (
        upto.filter(pl.col("followers").is_not_null()).sort("day").group_by("channel_id").last()
    )
    channels = upto.group_by("network").agg(pl.col("channel_id").n_unique().alias("n"))
    per_network = levels.group_by("network").agg(
        pl.col("followers").sum().alias("followers"), pl.len().alias("known")
    )
    followers = {
        r["network"]: r["followers"] if r["known"] == r["n"] else None
        for r in channels.join(per_network, on="network", how="left").iter_rows(named=True)
    }
    rows = []
    for network in networks:
        c = counts.get(network, {"posts": 0})
        reach_reason = None
        if not c["posts"]:
            reach_reason = "no posts in the period"
        elif c["reach_missing"]:
            reach_reason = f"{c['reach_missing']} of {c['posts']} post(s) lack reach"
        rows.append(
            {
                "network": network,
                "posts": c["posts"],
                "followers": clean(followers.get(network)),
                "reach": None if reach_reason else c["reach"],
                "reach_reason": reach_reason,
                "views": c["views"] if c["posts"] and not c["views_missing"] else None,
                "er_reach": er.get(network, {}).get("value"),
                "er_reach_reason": er.get(network, {}).get("reason"),
                "visits": visits.get(network, 0),
                "leads": leads_by.get(network, 0),
            }
        )
    return rows


def _leads_by_network(conversions: pl.DataFrame, period: Period, tz: str) -> dict:
    """Leads of the period per network: ``commerce_summary(by=["network"])["leads"]``
    without its money and new-customer work, which this table does not show."""
    window = resolve_period(period.bounds, tz)
    leads = within(conversions, window, "occurred_at").filter(pl.col("kind") == "lead")
    return dict(leads.group_by("network").agg(pl.len()).iter_rows())


def channel_page(channel, period: Period) -> dict[str, Any]:
    project = channel.project
    tz = project.time_zone
    posts = posts_frame(project, period.bounds, channel=channel)
    history = posts_frame(project, (date(1970, 1, 1), period.last), channel=channel)
    snaps = snapshots_frame(project, (date(1970, 1, 1), period.last), channel=channel)
    trend = kpi.compute("er_reach", "median_last_20", history, period=period.bounds, tz=tz)
    growth = kpi.community_growth(snaps, by=["channel_id"], period=period.bounds, tz=tz)
    best = kpi.best_time_to_post(history, metric="er_reach", tz=tz, n_boot=200)
    slots = kpi.best_slots(best, top=5) if best.height else best
    return {
        "period": str(period),
        "followers": followers_by_day(snaps, period),
        "growth": rows_of(growth)[0] if growth.height else None,
        "er_trend": _series(trend, period),
        "er_trend_title": rate_title("er_reach", "median_last_20"),
        "rates": {
            m: {**(rows_of(_rate(posts, m, period, tz)) or [{}])[0], "title": rate_title(m)}
            for m in RATES
        },
        "posts": top_posts(posts, limit=50),
        "best_slots": rows_of(slots),
        "best_title": "Median ER by reach per weekday × hour (project time), shrunk toward the "
        "network's typical rate where the slot has few posts: w = n / (n + 20).",
    }


def post_page(variant) -> dict[str, Any]:
    from hearth.metrics.models import PostMetricSnapshot

    snaps = list(
        PostMetricSnapshot.objects.filter(variant=variant)
        .order_by("taken_at")
        .values(
            "taken_at",
            "age_hours",
            "views",
            "reach",
            "impressions",
            "likes",
            "comments",
            "shares",
            "saves",
        )
    )
    project = variant.channel.project
    posts = posts_frame(project, None, channel=variant.channel).filter(
        pl.col("post_id") == variant.pk
    )
    ratios = {}
    for metric in (*RATES, "er_impressions"):
        if posts.height:
            row = kpi.post_ratios(posts, metric).row(0, named=True)
            ratios[metric] = {
                "value": clean(row["ratio"]),
                "status": row["status"],
                "title": f"{kpi.METRICS[metric].label}: {kpi.METRICS[metric].formula}",
            }
    at_24 = posts_frame(project, None, channel=variant.channel, at_age_hours=24)
    at_24 = at_24.filter(pl.col("post_id") == variant.pk)
    er_24 = None
    if at_24.height:
        er_24 = clean(kpi.post_ratios(at_24, "er_followers")["ratio"][0])
    return {
        "snapshots": [{k: clean(v) for k, v in s.items()} for s in snaps],
        "latest": rows_of(posts)[0] if posts.height else None,
        "ratios": ratios,
        "er_followers_24h": er_24,
    }
