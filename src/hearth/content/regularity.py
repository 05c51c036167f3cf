"""Regularity of publishing (METHOD M9: regularity matters more than quality).

Pure (no Django). Definitions, also shown next to the numbers on the plan page:

* **score** — the share of the planned cadence that was covered. The window (whole local
  days in the project's time zone) is cut into cadence periods (days for "n a day", 7-day
  blocks from the window's first day for "n a week"; a final partial block is prorated).
  Each period is credited with ``min(posts in it, target for it)``; the score is
  ``credited / planned``. Five posts on Monday therefore cover Monday only, not the week
  (for a daily cadence).
* **longest gap** — the longest time with no post, counting from the window's start to the
  first post and from the last post to the window's end.
* **spread** — the coefficient of variation (population standard deviation / mean) of the
  intervals between consecutive posts: 0 is perfectly even; ``None`` with fewer than two
  intervals.
* **coming gaps** — runs of local days with nothing planned at least
  ``ceil(period / count)`` days long (one empty day for "1 a day", two for "5 a week").
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

PERIOD_DAYS = {"day": 1, "week": 7}

DEFINITION = (
    "Score: share of the planned cadence covered, period by period (a period gets credit "
    "for at most its target). Longest gap: longest stretch without a post, window edges "
    "included. Spread: standard deviation / mean of the intervals between posts (0 = even)."
)


@dataclass(frozen=True, slots=True)
class Cadence:
    count: int
    period: str  # "day" or "week"

    def __post_init__(self) -> None:
        if self.period not in PERIOD_DAYS:
            raise ValueError(f"period must be one of {sorted(PERIOD_DAYS)}")
        if self.count < 1:
            raise ValueError("a cadence needs at least one post per period")

    @property
    def period_days(self) -> int:
        return PERIOD_DAYS[self.period]

    @property
    def allowed_empty_days(self) -> int:
        return max(1, math.ceil(self.period_days / self.count))


@dataclass(frozen=True, slots=True)
class Regularity:
    score: float | None  # 0..1, None when nothing was planned
    planned: float
    credited: float
    posts: int
    longest_gap: timedelta
    spread: float | None


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def regularity(
    post_times: Sequence[datetime], zone: ZoneInfo, start: date, days: int, cadence: Cadence
) -> Regularity:
    """Regularity of ``post_times`` over local days ``start`` … ``start + days - 1``."""
    if days < 1:
        raise ValueError("the window needs at least one day")
    if any(t.tzinfo is None for t in post_times):
        raise ValueError("post times must be timezone-aware")
    window_start, window_end = _midnight(start, zone), _midnight(start + timedelta(days), zone)
    inside = sorted(t.astimezone(UTC) for t in post_times if window_start <= t < window_end)
    local_days = [t.astimezone(zone).date() for t in inside]

    planned = credited = 0.0
    block_start = start
    end = start + timedelta(days)
    while block_start < end:
        block_end = min(block_start + timedelta(cadence.period_days), end)
        target = cadence.count * (block_end - block_start).days / cadence.period_days
        posted = sum(1 for d in local_days if block_start <= d < block_end)
        planned += target
        credited += min(posted, target)
        block_start = block_end

    edges = [window_start, *inside, window_end]
    longest = max(b - a for a, b in pairwise(edges))
    intervals = [(b - a).total_seconds() for a, b in pairwise(inside)]
    spread = None
    if len(intervals) >= 2:
        mean = statistics.fmean(intervals)
        spread = statistics.pstdev(intervals) / mean if mean > 0 else None
    score = credited / planned if planned else None
    return Regularity(score, planned, credited, len(inside), longest, spread)


def coming_gaps(
    planned_times: Sequence[datetime],
    zone: ZoneInfo,
    today: date,
    horizon_days: int,
    cadence: Cadence,
) -> list[tuple[date, date]]:
    """Runs of local days in ``today`` … ``today + horizon_days - 1`` with nothing planned,
    at least ``cadence.allowed_empty_days`` long, as (first day, last day)."""
    busy = {t.astimezone(zone).date() for t in planned_times}
    gaps: list[tuple[date, date]] = []
    run_start: date | None = None
    for offset in range(horizon_days + 1):
        day = today + timedelta(offset)
        empty = offset < horizon_days and day not in busy
        if empty and run_start is None:
            run_start = day
        elif not empty and run_start is not None:
            last = day - timedelta(1)
            if (last - run_start).days + 1 >= cadence.allowed_empty_days:
                gaps.append((run_start, last))
            run_start = None
    return gaps


def describe_gap(channel_name: str, first: date, last: date) -> str:
    """ "nothing planned for VK core group Thu–Sat" (dates added when the run is long)."""
    if first == last:
        span = f"{first:%a %d %b}"
    else:
        span = f"{first:%a}–{last:%a}" if (last - first).days < 7 else f"{first:%d %b}–{last:%d %b}"
        span += f" ({first:%d %b}–{last:%d %b})" if (last - first).days < 7 else ""
    return f"nothing planned for {channel_name} {span}"
