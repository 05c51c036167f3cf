"""Any CSV, through a column mapping saved per project (``ImportMapping``).

A mapping says which file column holds each Hearth field: ``{"published_at": "Date",
"views": "Impressions total", …}``. Kinds and their fields (* required):

* ``posts`` (needs a channel): external_id*, published_at*, text, followers_at_post,
  views, reach, impressions, likes, comments, shares, saves, taken_at (else the import's
  snapshot time). A known external_id updates that post; a new one adds a published post.
* ``channel_days`` (needs a channel): day*, followers, reach, impressions, views.
* ``conversions``: kind* (lead | sale), occurred_at*, id, amount, currency (default: the
  project's), customer, network. Without an id column a row is keyed by a hash of its
  values, so the same row imported twice is one conversion.
* ``spend``: day*, amount*, currency (default: the project's), network.

Times: ISO 8601 with an offset, a Unix timestamp, or a date (midnight UTC); days:
YYYY-MM-DD or DD.MM.YYYY. Empty count cells are unknown (null), never 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from hearth.metrics.imports.common import (
    ImportProblem,
    ImportResult,
    Progress,
    imported_variant,
    no_progress,
    parse_amount,
    parse_count,
    parse_day,
    parse_instant,
    row_key,
)
from hearth.metrics.imports.tables import read_table
from hearth.metrics.models import COUNT_FIELDS, Conversion, ImportMapping, Source, Spend
from hearth.metrics.recording import followers_before, record_channel_day, record_post_snapshot

FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "posts": (
        ("external_id", "published_at"),
        ("text", "followers_at_post", *COUNT_FIELDS, "taken_at"),
    ),
    "channel_days": (("day",), ("followers", "reach", "impressions", "views")),
    "conversions": (("kind", "occurred_at"), ("id", "amount", "currency", "customer", "network")),
    "spend": (("day", "amount"), ("currency", "network")),
}
NEEDS_CHANNEL = ("posts", "channel_days")
ORIGIN = "a CSV import"


def check_mapping(kind: str, columns: Mapping[str, str]) -> None:
    if kind not in FIELDS:
        raise ImportProblem([f"unknown kind {kind!r}; one of {', '.join(FIELDS)}"])
    required, optional = FIELDS[kind]
    unknown = [f for f in columns if f not in (*required, *optional)]
    missing = [f for f in required if f not in columns]
    problems = []
    if unknown:
        problems.append(f"mapping names unknown field(s) {unknown} for {kind}")
    if missing:
        problems.append(f"mapping lacks required field(s) {missing} for {kind}")
    if problems:
        raise ImportProblem(problems)


def save_mapping(project, name: str, kind: str, columns: Mapping[str, str]) -> ImportMapping:
    check_mapping(kind, columns)
    mapping, _ = ImportMapping.objects.update_or_create(
        project=project, name=name, defaults={"kind": kind, "columns": dict(columns)}
    )
    return mapping


def _currency(value: Any, default: str) -> str:
    code = (str(value or "").strip() or default).upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError(f"currency {code!r} is not a 3-letter code")
    return code


def _post_row(raw: dict, default_currency: str) -> dict:
    row = {
        "external_id": str(raw["external_id"]).strip(),
        "published_at": parse_instant(raw["published_at"], "published_at"),
        "text": str(raw.get("text") or ""),
        "followers_at_post": parse_count(raw.get("followers_at_post"), "followers_at_post"),
        "counts": {name: parse_count(raw.get(name), name) for name in COUNT_FIELDS},
        "taken_at": parse_instant(raw["taken_at"], "taken_at") if raw.get("taken_at") else None,
    }
    if not row["external_id"]:
        raise ValueError("external_id is empty")
    return row


def _day_row(raw: dict, default_currency: str) -> dict:
    counts = ("followers", "reach", "impressions", "views")
    return {
        "day": parse_day(raw["day"]),
        **{name: parse_count(raw[name], name) for name in counts if name in raw},
    }


def _conversion_row(raw: dict, default_currency: str) -> dict:
    kind = str(raw["kind"]).strip().lower()
    if kind not in Conversion.Kind.values:
        raise ValueError(f"kind {kind!r} is not lead or sale")
    occurred = parse_instant(raw["occurred_at"], "occurred_at")
    amount = parse_amount(raw.get("amount"))
    currency = _currency(raw.get("currency"), default_currency) if amount is not None else ""
    customer = str(raw.get("customer") or "").strip()
    network = str(raw.get("network") or "").strip().lower()
    ident = str(raw.get("id") or "").strip()
    key = f"id:{ident}" if ident else row_key(kind, occurred.isoformat(), amount, customer, network)
    return {
        "key": key[:64],
        "kind": kind,
        "occurred_at": occurred,
        "amount": amount,
        "currency": currency,
        "customer_key": customer[:128],
        "network": network[:32],
    }


def _spend_row(raw: dict, default_currency: str) -> dict:
    amount = parse_amount(raw["amount"])
    if amount is None:
        raise ValueError("amount is empty")
    return {
        "day": parse_day(raw["day"]),
        "amount": amount,
        "currency": _currency(raw.get("currency"), default_currency),
        "network": str(raw.get("network") or "").strip().lower()[:32],
    }


PARSERS: dict[str, Callable[[dict, str], dict]] = {
    "posts": _post_row,
    "channel_days": _day_row,
    "conversions": _conversion_row,
    "spend": _spend_row,
}


def parse_csv(
    content: bytes, kind: str, columns: Mapping[str, str], default_currency: str = "RUB"
) -> list[dict]:
    check_mapping(kind, columns)
    header, records = read_table(content)
    absent = [c for c in columns.values() if c not in header]
    if absent:
        raise ImportProblem([f"the file lacks mapped column(s) {absent}; its header: {header}"])
    rows, problems, keys = [], [], {}
    for record in records:
        line = record["_line"]
        raw = {field: record[column] for field, column in columns.items()}
        try:
            row = PARSERS[kind](raw, default_currency)
            key = row.get("key") or row.get("external_id") or (row.get("day"), row.get("network"))
            if kind == "spend":
                key = (row["day"], row["network"], row["currency"])
            if key in keys:
                raise ValueError(
                    f"the same {kind[:-1] if kind != 'spend' else 'day'} as line {keys[key]}"
                )
            keys[key] = line
            rows.append(row)
        except (ValueError, TypeError) as exc:
            problems.append(f"line {line}: {exc}")
    if problems:
        raise ImportProblem(problems)
    return rows


def import_csv(
    project,
    content: bytes,
    mapping: ImportMapping,
    *,
    channel=None,
    taken_at: dt.datetime,
    progress: Progress = no_progress,
) -> ImportResult:
    if mapping.project_id != project.pk:
        raise ImportProblem([f"mapping {mapping.name!r} belongs to another project"])
    if mapping.kind in NEEDS_CHANNEL and channel is None:
        raise ImportProblem([f"a {mapping.kind} import needs a channel (--channel)"])
    rows = parse_csv(content, mapping.kind, mapping.columns, project.currency)
    result = ImportResult(rows=len(rows))
    write = {
        "posts": _write_post,
        "channel_days": _write_day,
        "conversions": _write_conversion,
        "spend": _write_spend,
    }[mapping.kind]
    for done, row in enumerate(rows, start=1):
        write(project, channel, row, taken_at, result)
        if done % 200 == 0 or done == len(rows):
            progress(done, len(rows))
    return result


def _write_post(project, channel, row, taken_at, result: ImportResult) -> None:
    when = row["taken_at"] or taken_at
    if row["published_at"] > when:
        raise ImportProblem([f"post {row['external_id']}: published after its snapshot time"])
    variant, created = imported_variant(
        channel, row["external_id"], row["published_at"], row["text"], ORIGIN
    )
    result.posts_created += created
    followers, source = row["followers_at_post"], "import"
    if followers is None:
        followers = followers_before(channel, row["published_at"].astimezone(channel.zone).date())
        source = "snapshot" if followers is not None else ""
    _snap, changed = record_post_snapshot(
        variant,
        when,
        row["counts"],
        Source.CSV,
        followers_at_post=followers,
        followers_source=source,
        external_id=row["external_id"],
    )
    result.count(created, changed)


def _write_day(project, channel, row, taken_at, result: ImportResult) -> None:
    day = row.pop("day")
    _snap, status = record_channel_day(channel, day, taken_at, Source.CSV, **row)
    result.count(status == "created", status == "updated")


def _write_conversion(project, channel, row, taken_at, result: ImportResult) -> None:
    key = row.pop("key")
    existing = Conversion.objects.filter(project=project, key=key).first()
    if existing is None:
        Conversion.objects.create(project=project, key=key, source=Source.CSV, **row)
        result.count(True, True)
        return
    changed = any(getattr(existing, k) != v for k, v in row.items())
    if changed:
        for name, value in row.items():
            setattr(existing, name, value)
        existing.save()
    result.count(False, changed)


def _write_spend(project, channel, row, taken_at, result: ImportResult) -> None:
    existing = Spend.objects.filter(
        project=project, day=row["day"], network=row["network"], currency=row["currency"]
    ).first()
    if existing is None:
        Spend.objects.create(project=project, source=Source.CSV, **row)
        result.count(True, True)
    elif existing.amount != row["amount"]:
        existing.amount = row["amount"]
        existing.save(update_fields=["amount"])
        result.count(False, True)
    else:
        result.count(False, False)
