"""Leads business logic without HTTP: importing files, reading a project's data as frames.

Callers own the transaction (``transaction.atomic``): an import validates every row first
and raises `ImportProblem` before writing, and the caller's transaction makes the writes
all-or-nothing if the database refuses one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from hearth.leads.importing import ImportProblem, ParsedRows, parse_rows, read_file
from hearth.leads.models import EventKind, InteractionEvent, Purchase, Subscriber

BATCH = 2000
UTC_TIME = pl.Datetime("us", "UTC")


@dataclass(frozen=True)
class ImportResult:
    kind: str
    rows: int
    created: int

    @property
    def unchanged(self) -> int:
        return self.rows - self.created


def import_file(project, kind: str, path, *, progress: Callable[[int, int], None] | None = None):
    frame, unit = read_file(path)
    return import_frame(project, kind, frame, unit=unit, progress=progress)


def import_frame(
    project,
    kind: str,
    frame: pl.DataFrame,
    *,
    unit: str = "line",
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Validate all rows, then store them idempotently (natural keys); returns what was new.

    `progress(done, total)` sees validation and then writing (total = 2 × rows).
    """
    total = 2 * frame.height

    def validated(done: int) -> None:
        if progress:
            progress(done, total)

    parsed = parse_rows(
        frame, kind, unit=unit, default_currency=project.currency, progress=validated
    )
    if parsed.problems:
        raise ImportProblem(parsed.problems)
    writer = {"subscribers": _store_subscribers, "events": _store_events}.get(
        kind, _store_purchases
    )
    created = writer(project, parsed)
    if progress:
        progress(total, total)
    return ImportResult(kind=kind, rows=frame.height, created=created)


def _subscriber_ids(project, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    networks = {network for network, _ in keys}
    found = Subscriber.objects.filter(project=project, network__in=networks).values_list(
        "network", "external_id", "pk"
    )
    return {(n, e): pk for n, e, pk in found if (n, e) in keys}


def _store_subscribers(project, parsed: ParsedRows) -> int:
    latest = {(r["network"], r["external_id"]): r for r in parsed.rows}  # last row wins
    existing = _subscriber_ids(project, set(latest))
    fields = ("network", "external_id", "first_seen", "subscribed_at", "unsubscribed_at")
    objects = [
        Subscriber(project=project, **{f: row[f] for f in fields}) for row in latest.values()
    ]
    Subscriber.objects.bulk_create(
        objects,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["project", "network", "external_id"],
        update_fields=["first_seen", "subscribed_at", "unsubscribed_at"],
    )
    return len(latest) - len(existing)


def _unknown_subscribers(parsed: ParsedRows, ids: dict) -> None:
    problems = [
        f"{row['where']}: no subscriber {row['network']}:{row['external_id']} in this project; "
        "import subscribers first"
        for row in parsed.rows
        if row.get("network") and (row["network"], row["external_id"]) not in ids
    ]
    if problems:
        raise ImportProblem(problems)


def _store_events(project, parsed: ParsedRows) -> int:
    ids = _subscriber_ids(project, {(r["network"], r["external_id"]) for r in parsed.rows})
    _unknown_subscribers(parsed, ids)
    keys = {(ids[(r["network"], r["external_id"])], r["kind"], r["at"]) for r in parsed.rows}
    before = InteractionEvent.objects.filter(subscriber__project=project).count()
    InteractionEvent.objects.bulk_create(
        [InteractionEvent(subscriber_id=s, kind=k, at=at) for s, k, at in keys],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    return InteractionEvent.objects.filter(subscriber__project=project).count() - before


def _store_purchases(project, parsed: ParsedRows) -> int:
    ids = _subscriber_ids(
        project, {(r["network"], r["external_id"]) for r in parsed.rows if r["network"]}
    )
    _unknown_subscribers(parsed, ids)
    unique = {
        (r["customer_key"], r["at"], r["amount"], r["currency"]): ids.get(
            (r["network"], r["external_id"])
        )
        for r in parsed.rows
    }
    before = Purchase.objects.filter(project=project).count()
    Purchase.objects.bulk_create(
        [
            Purchase(
                project=project, customer_key=k, at=at, amount=amount, currency=cur, subscriber_id=s
            )
            for (k, at, amount, cur), s in unique.items()
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    return Purchase.objects.filter(project=project).count() - before


# Reading a project's data as frames for the analytics -------------------------------------


def _frame(rows, schema: dict) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def subscribers_frame(project, network: str | None = None) -> pl.DataFrame:
    qs = Subscriber.objects.filter(project=project)
    if network:
        qs = qs.filter(network=network)
    return _frame(
        qs.values_list("pk", "network", "first_seen", "subscribed_at", "unsubscribed_at"),
        {
            "subscriber": pl.Int64,
            "network": pl.String,
            "first_seen": UTC_TIME,
            "subscribed_at": UTC_TIME,
            "unsubscribed_at": UTC_TIME,
        },
    )


def events_frame(project, network: str | None = None) -> pl.DataFrame:
    qs = InteractionEvent.objects.filter(subscriber__project=project)
    if network:
        qs = qs.filter(subscriber__network=network)
    return _frame(
        qs.values_list("subscriber_id", "kind", "at"),
        {"subscriber": pl.Int64, "kind": pl.String, "at": UTC_TIME},
    )


def purchases_frame(project, network: str | None = None) -> pl.DataFrame:
    qs = Purchase.objects.filter(project=project)
    if network:
        qs = qs.filter(subscriber__network=network)
    return _frame(
        qs.values_list("subscriber_id", "customer_key", "amount", "currency", "at"),
        {
            "subscriber": pl.Int64,
            "customer_key": pl.String,
            "amount": pl.Float64,
            "currency": pl.String,
            "at": UTC_TIME,
        },
    )


def touches_frame(subscribers: pl.DataFrame, events: pl.DataFrame) -> pl.DataFrame:
    """Subscription (or first sight) plus every activity; leaving is not a touch."""
    joined = subscribers.select("subscriber", at=pl.coalesce("subscribed_at", "first_seen"))
    activity = events.filter(pl.col("kind") != EventKind.UNSUBSCRIBE).select("subscriber", "at")
    known = activity.filter(pl.col("subscriber").is_in(subscribers["subscriber"].implode()))
    return pl.concat([joined, known]).sort("subscriber", "at")


def as_utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(dt.UTC)
