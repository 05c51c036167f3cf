"""The sandbox network's state: accounts, tokens, posts, idempotency keys (SQLite).

One store per sandbox process: ``:memory:`` for tests, a file for the demo so posts
survive a restart of the sandbox. All times are aware UTC, stored as ISO strings in one
fixed format so that they compare correctly as text.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hearth.connectors.base import text_fingerprint
from hearth.sandbox.engagement import followers_at

IDEMPOTENCY_WINDOW = timedelta(hours=24)

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY, handle TEXT UNIQUE NOT NULL, display_name TEXT NOT NULL,
    followers INTEGER NOT NULL, follower_growth_per_day REAL NOT NULL, created_at TEXT NOT NULL,
    posts_per_window INTEGER NOT NULL, window_seconds INTEGER NOT NULL,
    token_ttl_seconds INTEGER NOT NULL, reject_duplicate_text INTEGER NOT NULL,
    rate_limited_count INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, kind TEXT NOT NULL, account_id INTEGER NOT NULL,
    expires_at TEXT, revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS posts (
    id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, text TEXT NOT NULL,
    fingerprint TEXT NOT NULL, language TEXT, created_at TEXT NOT NULL,
    followers_at_post INTEGER NOT NULL, in_reply_to TEXT, thread_root INTEGER,
    media TEXT NOT NULL DEFAULT '[]', deleted_at TEXT
);
CREATE INDEX IF NOT EXISTS posts_by_account ON posts (account_id, created_at);
CREATE INDEX IF NOT EXISTS posts_by_thread ON posts (thread_root);
CREATE TABLE IF NOT EXISTS idempotency (
    account_id INTEGER NOT NULL, key TEXT NOT NULL, post_id INTEGER NOT NULL,
    created_at TEXT NOT NULL, PRIMARY KEY (account_id, key)
);
CREATE TABLE IF NOT EXISTS media (
    id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, mime_type TEXT NOT NULL,
    size INTEGER NOT NULL, created_at TEXT NOT NULL
);
"""


def stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("sandbox times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def unstamp(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass(frozen=True)
class Account:
    id: int
    handle: str
    display_name: str
    followers: int
    follower_growth_per_day: float
    created_at: datetime
    posts_per_window: int
    window_seconds: int
    token_ttl_seconds: int
    reject_duplicate_text: bool
    rate_limited_count: int = 0

    @property
    def keys(self) -> tuple[str, ...]:
        """What a fault's ``account`` may name: the id or the handle."""
        return (str(self.id), self.handle)

    def followers_at(self, now: datetime) -> int:
        days = (now - self.created_at).total_seconds() / 86400
        return followers_at(self.followers, self.follower_growth_per_day, days)

    @property
    def ceiling_per_minute(self) -> float:
        return self.posts_per_window * 60 / self.window_seconds


@dataclass(frozen=True)
class Post:
    id: int
    account_id: int
    text: str
    language: str | None
    created_at: datetime
    followers_at_post: int
    in_reply_to: str | None
    thread_root: int | None
    media: list[dict[str, Any]]
    deleted_at: datetime | None


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_at: datetime


ACCOUNT_DEFAULTS: dict[str, Any] = {
    "followers": 1000,
    "follower_growth_per_day": 0.002,
    "posts_per_window": 30,
    "window_seconds": 60,
    "token_ttl_seconds": 3600,
    "reject_duplicate_text": False,
}


class SandboxStore:
    def __init__(self, path: str = ":memory:") -> None:
        # One connection shared by the event loop thread and admin helpers; the lock
        # makes each method atomic (the idempotency check and the insert happen together).
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    # --- accounts and tokens ------------------------------------------------------------

    def ensure_account(self, handle: str, now: datetime, **settings: Any) -> Account:
        """The account ``handle``, created with ``settings`` if it does not exist yet."""
        with self._lock:
            existing = self.account_by_handle(handle)
            if existing is not None:
                return existing
            values = {**ACCOUNT_DEFAULTS, **settings}
            self._db.execute(
                "INSERT INTO accounts (handle, display_name, followers, follower_growth_per_day,"
                " created_at, posts_per_window, window_seconds, token_ttl_seconds,"
                " reject_duplicate_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    handle,
                    values.get("display_name") or handle,
                    int(values["followers"]),
                    float(values["follower_growth_per_day"]),
                    stamp(now),
                    int(values["posts_per_window"]),
                    int(values["window_seconds"]),
                    int(values["token_ttl_seconds"]),
                    int(bool(values["reject_duplicate_text"])),
                ),
            )
            account = self.account_by_handle(handle)
            assert account is not None
            return account

    def _account(self, row: sqlite3.Row | None) -> Account | None:
        if row is None:
            return None
        data = dict(row)
        data["created_at"] = unstamp(data["created_at"])
        data["reject_duplicate_text"] = bool(data["reject_duplicate_text"])
        return Account(**data)

    def account(self, account_id: int) -> Account | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM accounts WHERE id = ?", (account_id,)).fetchone()
            return self._account(row)

    def account_by_handle(self, handle: str) -> Account | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM accounts WHERE handle = ?", (handle,)).fetchone()
            return self._account(row)

    def accounts(self) -> list[Account]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM accounts ORDER BY id").fetchall()
            return [a for a in map(self._account, rows) if a is not None]

    def issue_tokens(self, account: Account, now: datetime) -> TokenPair:
        pair = TokenPair(
            access_token=f"sbx-at-{secrets.token_urlsafe(18)}",
            refresh_token=f"sbx-rt-{secrets.token_urlsafe(18)}",
            expires_at=now + timedelta(seconds=account.token_ttl_seconds),
        )
        with self._lock:
            self._db.executemany(
                "INSERT INTO tokens (token, kind, account_id, expires_at) VALUES (?, ?, ?, ?)",
                [
                    (pair.access_token, "access", account.id, stamp(pair.expires_at)),
                    (pair.refresh_token, "refresh", account.id, None),
                ],
            )
        return pair

    def authenticate(self, token: str, now: datetime) -> tuple[str, Account | None]:
        """("ok", account), ("expired", account) or ("invalid", None)."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM tokens WHERE token = ? AND kind = 'access' AND revoked = 0",
                (token,),
            ).fetchone()
            if row is None:
                return "invalid", None
            account = self.account(row["account_id"])
            if unstamp(row["expires_at"]) <= now:
                return "expired", account
            return "ok", account

    def refresh(self, refresh_token: str, now: datetime) -> TokenPair | None:
        """Rotate: the refresh token is spent and a new pair issued (None if unknown)."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM tokens WHERE token = ? AND kind = 'refresh' AND revoked = 0",
                (refresh_token,),
            ).fetchone()
            if row is None:
                return None
            self._db.execute("UPDATE tokens SET revoked = 1 WHERE token = ?", (refresh_token,))
            account = self.account(row["account_id"])
            assert account is not None
            return self.issue_tokens(account, now)

    def expire_access_tokens(self, account: Account, now: datetime) -> int:
        with self._lock:
            cursor = self._db.execute(
                "UPDATE tokens SET expires_at = ? WHERE account_id = ? AND kind = 'access'"
                " AND expires_at > ?",
                (stamp(now), account.id, stamp(now)),
            )
            return cursor.rowcount

    def note_rate_limited(self, account: Account) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE accounts SET rate_limited_count = rate_limited_count + 1 WHERE id = ?",
                (account.id,),
            )

    # --- posts --------------------------------------------------------------------------

    def _post(self, row: sqlite3.Row | None) -> Post | None:
        if row is None:
            return None
        data = dict(row)
        data.pop("fingerprint")
        data["created_at"] = unstamp(data["created_at"])
        data["deleted_at"] = unstamp(data["deleted_at"]) if data["deleted_at"] else None
        data["media"] = json.loads(data["media"])
        return Post(**data)

    def post(self, post_id: int) -> Post | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM posts WHERE id = ?", (post_id,)).fetchone()
            return self._post(row)

    def post_for_key(self, account: Account, key: str, now: datetime) -> Post | None:
        """The post an idempotency key created within the last 24 hours."""
        with self._lock:
            row = self._db.execute(
                "SELECT post_id FROM idempotency WHERE account_id = ? AND key = ?"
                " AND created_at > ?",
                (account.id, key, stamp(now - IDEMPOTENCY_WINDOW)),
            ).fetchone()
            return self.post(row["post_id"]) if row else None

    def create_post(
        self,
        account: Account,
        text: str,
        now: datetime,
        *,
        key: str | None = None,
        language: str | None = None,
        in_reply_to: str | None = None,
        thread_root: int | None = None,
        media: list[dict[str, Any]] | None = None,
    ) -> Post:
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO posts (account_id, text, fingerprint, language, created_at,"
                " followers_at_post, in_reply_to, thread_root, media)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    account.id,
                    text,
                    text_fingerprint(text),
                    language,
                    stamp(now),
                    account.followers_at(now),
                    in_reply_to,
                    thread_root,
                    json.dumps(media or []),
                ),
            )
            post_id = int(cursor.lastrowid or 0)
            if key is not None:
                self._db.execute(
                    "INSERT OR REPLACE INTO idempotency (account_id, key, post_id, created_at)"
                    " VALUES (?, ?, ?, ?)",
                    (account.id, key, post_id, stamp(now)),
                )
            post = self.post(post_id)
            assert post is not None
            return post

    def delete_post(self, post: Post, now: datetime) -> None:
        with self._lock:
            self._db.execute("UPDATE posts SET deleted_at = ? WHERE id = ?", (stamp(now), post.id))

    def recent_posts(self, account: Account, limit: int, since: datetime | None) -> list[Post]:
        """Top-level, not deleted, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM posts WHERE account_id = ? AND deleted_at IS NULL"
                " AND in_reply_to IS NULL AND created_at >= ? ORDER BY id DESC LIMIT ?",
                (account.id, stamp(since) if since else "", limit),
            ).fetchall()
            return [p for p in map(self._post, rows) if p is not None]

    def latest_same_text(self, account: Account, text: str) -> Post | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM posts WHERE account_id = ? AND fingerprint = ?"
                " AND deleted_at IS NULL ORDER BY id DESC LIMIT 1",
                (account.id, text_fingerprint(text)),
            ).fetchone()
            return self._post(row)

    def replies_in_thread(self, root: Post) -> list[Post]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM posts WHERE thread_root = ? AND deleted_at IS NULL ORDER BY id",
                (root.id,),
            ).fetchall()
            return [p for p in map(self._post, rows) if p is not None]

    def creations_since(self, account: Account, since: datetime) -> list[datetime]:
        """When the account created posts (deleted ones included) after ``since``."""
        with self._lock:
            rows = self._db.execute(
                "SELECT created_at FROM posts WHERE account_id = ? AND created_at > ?"
                " ORDER BY created_at",
                (account.id, stamp(since)),
            ).fetchall()
            return [unstamp(row["created_at"]) for row in rows]

    def add_media(self, account: Account, mime_type: str, size: int, now: datetime) -> int:
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO media (account_id, mime_type, size, created_at) VALUES (?, ?, ?, ?)",
                (account.id, mime_type, size, stamp(now)),
            )
            return int(cursor.lastrowid or 0)

    def media_of(self, account: Account, media_id: int) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, mime_type, size FROM media WHERE id = ? AND account_id = ?",
                (media_id, account.id),
            ).fetchone()
            return dict(row) if row else None

    # --- reporting ----------------------------------------------------------------------

    def post_counts(self, account: Account) -> dict[str, int]:
        """Posts, deleted posts and texts published more than once (not deleted)."""
        with self._lock:
            total, deleted = self._db.execute(
                "SELECT COUNT(*), COUNT(deleted_at) FROM posts"
                " WHERE account_id = ? AND in_reply_to IS NULL",
                (account.id,),
            ).fetchone()
            repeated = self._db.execute(
                "SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM posts"
                " WHERE account_id = ? AND in_reply_to IS NULL AND deleted_at IS NULL"
                " GROUP BY fingerprint)",
                (account.id,),
            ).fetchone()[0]
            return {"posts": total, "deleted": deleted, "duplicate_texts": repeated}
