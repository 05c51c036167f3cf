"""The redirector ``/r/<code>``: look the code up, answer 302 to the stored destination, log.

Two doors, one behaviour. The Django view (``views.redirect``) serves every request it gets,
looks codes up in the database and fills the route cache. In front of Django, ``hearth.asgi``
asks ``serve_cached`` first: a GET or HEAD for a code already in the cache is answered right
there, without Django's middleware, which is what keeps the redirector near the speed of a bare
ASGI app. Anything else (a cache miss, an unknown code, another method) falls through to Django.

Only stored fields decide the Location: nothing of the request (query string, path beyond the
code, headers) is ever copied into it, so there is no open redirect.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from django.utils.encoding import iri_to_uri

from hearth.links import buffer
from hearth.links.buffer import LinkRoute, RawClick
from hearth.links.models import CODE_PATTERN

CACHE_TTL_SECONDS = 10.0
CACHE_MAX_ENTRIES = 50_000
PREFIX = "/r/"

# Sent with every redirect. no-store: each click must reach us, not a cache. no-referrer: the
# UTM tags already say where the visitor came from, and the referring page may be private.
REDIRECT_HEADERS = (
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Content-Type-Options", "nosniff"),
)

_cache: dict[str, tuple[float, LinkRoute | None]] = {}
_cache_lock = threading.Lock()


def lookup(code: str) -> LinkRoute | None:
    """The route for ``code`` from the cache or the database (``None``: no such active link)."""
    if not CODE_PATTERN.fullmatch(code):
        return None
    hit = _cache.get(code)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    from hearth.links.models import TrackedLink

    link = TrackedLink.objects.filter(code=code, is_active=True).first()
    route = None
    if link is not None:
        route = LinkRoute(
            link_id=link.pk,
            workspace_id=link.workspace_id,
            network=link.network,
            channel_ref=link.channel_ref,
            post_ref=link.post_ref,
            location=iri_to_uri(link.destination()),
        )
    with _cache_lock:
        if len(_cache) >= CACHE_MAX_ENTRIES:
            _cache.clear()
        _cache[code] = (time.monotonic() + CACHE_TTL_SECONDS, route)
    return route


def cached(code: str) -> LinkRoute | None:
    """The cached route for ``code``, never touching the database (``None``: not cached)."""
    hit = _cache.get(code)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    return None


def forget(code: str) -> None:
    """Drop ``code`` from this process's cache (others see a change within the TTL)."""
    with _cache_lock:
        _cache.pop(code, None)


def log_click(route: LinkRoute, *, ip: str, user_agent: str, referrer: str, method: str) -> None:
    buffer.record(
        RawClick(
            route=route,
            at=datetime.now(UTC),
            ip=ip,
            user_agent=user_agent,
            referrer=referrer,
            method=method,
        )
    )


def _header(scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""


async def serve_cached(scope, receive, send) -> bool:
    """Answer a cached short link at the ASGI level; ``False``: let Django handle it."""
    path = scope["path"]
    if not path.startswith(PREFIX) or scope["method"] not in ("GET", "HEAD"):
        return False
    route = cached(path[len(PREFIX) :])
    if route is None:
        return False
    client = scope.get("client")
    log_click(
        route,
        ip=client[0] if client else "",
        user_agent=_header(scope, b"user-agent"),
        referrer=_header(scope, b"referer"),
        method=scope["method"],
    )
    headers = [(b"location", route.location.encode("ascii")), (b"content-length", b"0")]
    headers += [(k.lower().encode(), v.encode()) for k, v in REDIRECT_HEADERS]
    await send({"type": "http.response.start", "status": 302, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
    return True
