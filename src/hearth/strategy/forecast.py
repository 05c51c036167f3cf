"""Goal progress and a forecast at the deadline (METHOD M3: tracked to the deadline).

The trend is ordinary least squares of value on time (days). The band is the OLS
prediction interval for the value that will be *measured* at the deadline:

    ŷ(x0) ± t(n-2, (1+level)/2) · s · sqrt(1 + 1/n + (x0 - x̄)² / Sxx)

It is exact when the metric is a straight line plus independent normal noise. It is too
narrow when deviations persist from one measurement to the next (a cumulative count such as
followers after a viral week): treat the band as a lower bound on the uncertainty then
(documented in docs/strategy-files.md).

Status rules (mirrored when lower is better, e.g. cost per customer):
  on_track           the forecast at the deadline reaches the target
  at_risk            the band reaches the target, or the forecast reaches the floor
  off_track          neither
  insufficient_data  fewer than 3 measurements on at least 2 distinct dates: no trend yet
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from scipy import stats

When = date | datetime
Point = tuple[When, float]
STATUSES = ("on_track", "at_risk", "off_track", "insufficient_data")
MIN_POINTS = 3


def fmt_number(value: float) -> str:
    """Readable numbers in reasons: 24 090 rather than 2.409e+04, 0.0123 rather than 0.01."""
    if abs(value) >= 100:
        decimals = 0 if abs(value - round(value)) < 0.05 else 1
        return f"{value:,.{decimals}f}".replace(",", " ")
    return f"{value:.3g}"


def as_utc(when: When) -> datetime:
    """Dates are midnight UTC; datetimes must be timezone-aware (never guess a zone)."""
    if isinstance(when, datetime):
        if when.tzinfo is None or when.utcoffset() is None:
            raise ValueError(f"naive datetime {when.isoformat()}: give a timezone-aware time")
        return when.astimezone(UTC)
    return datetime(when.year, when.month, when.day, tzinfo=UTC)


def days_between(start: When, end: When) -> float:
    return (as_utc(end) - as_utc(start)).total_seconds() / 86400.0


@dataclass(frozen=True)
class Trend:
    """A straight line fitted to measurements; time in days since `origin`."""

    origin: datetime
    intercept: float
    slope_per_day: float
    slope_se: float
    residual_sd: float
    n: int
    x_mean: float
    sxx: float

    def predict(self, at: When, level: float = 0.9) -> tuple[float, float, float]:
        """Expected value at `at` and the prediction interval for a measurement then."""
        x0 = days_between(self.origin, at)
        mean = self.intercept + self.slope_per_day * x0
        t = float(stats.t.ppf((1 + level) / 2, self.n - 2))
        half = t * self.residual_sd * math.sqrt(1 + 1 / self.n + (x0 - self.x_mean) ** 2 / self.sxx)
        return mean, mean - half, mean + half


def fit_trend(points: Sequence[Point]) -> Trend | None:
    """OLS trend, or None with fewer than 3 points or a single distinct date."""
    if len(points) < MIN_POINTS:
        return None
    ordered = sorted(points, key=lambda p: as_utc(p[0]))
    origin = as_utc(ordered[0][0])
    x = np.array([days_between(origin, when) for when, _ in ordered])
    y = np.array([float(value) for _, value in ordered])
    if not np.all(np.isfinite(y)):
        raise ValueError("measurements must be finite numbers")
    x_mean = float(x.mean())
    sxx = float(((x - x_mean) ** 2).sum())
    if sxx <= 0:
        return None
    slope = float(((x - x_mean) * (y - y.mean())).sum() / sxx)
    intercept = float(y.mean() - slope * x_mean)
    residuals = y - (intercept + slope * x)
    n = len(y)
    residual_sd = math.sqrt(float((residuals**2).sum()) / (n - 2))
    return Trend(
        origin=origin,
        intercept=intercept,
        slope_per_day=slope,
        slope_se=residual_sd / math.sqrt(sxx),
        residual_sd=residual_sd,
        n=n,
        x_mean=x_mean,
        sxx=sxx,
    )


@dataclass(frozen=True)
class Forecast:
    status: str
    current_value: float
    current_date: datetime
    progress: float
    planned_progress: float
    planned_value: float
    forecast_value: float | None
    band_low: float | None
    band_high: float | None
    level: float
    slope_per_day: float | None
    slope_se: float | None
    target: float
    floor: float | None
    deadline: datetime
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["current_date"] = self.current_date.isoformat()
        data["deadline"] = self.deadline.isoformat()
        data["reasons"] = list(self.reasons)
        return data


def forecast_goal(
    measurements: Sequence[Point],
    *,
    baseline_value: float,
    baseline_date: When,
    target: float,
    deadline: When,
    floor: float | None = None,
    higher_is_better: bool = True,
    level: float = 0.9,
) -> Forecast:
    """Progress against the straight path baseline → target, and the forecast at the deadline."""
    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1")
    if days_between(baseline_date, deadline) <= 0:
        raise ValueError("the deadline must come after the baseline date")
    points = [(as_utc(when), float(value)) for when, value in measurements]
    points.sort(key=lambda p: p[0])
    current_date, current = points[-1] if points else (as_utc(baseline_date), baseline_value)
    span = days_between(baseline_date, deadline)
    elapsed = min(max(days_between(baseline_date, current_date) / span, 0.0), 1.0)
    planned = baseline_value + (target - baseline_value) * elapsed
    distance = target - baseline_value
    progress = (current - baseline_value) / distance if distance else 1.0
    sign = 1.0 if higher_is_better else -1.0
    reasons = [
        f"{progress:.0%} of the way from {fmt_number(baseline_value)} to {fmt_number(target)} "
        f"after {elapsed:.0%} of the time (straight path: {fmt_number(planned)}, "
        f"measured {fmt_number(current)})"
    ]
    trend = fit_trend(points)
    if trend is None:
        reasons.append(
            f"insufficient data: {len(points)} measurement(s), need {MIN_POINTS} "
            "on at least 2 dates for a trend"
        )
        return Forecast(
            "insufficient_data",
            current,
            current_date,
            progress,
            elapsed,
            planned,
            None,
            None,
            None,
            level,
            None,
            None,
            target,
            floor,
            as_utc(deadline),
            tuple(reasons),
        )
    value, low, high = trend.predict(deadline, level)
    optimistic = high if higher_is_better else low
    reaches = sign * (value - target) >= 0
    if reaches:
        status = "on_track"
        rule = "the forecast reaches the target"
    elif sign * (optimistic - target) >= 0 or (floor is not None and sign * (value - floor) >= 0):
        status = "at_risk"
        rule = (
            "the band reaches the target"
            if sign * (optimistic - target) >= 0
            else "the forecast reaches only the floor"
        )
    else:
        status = "off_track"
        rule = "neither the forecast nor its band reaches the target" + (
            " or the floor" if floor is not None else ""
        )
    reasons.append(
        f"trend {fmt_number(trend.slope_per_day)}/day (±{fmt_number(trend.slope_se)}); forecast "
        f"at the deadline {fmt_number(value)}, {level:.0%} band [{fmt_number(low)}, "
        f"{fmt_number(high)}]: {rule}"
    )
    return Forecast(
        status,
        current,
        current_date,
        progress,
        elapsed,
        planned,
        value,
        low,
        high,
        level,
        trend.slope_per_day,
        trend.slope_se,
        target,
        floor,
        as_utc(deadline),
        tuple(reasons),
    )


def date_reached(trend: Trend, target: float, after: When) -> datetime | None:
    """When the trend line crosses `target` after `after`, or None if it moves away from it."""
    x_after = days_between(trend.origin, after)
    now = trend.intercept + trend.slope_per_day * x_after
    if trend.slope_per_day == 0 or (target - now) / trend.slope_per_day < 0:
        return None
    return as_utc(after) + timedelta(days=(target - now) / trend.slope_per_day)
