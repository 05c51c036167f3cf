"""The sandbox network: a loopback fake social network with a Mastodon-like REST API.

It is *not* a real network: every answer carries ``X-Sandbox: 1`` and every post
``"sandbox": true``, so a demo can never be mistaken for real publishing.

API (bearer token on every ``/api`` route):

==========================================  =============================================
``GET  /api/v1/accounts/verify_credentials``  the account, ``followers_count``, rate limit
``GET  /api/v1/accounts/{id}/posts``          newest top-level posts (``limit``, ``since``)
``POST /api/v1/media``                        raw image body → ``{"id": …}``
``POST /api/v1/posts``                        ``{"text", "language", "media", "in_reply_to"}``
                                              + ``Idempotency-Key`` (remembered 24 h)
``GET  /api/v1/posts/{id}``                   the post with ``metrics`` at the server's now
``DELETE /api/v1/posts/{id}``                 delete
``GET  /api/v1/posts/{id}/comments``          audience comments + replies (``cursor``)
``POST /oauth/token``                         ``grant_type=refresh_token`` → new token pair
==========================================  =============================================

Admin (no auth: the sandbox listens on loopback only): ``POST /_accounts`` (create or
reuse an account and issue tokens), ``POST|GET|DELETE /_faults``, ``GET /_stats``,
``GET /_health``.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from hearth.connectors import rules
from hearth.connectors.base import texts_match
from hearth.sandbox import engagement
from hearth.sandbox.faults import FaultBoard
from hearth.sandbox.store import Account, Post, SandboxStore, TokenPair
from hearth.sandbox.web import (
    BadRequest,
    Receive,
    Request,
    Response,
    Routes,
    Scope,
    Send,
    answer_lifespan,
    error,
)

Clock = Callable[[], datetime]
Stall = Callable[[float], Awaitable[None]]
TEXT_RULES = rules.rules_for("sandbox")  # Mastodon's limits, under the sandbox's own name
MAX_MEDIA = 4
MAX_IMAGE_BYTES = 16_000_000
COMMENT_PAGE = 20


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class SandboxApp:
    """The ASGI application. ``clock`` and ``stall`` are injected for tests."""

    def __init__(
        self,
        store: SandboxStore,
        *,
        clock: Clock = utc_now,
        stall: Stall = asyncio.sleep,
    ) -> None:
        self.store = store
        self.faults = FaultBoard()
        self._clock = clock
        self._stall = stall
        self.routes = Routes()
        api = self._authenticated
        for method, pattern, handler, operation in (
            ("GET", "/api/v1/accounts/verify_credentials", self._me, "read"),
            ("GET", "/api/v1/accounts/{account_id}/posts", self._list_posts, "read"),
            ("POST", "/api/v1/media", self._upload, "upload"),
            ("POST", "/api/v1/posts", self._create_post, "create"),
            ("GET", "/api/v1/posts/{post_id}", self._get_post, "read"),
            ("DELETE", "/api/v1/posts/{post_id}", self._delete_post, "delete"),
            ("GET", "/api/v1/posts/{post_id}/comments", self._comments, "read"),
        ):
            self.routes.add(method, pattern, api(handler, operation))
        self.routes.add("POST", "/oauth/token", self._token)
        self.routes.add("POST", "/_accounts", self._admin_account)
        self.routes.add("POST", "/_faults", self._arm_fault)
        self.routes.add("GET", "/_faults", self._list_faults)
        self.routes.add("DELETE", "/_faults", self._clear_faults)
        self.routes.add("GET", "/_stats", self._stats)
        self.routes.add("GET", "/_health", lambda request: Response(200, {"ok": True}))

    def now(self) -> datetime:
        moment = self._clock()
        if moment.tzinfo is None:
            raise ValueError("the sandbox clock must return timezone-aware datetimes")
        return moment

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await answer_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        request = await Request.receive(scope, receive)
        route = self.routes.resolve(request)
        if isinstance(route, Response):
            response = route
        else:
            try:
                response = route(request)
            except BadRequest as exc:
                response = error(422, "validation", str(exc))
        response.headers.setdefault("X-Sandbox", "1")
        if response.stall_seconds:
            # The work is done (the post is stored); the answer comes too late.
            await self._stall(response.stall_seconds)
        await response.send(send)

    # --- authentication and faults ------------------------------------------------------

    def _authenticated(
        self, handler: Callable[[Request, Account], Response], operation: str
    ) -> Callable[[Request], Response]:
        def guarded(request: Request) -> Response:
            token = request.bearer()
            state, account = self.store.authenticate(token or "", self.now())
            if state == "expired":
                return error(
                    401,
                    "token_expired",
                    "the access token expired; refresh it",
                    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
            if account is None:
                return error(401, "invalid_token", "unknown or revoked access token")
            return self._with_faults(request, account, operation, handler)

        return guarded

    def _with_faults(
        self,
        request: Request,
        account: Account,
        operation: str,
        handler: Callable[[Request, Account], Response],
    ) -> Response:
        fault = self.faults.take(account.keys, operation)
        if fault is None:
            return handler(request, account)
        if fault.kind == "rate_limit":
            reset = self.now() + timedelta(seconds=fault.retry_after)
            return error(
                429,
                "rate_limited",
                "too many requests (injected fault)",
                headers={"Retry-After": str(fault.retry_after), "X-RateLimit-Reset": iso(reset)},
            )
        if fault.kind == "duplicate":
            text = str(request.json().get("text", "")) if request.method == "POST" else ""
            existing = self.store.latest_same_text(account, text)
            body = self._post_json(existing, account, request.base_url) if existing else None
            return error(409, "duplicate", "this was already posted", existing=body)
        if fault.kind == "server_error" and not fault.applied:
            return error(fault.status, "server_error", "the sandbox failed (injected fault)")
        response = handler(request, account)
        if response.status >= 400:
            return response  # nothing was applied, so nothing to be ambiguous about
        if fault.kind == "server_error":
            return error(fault.status, "server_error", "failed after applying (injected fault)")
        response.stall_seconds = fault.stall_seconds  # timeout_after_accept
        return response

    # --- accounts -----------------------------------------------------------------------

    def _account_json(self, account: Account, base_url: str) -> dict[str, Any]:
        return {
            "id": str(account.id),
            "handle": account.handle,
            "display_name": account.display_name,
            "url": f"{base_url}/@{account.handle}",
            "followers_count": account.followers_at(self.now()),
            "created_at": iso(account.created_at),
            "rate_limit": {
                "posts": account.posts_per_window,
                "window_seconds": account.window_seconds,
                "ceiling_per_minute": account.ceiling_per_minute,
            },
            "sandbox": True,
        }

    def _me(self, request: Request, account: Account) -> Response:
        return Response(200, self._account_json(account, request.base_url))

    def _token(self, request: Request) -> Response:
        body = request.json()
        if body.get("grant_type") != "refresh_token":
            return error(400, "unsupported_grant_type", "only grant_type=refresh_token")
        pair = self.store.refresh(str(body.get("refresh_token", "")), self.now())
        if pair is None:
            return error(400, "invalid_grant", "unknown or already used refresh token")
        return Response(200, token_json(pair, self.now()))

    # --- posts --------------------------------------------------------------------------

    def _post_json(self, post: Post, account: Account, base_url: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": str(post.id),
            "url": f"{base_url}/@{account.handle}/{post.id}",
            "account": {"id": str(account.id), "handle": account.handle},
            "text": post.text,
            "language": post.language,
            "created_at": iso(post.created_at),
            "in_reply_to": post.in_reply_to,
            "media": post.media,
            "sandbox": True,
        }
        if post.thread_root is None:
            counts = self._engagement(post)
            replies = len(self.store.replies_in_thread(post))
            data["metrics"] = {
                "views": counts.views,
                "likes": counts.likes,
                "comments": counts.comments + replies,
                "shares": counts.shares,
                "followers_at_post": post.followers_at_post,
            }
        return data

    def _engagement(self, post: Post) -> engagement.Engagement:
        age = self.now() - post.created_at
        return engagement.engagement_at(post.id, post.followers_at_post, age)

    def _visible_post(self, request: Request) -> Post | Response:
        raw = request.params["post_id"]
        post = self.store.post(int(raw)) if raw.isdigit() else None
        if post is None or post.deleted_at is not None:
            return error(404, "not_found", f"post {raw} does not exist")
        return post

    def _create_post(self, request: Request, account: Account) -> Response:
        body = request.json()
        now = self.now()
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return error(422, "validation", "text is required")
        key = request.headers.get("idempotency-key")
        if key:
            earlier = self.store.post_for_key(account, key, now)
            if earlier is not None:
                return self._replay(earlier, text, account, request.base_url)
        used = rules.count(TEXT_RULES, text)
        if used > (TEXT_RULES.text_limit or 500):
            return error(422, "validation", f"text is {used} characters; the limit is 500")
        thread_root: int | None = None
        in_reply_to = body.get("in_reply_to")
        if in_reply_to is not None:
            thread_root = self._thread_of(str(in_reply_to))
            if thread_root is None:
                return error(404, "not_found", f"nothing to reply to at {in_reply_to}")
        media = self._attachments(body.get("media") or [], account)
        if isinstance(media, Response):
            return media
        limited = self._rate_limited(account, now)
        if limited is not None:
            return limited
        if account.reject_duplicate_text and thread_root is None:
            same = self.store.latest_same_text(account, text)
            if same is not None:
                existing = self._post_json(same, account, request.base_url)
                return error(409, "duplicate", "you already posted this text", existing=existing)
        post = self.store.create_post(
            account,
            text,
            now,
            key=key or None,
            language=body.get("language"),
            in_reply_to=str(in_reply_to) if in_reply_to is not None else None,
            thread_root=thread_root,
            media=media,
        )
        return Response(201, self._post_json(post, account, request.base_url))

    def _replay(self, earlier: Post, text: str, account: Account, base_url: str) -> Response:
        if earlier.deleted_at is not None:
            return error(409, "idempotency_conflict", "this key created a post since deleted")
        shown = self._post_json(earlier, account, base_url)
        if not texts_match(earlier.text, text):
            return error(
                409, "idempotency_conflict", "this key already names another post", existing=shown
            )
        return Response(200, shown, {"Idempotent-Replayed": "true"})

    def _thread_of(self, target: str) -> int | None:
        """The top-level post a reply to ``target`` (a post id or ``P-cN``) belongs to."""
        post_part, _, comment_part = target.partition("-c")
        if not post_part.isdigit():
            return None
        post = self.store.post(int(post_part))
        if post is None or post.deleted_at is not None:
            return None
        root = post.thread_root or post.id
        if not comment_part:
            return root
        if not comment_part.isdigit() or post.thread_root is not None:
            return None
        return root if int(comment_part) < self._engagement(post).comments else None

    def _attachments(self, items: Any, account: Account) -> list[dict[str, Any]] | Response:
        if not isinstance(items, list) or len(items) > MAX_MEDIA:
            return error(422, "validation", f"media is a list of at most {MAX_MEDIA} items")
        attached = []
        for item in items:
            media_id = str(item.get("id", "")) if isinstance(item, dict) else ""
            found = self.store.media_of(account, int(media_id)) if media_id.isdigit() else None
            if found is None:
                return error(422, "validation", f"unknown media id {media_id!r}")
            attached.append({**found, "id": media_id, "alt": str(item.get("alt") or "")})
        return attached

    def _rate_limited(self, account: Account, now: datetime) -> Response | None:
        """Sliding window: at most ``posts_per_window`` creations in ``window_seconds``."""
        window = timedelta(seconds=account.window_seconds)
        recent = self.store.creations_since(account, now - window)
        limit = account.posts_per_window
        if len(recent) < limit:
            return None
        frees_at = recent[len(recent) - limit] + window
        wait = max(1, math.ceil((frees_at - now).total_seconds()))
        self.store.note_rate_limited(account)
        return error(
            429,
            "rate_limited",
            f"at most {limit} posts per {account.window_seconds} s",
            headers={
                "Retry-After": str(wait),
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": iso(frees_at),
            },
        )

    def _upload(self, request: Request, account: Account) -> Response:
        mime = request.headers.get("content-type", "").split(";")[0].strip()
        if not mime.startswith("image/"):
            return error(422, "media_rejected", f"not an image: {mime or 'no content type'}")
        if not request.body:
            return error(422, "media_rejected", "empty upload")
        if len(request.body) > MAX_IMAGE_BYTES:
            return error(413, "media_rejected", f"images are at most {MAX_IMAGE_BYTES} bytes")
        media_id = self.store.add_media(account, mime, len(request.body), self.now())
        return Response(200, {"id": str(media_id), "mime_type": mime, "size": len(request.body)})

    def _get_post(self, request: Request, account: Account) -> Response:
        post = self._visible_post(request)
        if isinstance(post, Response):
            return post
        owner = self.store.account(post.account_id) or account
        return Response(200, self._post_json(post, owner, request.base_url))

    def _delete_post(self, request: Request, account: Account) -> Response:
        post = self._visible_post(request)
        if isinstance(post, Response):
            return post
        if post.account_id != account.id:
            return error(403, "forbidden", "only the author can delete a post")
        self.store.delete_post(post, self.now())
        return Response(200, {"id": str(post.id), "deleted": True})

    def _list_posts(self, request: Request, account: Account) -> Response:
        raw = request.params["account_id"]
        owner = self.store.account(int(raw)) if raw.isdigit() else None
        if owner is None:
            return error(404, "not_found", f"account {raw} does not exist")
        limit = request.query.get("limit", "20")
        since = request.query.get("since")
        try:
            count = min(max(int(limit), 1), 100)
            moment = datetime.fromisoformat(since.replace("Z", "+00:00")) if since else None
        except ValueError as exc:
            raise BadRequest("limit is an integer, since an ISO 8601 time") from exc
        posts = self.store.recent_posts(owner, count, moment)
        return Response(200, [self._post_json(p, owner, request.base_url) for p in posts])

    def _comments(self, request: Request, account: Account) -> Response:
        post = self._visible_post(request)
        if isinstance(post, Response):
            return post
        owner = self.store.account(post.account_id) or account
        items = self._thread(post, owner)
        cursor = request.query.get("cursor", "0")
        start = int(cursor) if cursor.isdigit() else 0
        page = items[start : start + COMMENT_PAGE]
        more = start + COMMENT_PAGE < len(items)
        return Response(
            200, {"items": page, "next_cursor": str(start + COMMENT_PAGE) if more else None}
        )

    def _thread(self, post: Post, owner: Account) -> list[dict[str, Any]]:
        """Generated audience comments (dated along the comments curve) and our replies."""
        now = self.now()
        fate = engagement.post_fate(post.id, post.followers_at_post)
        arrived = self._engagement(post).comments
        items = []
        for index in range(arrived):
            author_id, name, text = engagement.audience_comment(post.id, index)
            delay = engagement.arrival_age(fate.totals.comments, fate.tau_hours["comments"], index)
            items.append(
                {
                    "id": f"{post.id}-c{index}",
                    "post_id": str(post.id),
                    "author": {"id": author_id, "name": name},
                    "text": text,
                    "created_at": iso(min(post.created_at + delay, now)),
                    "in_reply_to": None,
                }
            )
        for reply in self.store.replies_in_thread(post):
            items.append(
                {
                    "id": str(reply.id),
                    "post_id": str(post.id),
                    "author": {"id": str(owner.id), "name": owner.handle},
                    "text": reply.text,
                    "created_at": iso(reply.created_at),
                    "in_reply_to": reply.in_reply_to,
                }
            )
        return sorted(items, key=lambda item: item["created_at"])

    # --- admin --------------------------------------------------------------------------

    def _admin_account(self, request: Request) -> Response:
        body = request.json()
        handle = body.pop("handle", None)
        if not isinstance(handle, str) or not handle.replace("-", "").replace("_", "").isalnum():
            return error(422, "validation", "handle: letters, digits, '-' and '_'")
        allowed = {
            "display_name",
            "followers",
            "follower_growth_per_day",
            "posts_per_window",
            "window_seconds",
            "token_ttl_seconds",
            "reject_duplicate_text",
        }
        if set(body) - allowed:
            return error(422, "validation", f"unknown: {', '.join(sorted(set(body) - allowed))}")
        for name in ("posts_per_window", "window_seconds", "token_ttl_seconds"):
            if name in body and (not isinstance(body[name], int) or body[name] < 1):
                return error(422, "validation", f"{name} must be a positive integer")
        now = self.now()
        account = self.store.ensure_account(handle, now, **body)
        pair = self.store.issue_tokens(account, now)
        credentials = {
            "base_url": request.base_url,
            "account_id": str(account.id),
            "handle": account.handle,
            **token_json(pair, now),
        }
        return Response(
            201,
            {"account": self._account_json(account, request.base_url), "credentials": credentials},
        )

    def _arm_fault(self, request: Request) -> Response:
        body = request.json()
        if body.get("kind") == "expire_token":
            account = self._admin_target(str(body.get("account", "")))
            if account is None:
                return error(404, "not_found", "expire_token needs an existing account")
            expired = self.store.expire_access_tokens(account, self.now())
            return Response(201, {"kind": "expire_token", "expired_tokens": expired})
        try:
            fault = self.faults.arm(body)
        except ValueError as exc:
            return error(422, "validation", str(exc))
        return Response(201, fault.as_json())

    def _admin_target(self, name: str) -> Account | None:
        if name.isdigit():
            return self.store.account(int(name))
        return self.store.account_by_handle(name)

    def _list_faults(self, request: Request) -> Response:
        return Response(200, [fault.as_json() for fault in self.faults.active()])

    def _clear_faults(self, request: Request) -> Response:
        self.faults.clear()
        return Response(200, [])

    def _stats(self, request: Request) -> Response:
        accounts: list[dict[str, Any]] = []
        for account in self.store.accounts():
            accounts.append(
                {
                    "id": str(account.id),
                    "handle": account.handle,
                    **self.store.post_counts(account),
                    "rate_limited": account.rate_limited_count,
                    "rate_limit": {
                        "posts": account.posts_per_window,
                        "window_seconds": account.window_seconds,
                    },
                    "ceiling_per_minute": account.ceiling_per_minute,
                }
            )
        totals = {
            name: sum(a[name] for a in accounts)
            for name in ("posts", "deleted", "duplicate_texts", "rate_limited")
        }
        totals["ceiling_per_minute"] = sum(a["ceiling_per_minute"] for a in accounts)
        return Response(200, {"accounts": accounts, "totals": totals})


def token_json(pair: TokenPair, now: datetime) -> dict[str, Any]:
    return {
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "expires_at": iso(pair.expires_at),
        "expires_in": max(0, int((pair.expires_at - now).total_seconds())),
    }


def create_app(
    db_path: str = ":memory:", *, clock: Clock = utc_now, stall: Stall = asyncio.sleep
) -> SandboxApp:
    return SandboxApp(SandboxStore(db_path), clock=clock, stall=stall)


def run(host: str = "127.0.0.1", port: int = 8790, db_path: str = ":memory:") -> None:
    """Serve the sandbox with uvicorn until interrupted (``python -m hearth.sandbox``)."""
    import uvicorn

    print(f"Hearth sandbox network (a fake network for demos) on http://{host}:{port}", flush=True)
    uvicorn.run(create_app(db_path), host=host, port=port, log_level="warning")
