"""Read and validate leads files (CSV or Parquet) row by row, before anything is stored.

Every row is checked; bad rows are collected with their line number and reason, so one pass
tells the user everything that is wrong. Nothing here touches the database: the service
writes only when the whole file is clean (all rows or none).

Columns (header names, case-sensitive):

* subscribers: ``network``, ``external_id``, ``first_seen``; optional ``subscribed_at``,
  ``unsubscribed_at``
* events: ``network``, ``external_id``, ``kind``, ``at``
* purchases: ``customer_key``, ``amount``, ``at``; optional ``currency`` (default: the
  project's), ``network`` + ``external_id`` (links the purchase to a subscriber)

Times are ISO 8601 with a UTC offset (``2024-03-01T10:00:00Z``, ``…+03:00``) or a bare date
(midnight UTC); a time without an offset is refused rather than guessed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl

from hearth.leads.models import EventKind

KINDS = ("subscribers", "events", "purchases")
MAX_REPORTED = 50

REQUIRED = {
    "subscribers": ("network", "external_id", "first_seen"),
    "events": ("network", "external_id", "kind", "at"),
    "purchases": ("customer_key", "amount", "at"),
}
OPTIONAL = {
    "subscribers": ("subscribed_at", "unsubscribed_at"),
    "events": (),
    "purchases": ("currency", "network", "external_id"),
}


class ImportProblem(Exception):
    """The file cannot be imported; `problems` are human-readable, one per bad row (first 50)."""

    def __init__(self, problems: list[str], total: int | None = None):
        self.problems = problems[:MAX_REPORTED]
        self.total = len(problems) if total is None else total
        more = f" (showing the first {MAX_REPORTED})" if self.total > MAX_REPORTED else ""
        super().__init__(f"{self.total} bad row(s){more}:\n" + "\n".join(self.problems))


@dataclass
class ParsedRows:
    kind: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_file(path: str | Path) -> tuple[pl.DataFrame, str]:
    """The file as a frame (CSV: all columns as text) and the word for its row numbers."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pl.read_parquet(path), "row"
    if suffix in {".csv", ".txt"}:
        return pl.read_csv(path, infer_schema=False), "line"
    raise ImportProblem([f"{path.name}: unsupported file type {suffix!r} (use .csv or .parquet)"])


def row_label(index: int, unit: str) -> str:
    # CSV line numbers count the header as line 1, so data row 0 is line 2.
    return f"line {index + 2}" if unit == "line" else f"row {index + 1}"


def parse_time(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("time has no time zone")
        return value.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    text = str(value).strip()
    if not text:
        raise ValueError("empty time")
    if len(text) == 10:
        day = dt.date.fromisoformat(text)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not an ISO 8601 time: {text!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"time {text!r} has no UTC offset")
    return moment.astimezone(dt.UTC)


def _optional_time(value: Any) -> dt.datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_time(value)


def _text(value: Any, name: str, limit: int) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        raise ValueError(f"{name} is empty")
    if len(text) > limit:
        raise ValueError(f"{name} is longer than {limit} characters")
    return text


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"amount {value!r} is not a number") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"amount {value!r} must be a non-negative number")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"amount {value!r} has more than 2 decimals")
    return amount.quantize(Decimal("0.01"))


def _subscriber_row(raw: dict[str, Any], default_currency: str) -> dict[str, Any]:
    row = {
        "network": _text(raw["network"], "network", 64),
        "external_id": _text(raw["external_id"], "external_id", 128),
        "first_seen": parse_time(raw["first_seen"]),
        "subscribed_at": _optional_time(raw.get("subscribed_at")),
        "unsubscribed_at": _optional_time(raw.get("unsubscribed_at")),
    }
    if (
        row["unsubscribed_at"]
        and row["subscribed_at"]
        and row["unsubscribed_at"] < row["subscribed_at"]
    ):
        raise ValueError("unsubscribed_at is before subscribed_at")
    return row


def _event_row(raw: dict[str, Any], default_currency: str) -> dict[str, Any]:
    kind = _text(raw["kind"], "kind", 16).lower()
    if kind not in EventKind.values:
        raise ValueError(f"kind {kind!r} is not one of {', '.join(EventKind.values)}")
    return {
        "network": _text(raw["network"], "network", 64),
        "external_id": _text(raw["external_id"], "external_id", 128),
        "kind": kind,
        "at": parse_time(raw["at"]),
    }


def _purchase_row(raw: dict[str, Any], default_currency: str) -> dict[str, Any]:
    currency = str(raw.get("currency") or default_currency).strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValueError(f"currency {currency!r} is not a 3-letter code")
    network = str(raw.get("network") or "").strip()
    external_id = str(raw.get("external_id") or "").strip()
    if bool(network) != bool(external_id):
        raise ValueError("give both network and external_id to link a subscriber, or neither")
    return {
        "customer_key": _text(raw["customer_key"], "customer_key", 128),
        "amount": _amount(raw["amount"]),
        "currency": currency,
        "at": parse_time(raw["at"]),
        "network": network,
        "external_id": external_id,
    }


ROW_PARSERS: dict[str, Callable[[dict[str, Any], str], dict[str, Any]]] = {
    "subscribers": _subscriber_row,
    "events": _event_row,
    "purchases": _purchase_row,
}


def parse_rows(
    frame: pl.DataFrame,
    kind: str,
    *,
    unit: str = "line",
    default_currency: str = "RUB",
    progress: Callable[[int], None] | None = None,
) -> ParsedRows:
    """Validate every row; `progress(rows_done)` is called every 1,000 rows."""
    if kind not in KINDS:
        raise ImportProblem([f"unknown kind {kind!r}; choose from {', '.join(KINDS)}"])
    missing = [c for c in REQUIRED[kind] if c not in frame.columns]
    if missing:
        raise ImportProblem(
            [f"missing column(s) {', '.join(missing)}; the file has {', '.join(frame.columns)}"]
        )
    wanted = [c for c in (*REQUIRED[kind], *OPTIONAL[kind]) if c in frame.columns]
    parse = ROW_PARSERS[kind]
    parsed = ParsedRows(kind)
    for index, raw in enumerate(_rows(frame.select(wanted))):
        try:
            row = parse(raw, default_currency)
            row["where"] = row_label(index, unit)
            parsed.rows.append(row)
        except (ValueError, TypeError) as exc:
            parsed.problems.append(f"{row_label(index, unit)}: {exc}")
        if progress and (index + 1) % 1000 == 0:
            progress(index + 1)
    if progress:
        progress(frame.height)
    return parsed


def _rows(frame: pl.DataFrame) -> Iterator[dict[str, Any]]:
    columns = frame.columns
    for values in frame.iter_rows():
        yield dict(zip(columns, values, strict=True))
