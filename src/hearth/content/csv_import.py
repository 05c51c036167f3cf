"""Parsing a month of posts from CSV (columns in docs/content-csv.md). Pure: no Django.

All rows or none: ``parse_plan_csv`` either returns every row, checked, or raises
``CsvImportError`` listing every bad row with its line number and reason. Nothing is
stored here; the caller stores the rows in one transaction.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from hearth.connectors import rules

COLUMNS = (
    "channel",
    "date",
    "time",
    "text",
    "idea",
    "rubric",
    "title",
    "link",
    "hashtags",
    "first_comment",
)
REQUIRED = ("channel", "date", "time", "text")
MAX_BYTES = 2_000_000
MAX_ROWS = 2_000
MAX_CELL = 10_000
MAX_PROBLEMS = 200


class CsvImportError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems[:5]))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class ChannelRef:
    id: int
    network: str


@dataclass(frozen=True, slots=True)
class PlanRow:
    line: int
    channel_id: int
    planned_at: datetime  # aware, UTC
    text: str
    idea: str
    rubric: str
    title: str
    link: str
    hashtags: str
    first_comment: str


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise CsvImportError([f"The file is larger than {MAX_BYTES // 1_000_000} MB."])
    if not data.strip():
        raise CsvImportError(["The file is empty."])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CsvImportError(
            [f"line {line}: the file is not UTF-8 text. Save it as 'CSV UTF-8' and try again."]
        ) from None
    if "\x00" in text:
        raise CsvImportError(["The file contains NUL bytes: it is not a text CSV file."])
    return text


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """Wall-clock time to UTC; refuses a time the clocks skip (DST spring-forward)."""
    local = datetime.combine(day, at, tzinfo=zone)
    utc = local.astimezone(UTC)
    if utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValueError(f"{day} {at:%H:%M} does not exist in {zone.key} (clocks go forward)")
    return utc


def parse_plan_csv(
    data: bytes,
    channels: Mapping[str, ChannelRef],
    rubrics: set[str],
    zone: ZoneInfo,
) -> list[PlanRow]:
    """``channels`` maps lower-cased channel names (and ids as strings) to references;
    ``rubrics`` holds lower-cased rubric names."""
    text = _decode(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise CsvImportError([f"line 1: the header can't be read ({exc})."]) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise CsvImportError(
            [f"line 1: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}."]
        )
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise CsvImportError([f"line 1: unknown column(s) {', '.join(unknown)}."])
    reader.fieldnames = header
    rows: list[PlanRow] = []
    problems: list[str] = []
    try:
        for record in reader:
            line = reader.line_num
            if len(rows) + len(problems) >= MAX_ROWS:
                raise CsvImportError([f"More than {MAX_ROWS} rows: split the file."])
            try:
                rows.append(_row(line, record, channels, rubrics, zone))
            except ValueError as exc:
                problems.append(f"line {line}: {exc}")
                if len(problems) >= MAX_PROBLEMS:
                    problems.append("… stopped after too many problems.")
                    break
    except csv.Error as exc:
        problems.append(f"line {reader.line_num}: the CSV can't be read ({exc}).")
    if problems:
        raise CsvImportError(problems)
    if not rows:
        raise CsvImportError(["The file has a header but no rows."])
    return rows


def _cell(record: Mapping, name: str) -> str:
    value = record.get(name)
    if isinstance(value, list):  # extra cells past the header land in a list under None
        raise ValueError("more cells than columns")
    value = (value or "").strip()
    if len(value) > MAX_CELL:
        raise ValueError(f"the {name} cell is longer than {MAX_CELL} characters")
    return value


def _row(line: int, record: Mapping, channels, rubrics, zone) -> PlanRow:
    if None in record:
        raise ValueError("more cells than columns (quote cells that contain commas)")
    cells = {name: _cell(record, name) for name in COLUMNS}
    channel = channels.get(cells["channel"].lower())
    if channel is None:
        raise ValueError(f"no channel named {cells['channel'][:80]!r} in this project")
    try:
        day = date.fromisoformat(cells["date"])
    except ValueError:
        raise ValueError(f"date {cells['date'][:40]!r} is not YYYY-MM-DD") from None
    try:
        at = time.fromisoformat(cells["time"])
    except ValueError:
        raise ValueError(f"time {cells['time'][:40]!r} is not HH:MM") from None
    if at.tzinfo is not None:
        raise ValueError("give the time without an offset: it is read in the project's zone")
    planned_at = local_to_utc(day, at, zone)
    if cells["rubric"] and cells["rubric"].lower() not in rubrics:
        raise ValueError(f"no rubric named {cells['rubric'][:80]!r} in this project")
    if not cells["text"]:
        raise ValueError("the text is empty")
    draft = rules.PostDraft(
        text=cells["text"],
        link=cells["link"] or None,
        title=cells["title"],
        hashtags=cells["hashtags"].replace(",", " ").split(),
        first_comment=cells["first_comment"],
    )
    errors = [
        p.text
        for p in rules.validate(channel.network, draft)
        if p.severity == "error" and not p.field.startswith("media")
    ]
    if errors:
        raise ValueError(f"{rules.NETWORK_NAMES[channel.network]}: " + " ".join(errors))
    return PlanRow(
        line=line,
        channel_id=channel.id,
        planned_at=planned_at,
        text=cells["text"],
        idea=cells["idea"] or cells["text"][:80],
        rubric=cells["rubric"],
        title=cells["title"],
        link=cells["link"],
        hashtags=cells["hashtags"],
        first_comment=cells["first_comment"],
    )
