"""Shared pieces of the importers: problems, results, values, imported posts."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from hearth.content.models import ContentItem, Variant
from hearth.metrics.models import PostFacts

MAX_REPORTED = 50
Progress = Callable[[int, int], None]


class ImportProblem(Exception):
    """The file cannot be imported; nothing was stored. ``problems``: one line per issue."""

    def __init__(self, problems: list[str]):
        self.problems = problems[:MAX_REPORTED]
        self.total = len(problems)
        more = f" (first {MAX_REPORTED} shown)" if self.total > MAX_REPORTED else ""
        super().__init__(f"{self.total} problem(s){more}:\n" + "\n".join(self.problems))


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    posts_created: int = 0
    notes: list[str] = field(default_factory=list)

    def count(self, created: bool, changed: bool) -> None:
        if created:
            self.created += 1
        elif changed:
            self.updated += 1
        else:
            self.unchanged += 1

    def summary(self) -> str:
        text = (
            f"{self.rows} rows read: {self.created} new, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )
        if self.posts_created:
            text += f"; {self.posts_created} posts added to the plan as published"
        return text


def no_progress(done: int, total: int) -> None:
    """Default progress callback."""


def parse_count(value: Any, name: str) -> int | None:
    """A non-negative whole count; empty means unknown (None), never 0."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name} {value!r} is not a count")
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "")
        if text in {"", "-", "—"}:
            return None
        try:
            number = int(text)
        except ValueError:
            try:
                as_float = float(text.replace(",", "."))
            except ValueError:
                raise ValueError(f"{name} {value!r} is not a number") from None
            if not as_float.is_integer():
                raise ValueError(f"{name} {value!r} is not a whole number") from None
            number = int(as_float)
    if number < 0:
        raise ValueError(f"{name} {value!r} is negative")
    return number


def parse_amount(value: Any, name: str = "amount") -> Decimal | None:
    text = "" if value is None else str(value).strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    try:
        amount = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{name} {value!r} is not a number") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{name} {value!r} must be a non-negative number")
    return amount.quantize(Decimal("0.01"))


def parse_day(value: Any, name: str = "day") -> dt.date:
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{name} {text!r} is not a date (YYYY-MM-DD or DD.MM.YYYY)")


def parse_instant(value: Any, name: str) -> dt.datetime:
    """ISO 8601 with an offset, a Unix timestamp, or a bare date (midnight UTC)."""
    text = str(value or "").strip()
    if not text:
        raise ValueError(f"{name} is empty")
    if text.isdigit():
        return dt.datetime.fromtimestamp(int(text), dt.UTC)
    if len(text) == 10:
        day = parse_day(text, name)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{name} {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise ValueError(f"{name} {text!r} has no UTC offset (a time is never guessed)")
    return moment.astimezone(dt.UTC)


def row_key(*parts: Any) -> str:
    """A stable key for a row without an id: the same row always hashes the same."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def imported_variant(
    channel, external_id: str, published_at: dt.datetime, text: str, origin: str
) -> tuple[Variant, bool]:
    """The variant for a post found in an export: the known one (by the network's id), or a
    new published item + variant so its metrics have somewhere to live."""
    facts = PostFacts.objects.filter(channel=channel, external_id=external_id).first()
    if facts is not None:
        return facts.variant, False
    title = " ".join(text.split())[:80] or f"{origin} post {external_id}"
    item = ContentItem.objects.create(
        project=channel.project, title=title, master_text=text, brief=f"Imported from {origin}."
    )
    variant = Variant.objects.create(
        item=item,
        channel=channel,
        text=text,
        status=Variant.Status.PUBLISHED,
        published_at=published_at,
    )
    PostFacts.objects.create(variant=variant, channel=channel, external_id=external_id)
    return variant, True
