"""Telegram Desktop's channel export (Settings → Export chat history → JSON: ``result.json``).

What we read, per message of ``"type": "message"`` (service messages are skipped):

* ``id`` — the post's id in the channel (the key: re-imports find the same post);
* ``date_unixtime`` — the instant (a string of seconds since the epoch). ``date`` is the
  exporting computer's local wall time *without* an offset, so it is used only when
  ``date_unixtime`` is absent (old exports) and ``export_tz`` names that computer's zone;
* ``text`` — a string or a list of strings and ``{"type": …, "text": …}`` entities;
* ``views`` → views, ``forwards`` → shares, ``reactions`` (``[{"type": "emoji",
  "count": n, …}]``) → likes as the sum of their counts.

Missing is missing: an export that carries no ``reactions`` key on any message (exports
made before reactions existed) stores likes as null; once any message has reactions, a
message without the key had none (0). Views and forwards absent on a message are null.
Comments live in the linked discussion group, not in the channel export: always null.

The export holds no export time, so the counts are stored as a snapshot taken at
``taken_at`` (the CLI passes the file's modification time unless ``--taken-at`` is given).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from hearth.metrics.imports.common import (
    ImportProblem,
    ImportResult,
    Progress,
    imported_variant,
    no_progress,
    parse_count,
)
from hearth.metrics.models import Source
from hearth.metrics.recording import followers_before, record_post_snapshot

ORIGIN = "a Telegram export"


@dataclass(frozen=True)
class TelegramPost:
    external_id: str
    published_at: dt.datetime
    text: str
    views: int | None
    shares: int | None
    likes: int | None


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "".join(p if isinstance(p, str) else str((p or {}).get("text", "")) for p in value)
    return ""


def _instant(message: dict, export_tz: str | None) -> dt.datetime:
    unix = message.get("date_unixtime")
    if unix is not None:
        try:
            return dt.datetime.fromtimestamp(int(str(unix)), dt.UTC)
        except (ValueError, OverflowError):
            raise ValueError(f"date_unixtime {unix!r} is not a Unix time") from None
    if "date" not in message:
        raise ValueError("no date_unixtime and no date")
    if export_tz is None:
        raise ValueError(
            "no date_unixtime (an old export): its 'date' has no time zone; "
            "pass the exporting computer's zone (--export-tz)"
        )
    local = dt.datetime.fromisoformat(str(message["date"]))
    return local.replace(tzinfo=ZoneInfo(export_tz)).astimezone(dt.UTC)


def _reactions(value: Any) -> int:
    if not isinstance(value, list):
        raise ValueError("reactions is not a list")
    total = 0
    for reaction in value:
        count = parse_count((reaction or {}).get("count"), "reaction count")
        if count is None:
            raise ValueError("a reaction has no count")
        total += count
    return total


def parse_export(
    content: bytes, *, export_tz: str | None = None
) -> tuple[dict, list[TelegramPost]]:
    """The channel's header (name, type, id) and its posts; ImportProblem names every issue."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ImportProblem([f"not UTF-8 text: {exc}"]) from None
    except json.JSONDecodeError as exc:
        raise ImportProblem(
            [f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise ImportProblem(
            ["not a Telegram chat export: no 'messages' list (export one channel as JSON)"]
        )
    kind = str(data.get("type", ""))
    if kind and "channel" not in kind:
        raise ImportProblem([f"this export is a {kind!r}, not a channel"])
    messages = [m for m in data["messages"] if isinstance(m, dict)]
    has_reactions = any("reactions" in m for m in messages)
    posts, problems, seen = [], [], set()
    for index, message in enumerate(data["messages"]):
        where = f"message #{index + 1}"
        if not isinstance(message, dict):
            problems.append(f"{where}: not an object")
            continue
        if message.get("type", "message") != "message":
            continue
        try:
            ident = message.get("id")
            if not isinstance(ident, int) or isinstance(ident, bool):
                raise ValueError(f"id {ident!r} is not a whole number")
            where = f"message id {ident}"
            if ident in seen:
                raise ValueError("appears twice")
            seen.add(ident)
            likes = _reactions(message["reactions"]) if "reactions" in message else None
            posts.append(
                TelegramPost(
                    external_id=str(ident),
                    published_at=_instant(message, export_tz),
                    text=_text(message.get("text")),
                    views=parse_count(message.get("views"), "views"),
                    shares=parse_count(message.get("forwards"), "forwards"),
                    likes=likes if likes is not None else (0 if has_reactions else None),
                )
            )
        except (ValueError, TypeError) as exc:
            problems.append(f"{where}: {exc}")
    if problems:
        raise ImportProblem(problems)
    header = {"name": data.get("name"), "type": kind, "id": data.get("id")}
    return header, posts


def import_export(
    channel,
    content: bytes,
    *,
    taken_at: dt.datetime,
    export_tz: str | None = None,
    progress: Progress = no_progress,
) -> ImportResult:
    """Store every post of the export on ``channel`` (a Telegram channel of the project)."""
    if channel.network != "telegram":
        raise ImportProblem([f"channel {channel.name!r} is on {channel.network}, not Telegram"])
    _header, posts = parse_export(content, export_tz=export_tz)
    result = ImportResult(rows=len(posts))
    later = [p.external_id for p in posts if p.published_at > taken_at]
    if later:
        raise ImportProblem(
            [f"post(s) {', '.join(later[:5])} are dated after the snapshot time {taken_at}"]
        )
    for done, post in enumerate(posts, start=1):
        variant, created = imported_variant(
            channel, post.external_id, post.published_at, post.text, ORIGIN
        )
        result.posts_created += created
        followers = followers_before(channel, post.published_at.astimezone(channel.zone).date())
        _snapshot, changed = record_post_snapshot(
            variant,
            taken_at,
            {"views": post.views, "likes": post.likes, "shares": post.shares, "comments": None},
            Source.TELEGRAM_EXPORT,
            followers_at_post=followers,
            followers_source="snapshot" if followers is not None else "",
            external_id=post.external_id,
        )
        result.count(created, changed)
        if done % 200 == 0 or done == len(posts):
            progress(done, len(posts))
    return result
