"""``mean_daily``: per local day, the day's posts' numerator over that day's denominator.

Two cases, because the denominators are different kinds of quantity:

* flow denominators (reach, impressions, views) are counted per post, so a day's
  denominator is the sum over its posts and a day without posts has no value (skipped);
* stock denominators (followers) are levels: a day's denominator is the follower count of the
  group's channels *that day*, and every calendar day of the period counts — a day without
  posts scores E = 0 (NapoleonCat daily ER; Popsters ERday = ΣE / F / D).

For ``mean_daily`` the ``n_missing_*`` counts are posts on days left out for that reason.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from .definitions import Metric
from .frames import (
    DENOMINATOR_MISSING,
    ENTITY_KEYS,
    NUMERATOR_MISSING,
    OK,
    ZERO_DENOMINATOR,
    Window,
    day_grid,
    require_columns,
    with_calendar_keys,
)

# A flow day whose posts all lack a count: its posts are already counted as missing.
NO_USABLE_POST = "no_usable_post"


def mean_daily(
    frame: pl.DataFrame,
    metric: Metric,
    keys: Sequence[str],
    window: Window | None,
    tz: str,
    followers: pl.DataFrame | None,
) -> pl.DataFrame:
    if "hour" in keys:
        raise ValueError("mean_daily is a mean of days: it cannot be grouped by hour")
    from .rates import group

    day_keys = list(dict.fromkeys((*keys, "day")))
    if metric.denominator_kind == "flow":
        days = _flow_days(frame, day_keys)
    else:
        days = _stock_days(frame, keys, day_keys, window, tz, followers)
    ok = pl.col("day_status") == OK

    def posts_where(status: str) -> pl.Expr:
        return pl.col("n_usable").filter(pl.col("day_status") == status).sum()

    return group(
        days,
        keys,
        [
            pl.col("n_posts").sum().alias("n_posts"),
            pl.col("n_usable").filter(ok).sum().alias("n_used"),
            (pl.col("n_num_missing").sum() + posts_where(NUMERATOR_MISSING)).alias(
                "n_missing_numerator"
            ),
            (pl.col("n_den_missing").sum() + posts_where(DENOMINATOR_MISSING)).alias(
                "n_missing_denominator"
            ),
            posts_where(ZERO_DENOMINATOR).alias("n_zero_denominator"),
            pl.col("day_value").filter(ok).mean().alias("value"),
            pl.len().alias("n_days"),
            ok.sum().alias("n_days_used"),
        ],
    ).with_columns(
        (pl.col("n_posts") - pl.col("n_used")).alias("n_missing"),
        pl.lit(value=False).alias("_sum_den_zero"),
    )


def _flow_days(frame: pl.DataFrame, day_keys: list[str]) -> pl.DataFrame:
    # A post lacking a count is left out of its day's sums (both of them), which keeps the
    # day's ratio consistent; the day still counts if other posts remain.
    usable = pl.col("num").is_not_null() & pl.col("den").is_not_null()
    days = frame.group_by(day_keys).agg(
        pl.len().alias("n_posts"),
        usable.sum().alias("n_usable"),
        (pl.col("status") == NUMERATOR_MISSING).sum().alias("n_num_missing"),
        (pl.col("status") == DENOMINATOR_MISSING).sum().alias("n_den_missing"),
        pl.col("num").filter(usable).sum().alias("sum_num"),
        pl.col("den").filter(usable).sum().alias("sum_den"),
    )
    return days.with_columns(
        pl.when(pl.col("n_usable") == 0)
        .then(pl.lit(NO_USABLE_POST))
        .when(pl.col("sum_den") == 0)
        .then(pl.lit(ZERO_DENOMINATOR))
        .otherwise(pl.lit(OK))
        .alias("day_status"),
        (pl.col("sum_num") / pl.col("sum_den")).alias("day_value"),
    )


def follower_series(frame: pl.DataFrame, followers: pl.DataFrame | None) -> pl.DataFrame:
    """(channel_id, day, followers): the snapshots if given, else what the posts recorded."""
    if followers is not None:
        require_columns(followers, ("channel_id", "day", "followers"), "followers")
        series = followers.select(
            pl.col("channel_id").cast(frame.schema["channel_id"]),
            pl.col("day").cast(pl.Date),
            pl.col("followers").cast(pl.Float64),
        )
    else:
        series = (
            frame.filter(pl.col("followers_at_post").is_not_null())
            .group_by("channel_id", "day")
            .agg(pl.col("followers_at_post").sort_by("published_at").last().alias("followers"))
        )
    return series.drop_nulls().sort("channel_id", "day")


def _stock_days(
    frame: pl.DataFrame,
    keys: Sequence[str],
    day_keys: list[str],
    window: Window | None,
    tz: str,
    followers: pl.DataFrame | None,
) -> pl.DataFrame:
    entity = [k for k in ENTITY_KEYS if k != "channel_id"]
    channels = frame.select("channel_id", *entity).unique("channel_id")
    if window is not None:
        calendar = day_grid(window.first_day, window.last_day)
    elif frame.height:
        calendar = day_grid(frame["day"].min(), frame["day"].max())  # type: ignore[arg-type]
    else:
        calendar = pl.DataFrame({"day": []}, schema={"day": pl.Date})
    per_channel_day = frame.group_by("channel_id", "day").agg(
        pl.len().alias("n_posts"),
        pl.col("num").is_null().sum().alias("n_num_missing_posts"),
        pl.col("num").sum().alias("sum_num"),
    )
    # The nearest known follower count: on posting days it is that day's own count; between
    # snapshots it only matters for summing several channels (a day without posts has E = 0).
    series = follower_series(frame, followers)
    grid = (
        channels.join(calendar, how="cross")
        .join(per_channel_day, on=["channel_id", "day"], how="left")
        .with_columns(pl.col("n_posts", "n_num_missing_posts", "sum_num").fill_null(0))
        .sort("channel_id", "day")
        .join_asof(series, on="day", by="channel_id", strategy="nearest", check_sortedness=False)
    )
    grid = with_calendar_keys(grid, day_keys, tz, "day")
    days = grid.group_by(day_keys).agg(
        pl.col("n_posts").sum().cast(pl.UInt32),
        (pl.col("n_num_missing_posts").sum() > 0).alias("e_missing"),
        pl.col("followers").is_null().any().alias("f_missing"),
        pl.col("sum_num").sum().alias("sum_num"),
        pl.col("followers").sum().alias("sum_den"),
    )
    return days.with_columns(
        pl.when(pl.col("e_missing"))
        .then(pl.lit(NUMERATOR_MISSING))
        .when(pl.col("f_missing"))
        .then(pl.lit(DENOMINATOR_MISSING))
        .when(pl.col("sum_den") == 0)
        .then(pl.lit(ZERO_DENOMINATOR))
        .otherwise(pl.lit(OK))
        .alias("day_status"),
        (pl.col("sum_num") / pl.col("sum_den")).alias("day_value"),
        pl.col("n_posts").alias("n_usable"),
        pl.lit(0, pl.UInt32).alias("n_num_missing"),
        pl.lit(0, pl.UInt32).alias("n_den_missing"),
    )
