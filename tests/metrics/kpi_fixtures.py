"""A small hand-checkable posts frame shared by the KPI tests.

One VK channel (E = likes + comments + shares), period 2026-10-01..03 in UTC:

| post | published (UTC)  | F    | R    | I   | E    | E/F      | E/R   |
|------|------------------|------|------|-----|------|----------|-------|
| p0   | 09-30 12:00      | 1000 | 100  | 200 | 20   | 0.02     | 0.2   |  (before the period)
| p1   | 10-01 09:00      | 1000 | 500  | 800 | 50   | 0.05     | 0.1   |
| p2   | 10-01 18:00      | 1000 | 200  | 250 | 10   | 0.01     | 0.05  |
| p6   | 10-02 10:00      | 1000 | 400  | 500 | 12   | 0.012    | 0.03  |
| p5   | 10-03 08:00      | 1100 | 100  | 150 | null | —        | —     |  (likes not reported)
| p3   | 10-03 12:00      | 1100 | null | 300 | 24   | 0.021818 | —     |  (reach not reported)
| p4   | 10-03 20:00      | null | 0    | 0   | 0    | —        | 0/0   |
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

PERIOD = (date(2026, 10, 1), date(2026, 10, 3))


def at(day: int, hour: int, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def posts_fixture() -> pl.DataFrame:
    rows = [
        # post, published, F, R, I, likes, comments, shares
        ("p0", at(30, 12, month=9), 1000, 100, 200, 20, 0, 0),
        ("p1", at(1, 9), 1000, 500, 800, 40, 5, 5),
        ("p2", at(1, 18), 1000, 200, 250, 8, 2, 0),
        ("p6", at(2, 10), 1000, 400, 500, 10, 2, 0),
        ("p5", at(3, 8), 1100, 100, 150, None, 1, 0),
        ("p3", at(3, 12), 1100, None, 300, 20, 3, 1),
        ("p4", at(3, 20), None, 0, 0, 0, 0, 0),
    ]
    columns = ["post_id", "published_at", "followers_at_post", "reach", "impressions"]
    columns += ["likes", "comments", "shares"]
    frame = pl.DataFrame(rows, schema=columns, orient="row")
    return frame.with_columns(
        pl.lit("c1").alias("channel_id"),
        pl.lit("vk").alias("network"),
        pl.lit("proj").alias("project_id"),
        pl.lit(None, pl.Int64).alias("views"),
        pl.col("published_at").cast(pl.Datetime("us", "UTC")),
    )
