"""VK community statistics, exported per day as CSV (Community → Statistics → Export).

VK's export headers change with the interface language and over time, so columns are found
by any of these names (case-insensitive); a file must have a day column and at least one
of the others:

| Hearth | accepted headers |
|---|---|
| day | ``date``, ``day``, ``Дата``, ``День`` (YYYY-MM-DD or DD.MM.YYYY) |
| followers | ``followers``, ``members``, ``subscribers``, ``Подписчики``, ``Участники``, ``Всего участников``, ``Всего подписчиков`` |
| reach | ``reach``, ``reach_total``, ``Полный охват``, ``Охват`` |
| views | ``views``, ``Просмотры`` |

An empty cell is unknown (null), never 0. One row per day; a day twice is an error.
Rows become daily ``ChannelSnapshot`` rows of the VK channel (re-import: unchanged).
Other columns (new members, unsubscribed, visitors…) are ignored and listed in the result.
"""

from __future__ import annotations

import datetime as dt

from hearth.metrics.imports.common import (
    ImportProblem,
    ImportResult,
    Progress,
    no_progress,
    parse_count,
    parse_day,
)
from hearth.metrics.imports.tables import pick, read_table
from hearth.metrics.models import Source
from hearth.metrics.recording import record_channel_day

COLUMNS = {
    "day": ("date", "day", "Дата", "День"),
    "followers": (
        "followers",
        "members",
        "subscribers",
        "Подписчики",
        "Участники",
        "Всего участников",
        "Всего подписчиков",
    ),
    "reach": ("reach", "reach_total", "Полный охват", "Охват"),
    "views": ("views", "Просмотры"),
}


def parse_stats(content: bytes) -> tuple[list[dict], list[str]]:
    """Rows {day, followers, reach, views} (only the columns present) and ignored headers."""
    header, records = read_table(content)
    found = {name: pick(header, aliases) for name, aliases in COLUMNS.items()}
    if found["day"] is None:
        raise ImportProblem(
            [f"no day column (one of {', '.join(COLUMNS['day'])}); header: {header}"]
        )
    counts = {k: v for k, v in found.items() if k != "day" and v is not None}
    if not counts:
        raise ImportProblem(
            ["no followers, reach or views column; see docs/measurement.md for the names"]
        )
    rows, problems, days = [], [], {}
    for record in records:
        line = record["_line"]
        try:
            day = parse_day(record[found["day"]], "day")
            if day in days:
                raise ValueError(f"{day} already on line {days[day]}")
            days[day] = line
            rows.append({"day": day, **{k: parse_count(record[c], k) for k, c in counts.items()}})
        except ValueError as exc:
            problems.append(f"line {line}: {exc}")
    if problems:
        raise ImportProblem(problems)
    used = set(found.values())
    return rows, [h for h in header if h not in used]


def import_stats(
    channel, content: bytes, *, taken_at: dt.datetime, progress: Progress = no_progress
) -> ImportResult:
    if channel.network != "vk":
        raise ImportProblem([f"channel {channel.name!r} is on {channel.network}, not VK"])
    rows, ignored = parse_stats(content)
    result = ImportResult(rows=len(rows))
    if ignored:
        result.notes.append(f"ignored columns: {', '.join(ignored)}")
    for done, row in enumerate(rows, start=1):
        day = row.pop("day")
        _snapshot, status = record_channel_day(channel, day, taken_at, Source.VK_STATS, **row)
        result.count(status == "created", status == "updated")
        if done % 200 == 0 or done == len(rows):
            progress(done, len(rows))
    return result
