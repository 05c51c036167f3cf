"""Find links, #hashtags and @mentions in plain text, with offsets in every unit networks use.

One detection pass feeds two very different consumers: Telegram ``entities`` (offsets in
UTF-16 code units, ``#`` and ``@`` included) and Bluesky ``app.bsky.richtext.facet`` records
(UTF-8 byte offsets, start inclusive, end exclusive), plus the length counters of X and
Mastodon, which replace URLs with a fixed width. Detection rules follow Bluesky's documented
ones (docs.bsky.app, "Links, mentions, and rich text"): an entity starts the text or follows
whitespace (or "(" for links and mentions), trailing punctuation is not part of it, a tag needs
a character that is neither digit nor punctuation and is at most 64 graphemes / 640 bytes.

Domain-free: no network calls. Mentions are resolved to DIDs by a callback the caller injects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import regex

from hearth.kit.text_units import OffsetMap, grapheme_count, utf8_length

SpanKind = Literal["link", "tag", "mention"]

MAX_TAG_GRAPHEMES = 64
MAX_TAG_BYTES = 640

# Bare domains ("example.com/page") are links only under a known top-level domain, otherwise
# "file.txt" or "e.g" would become links. This is a deliberately short list of the TLDs an SMM
# audience actually writes; anything else still links when written with http(s)://.
KNOWN_TLDS = frozenset([
    "com", "org", "net", "edu", "gov", "mil", "int", "info", "biz", "name", "pro", "app", "dev",
    "io", "ai", "co", "me", "tv", "fm", "ly", "gg", "so", "to", "sh", "social", "blog", "online",
    "site", "shop", "store", "tech", "xyz", "news", "media", "link", "page", "club", "live",
    "art", "cloud", "ru", "su", "by", "kz", "ua", "uz", "am", "ge", "az", "kg", "md", "fr", "de",
    "uk", "eu", "es", "it", "pt", "nl", "be", "ch", "at", "pl", "cz", "sk", "hu", "ro", "bg",
    "gr", "se", "no", "dk", "fi", "is", "ie", "lu", "lt", "lv", "ee", "hr", "si", "rs", "us",
    "ca", "mx", "br", "ar", "cl", "au", "nz", "jp", "cn", "hk", "tw", "kr", "sg", "in", "id",
    "th", "vn", "my", "ph", "za", "ng", "eg", "tr", "il", "ae", "sa",
])  # fmt: skip

_ZERO_WIDTH = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2"
_URL = regex.compile(
    r"(?<=^|[\s(])"
    r"(?:(?P<scheme>https?://[^\s]+)"
    r"|(?P<domain>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?P<tld>[a-z]{2,63}))(?::\d{1,5})?"
    r"(?:[/?#][^\s]*)?)",
    regex.IGNORECASE,
)
_TAG = regex.compile(rf"(?<=^|\s)[#＃](?!\ufe0f)(?P<body>[^\s{_ZERO_WIDTH}]+)")
_TAG_NEEDS = regex.compile(r"[^\d\s\p{P}]")
_TRAILING_PUNCTUATION = regex.compile(r"\p{P}+$")
_MENTION = regex.compile(
    r"(?<=^|[\s(])@(?P<handle>[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?)"
    r"(?:@(?P<domain>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+))?"
    r"(?![a-z0-9_@])",
    regex.IGNORECASE,
)
_URL_TRAILING = set(".,;:!?'\"»”’…")
_TELEGRAM_USERNAME = regex.compile(r"[a-z][a-z0-9_]{4,31}", regex.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Span:
    """One detected entity and where it sits, in code points, UTF-16 units and UTF-8 bytes.

    ``text`` is exactly ``source[start:end]`` ("#tag", "@alice.bsky.social", "example.com/a");
    ``value`` is what a network wants: the full URI (https:// added to bare domains), the tag
    without "#", the handle without "@" ("user@instance.social" for a remote Mastodon account).
    """

    kind: SpanKind
    text: str
    value: str
    start: int
    end: int
    utf16_start: int
    utf16_end: int
    byte_start: int
    byte_end: int

    @property
    def utf16_length(self) -> int:
        return self.utf16_end - self.utf16_start


def _span(
    kind: SpanKind, source: str, offsets: OffsetMap, start: int, end: int, value: str
) -> Span:
    return Span(
        kind=kind,
        text=source[start:end],
        value=value,
        start=start,
        end=end,
        utf16_start=offsets.utf16(start),
        utf16_end=offsets.utf16(end),
        byte_start=offsets.utf8(start),
        byte_end=offsets.utf8(end),
    )


def _trim_url(candidate: str) -> str:
    """Drop punctuation that ends a sentence rather than the URL, and unbalanced closers."""
    while candidate:
        last = candidate[-1]
        if last in _URL_TRAILING or (last == ")" and candidate.count("(") < candidate.count(")")):
            candidate = candidate[:-1]
        else:
            break
    return candidate


def find_urls(
    text: str, *, require_scheme: bool = False, offsets: OffsetMap | None = None
) -> list[Span]:
    """Links in ``text``: http(s) URLs, and bare domains under a known TLD unless
    ``require_scheme`` (Mastodon only treats http(s) URLs as links)."""
    offsets = offsets or OffsetMap(text)
    spans = []
    for match in _URL.finditer(text):
        bare = match.group("scheme") is None
        if bare and (require_scheme or match.group("tld").lower() not in KNOWN_TLDS):
            continue
        raw = _trim_url(match.group(0))
        if match.group("scheme") is not None and len(raw) <= len("https://"):
            continue
        if match.group("scheme") is not None and "://" not in raw:
            continue
        uri = raw if match.group("scheme") is not None else f"https://{raw}"
        start = match.start()
        spans.append(_span("link", text, offsets, start, start + len(raw), uri))
    return spans


def find_hashtags(text: str, *, offsets: OffsetMap | None = None) -> list[Span]:
    """#tags by Bluesky's rules; ``value`` is the tag without "#"."""
    offsets = offsets or OffsetMap(text)
    spans = []
    for match in _TAG.finditer(text):
        tag = _TRAILING_PUNCTUATION.sub("", match.group("body"))
        if not tag or not _TAG_NEEDS.search(tag):
            continue
        if grapheme_count(tag) > MAX_TAG_GRAPHEMES or utf8_length(tag) > MAX_TAG_BYTES:
            continue
        start = match.start()
        spans.append(_span("tag", text, offsets, start, start + 1 + len(tag), tag))
    return spans


def find_mentions(text: str, *, offsets: OffsetMap | None = None) -> list[Span]:
    """@mentions: ``@name``, ``@alice.bsky.social`` and Mastodon's ``@user@instance.social``."""
    offsets = offsets or OffsetMap(text)
    spans = []
    for match in _MENTION.finditer(text):
        handle = match.group("handle")
        domain = match.group("domain")
        value = f"{handle}@{domain}" if domain else handle
        spans.append(_span("mention", text, offsets, match.start(), match.end(), value))
    return spans


def find_entities(text: str, *, require_scheme: bool = False) -> list[Span]:
    """All links, tags and mentions in text order, without overlaps (a link wins, then
    whichever starts first)."""
    offsets = OffsetMap(text)
    links = find_urls(text, require_scheme=require_scheme, offsets=offsets)
    others = find_hashtags(text, offsets=offsets) + find_mentions(text, offsets=offsets)
    kept = list(links)
    for span in sorted(others, key=lambda s: s.start):
        # "#tag(@a.b.test" holds both a tag and a mention; facets must not overlap.
        if not any(span.start < k.end and k.start < span.end for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


# --- network payload builders --------------------------------------------------------------------

_TELEGRAM_TYPES = {"link": "url", "tag": "hashtag", "mention": "mention"}


def telegram_entities(text: str) -> list[dict[str, Any]]:
    """Bot API ``MessageEntity`` dicts (offset/length in UTF-16 units) for links, tags and
    @usernames. Clients auto-link these anyway; explicit entities are needed when the message
    is sent with ``entities`` instead of a ``parse_mode``."""
    entities = []
    for span in find_entities(text):
        if span.kind == "mention" and not _TELEGRAM_USERNAME.fullmatch(span.value):
            continue
        entities.append(
            {
                "type": _TELEGRAM_TYPES[span.kind],
                "offset": span.utf16_start,
                "length": span.utf16_length,
            }
        )
    return entities


def bluesky_facets(
    text: str, resolve_handle: Callable[[str], str | None] | None = None
) -> list[dict[str, Any]]:
    """``app.bsky.richtext.facet`` records for ``text`` (UTF-8 byte offsets).

    Bluesky never detects rich text server-side, so without these a link is dead text.
    ``resolve_handle(handle) -> did | None`` turns a mention into a DID (the connector calls
    ``com.atproto.identity.resolveHandle``); mentions it cannot resolve, and every mention when
    no resolver is given, stay plain text, as Bluesky's own client does.
    """
    facets = []
    for span in find_entities(text):
        if span.kind == "link":
            feature: dict[str, Any] = {"$type": "app.bsky.richtext.facet#link", "uri": span.value}
        elif span.kind == "tag":
            feature = {"$type": "app.bsky.richtext.facet#tag", "tag": span.value}
        else:
            if resolve_handle is None or "@" in span.value or "." not in span.value:
                continue
            did = resolve_handle(span.value)
            if not did:
                continue
            feature = {"$type": "app.bsky.richtext.facet#mention", "did": did}
        facets.append(
            {
                "index": {"byteStart": span.byte_start, "byteEnd": span.byte_end},
                "features": [feature],
            }
        )
    return facets
