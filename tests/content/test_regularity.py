"""Regularity on constructed calendars, against values computed by hand."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hearth.content.regularity import Cadence, coming_gaps, describe_gap, regularity

UTCZ = ZoneInfo("UTC")
START = date(2026, 6, 1)  # a Monday
DAILY = Cadence(1, "day")


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 6, day, hour, tzinfo=UTC)


def test_regular_daily_calendar_scores_one_with_no_spread():
    posts = [at(d) for d in range(1, 8)]  # 1..7 June at 09:00
    r = regularity(posts, UTCZ, START, 7, DAILY)
    assert r.score == 1.0
    assert r.planned == 7 and r.credited == 7 and r.posts == 7
    assert r.spread == 0.0
    # Longest gap: 1 June 09:00 → … 7 June 09:00 → 8 June 00:00 is 15 h; between posts 24 h.
    assert r.longest_gap == timedelta(hours=24)


def test_bursty_calendar_gets_credit_only_for_days_with_posts():
    # Seven posts, all on Monday: 1 day of 7 covered.
    posts = [at(1, h) for h in range(9, 16)]
    r = regularity(posts, UTCZ, START, 7, DAILY)
    assert r.score == pytest.approx(1 / 7)
    assert r.spread == 0.0  # six 1-hour intervals: even, but…
    assert r.longest_gap == datetime(2026, 6, 8, tzinfo=UTC) - at(1, 15)  # 6 days 9 hours


def test_calendar_with_gaps():
    # Posts on 1, 2, 3 and 7 June at 09:00; intervals 24, 24, 96 hours.
    posts = [at(1), at(2), at(3), at(7)]
    r = regularity(posts, UTCZ, START, 7, DAILY)
    assert r.score == pytest.approx(4 / 7)
    assert r.longest_gap == timedelta(hours=96)
    # mean 48, population sd sqrt(((24-48)^2*2 + 48^2)/3) = sqrt(1152) = 33.941; CV 0.7071
    assert r.spread == pytest.approx(0.70710678, rel=1e-6)


def test_weekly_cadence_with_partial_last_block():
    # 5 a week over 10 days: blocks of 7 days (target 5) and 3 days (target 15/7).
    posts = [at(1), at(2), at(3), at(8), at(9), at(10)]
    r = regularity(posts, UTCZ, START, 10, Cadence(5, "week"))
    assert r.planned == pytest.approx(5 + 15 / 7)
    assert r.credited == pytest.approx(3 + 15 / 7)  # first block 3 posts; second capped
    assert r.score == pytest.approx((3 + 15 / 7) / (5 + 15 / 7))


def test_empty_window_and_posts_outside_it():
    r = regularity([at(20)], UTCZ, START, 7, DAILY)
    assert r.score == 0.0 and r.posts == 0 and r.spread is None
    assert r.longest_gap == timedelta(days=7)


def test_window_days_follow_the_project_zone():
    moscow = ZoneInfo("Europe/Moscow")
    # 31 May 22:00 UTC is 1 June 01:00 in Moscow: inside a window starting 1 June there.
    r = regularity([datetime(2026, 5, 31, 22, tzinfo=UTC)], moscow, START, 1, DAILY)
    assert r.posts == 1 and r.score == 1.0


def test_coming_gaps_daily_and_weekly():
    planned = [at(1), at(2), at(6)]  # Mon, Tue, Sat
    assert coming_gaps(planned, UTCZ, START, 7, DAILY) == [
        (date(2026, 6, 3), date(2026, 6, 5)),  # Wed–Fri
        (date(2026, 6, 7), date(2026, 6, 7)),  # Sunday
    ]
    # 5 a week tolerates one empty day, not three.
    assert coming_gaps(planned, UTCZ, START, 7, Cadence(5, "week")) == [
        (date(2026, 6, 3), date(2026, 6, 5))
    ]


def test_describe_gap():
    text = describe_gap("VK core group", date(2026, 6, 4), date(2026, 6, 6))
    assert text.startswith("nothing planned for VK core group Thu–Sat")


def test_bad_inputs():
    with pytest.raises(ValueError):
        Cadence(0, "day")
    with pytest.raises(ValueError):
        Cadence(1, "month")
    with pytest.raises(ValueError, match="aware"):
        regularity([datetime(2026, 6, 1)], UTCZ, START, 7, DAILY)
