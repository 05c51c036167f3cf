"""Month and week grids for the plan page. Pure."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from zoneinfo import ZoneInfo


def month_grid(any_day: date) -> tuple[date, date, list[list[date]]]:
    """Weeks (Monday first) covering the month of ``any_day``: (first shown, last shown, weeks)."""
    first_of_month = any_day.replace(day=1)
    start = first_of_month - timedelta(first_of_month.weekday())
    next_month = (first_of_month + timedelta(32)).replace(day=1)
    weeks, day = [], start
    while day < next_month:
        weeks.append([day + timedelta(i) for i in range(7)])
        day += timedelta(7)
    return weeks[0][0], weeks[-1][-1], weeks


def week_grid(any_day: date) -> tuple[date, date, list[list[date]]]:
    start = any_day - timedelta(any_day.weekday())
    week = [start + timedelta(i) for i in range(7)]
    return week[0], week[-1], [week]


def by_local_day(variants, zone: ZoneInfo) -> dict[date, list]:
    days: dict[date, list] = defaultdict(list)
    for v in sorted((v for v in variants if v.when), key=lambda v: v.when):
        days[v.when.astimezone(zone).date()].append(v)
    return days
