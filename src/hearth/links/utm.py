"""UTM parameters: templates, rendering, and adding them to a URL. Pure functions, no Django.

A template field is text with ``{placeholder}`` names filled from the link's context, so the
same template gives ``utm_source=vk`` for a VK post and ``utm_source=telegram`` for a Telegram one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from hearth.kit.richtext import find_urls

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")

# The defaults the method implies: the network is the source, social is the medium, the project
# is the campaign and the post is the content, so the site's analytics can split by each.
DEFAULT_TEMPLATE: Mapping[str, str] = {
    "utm_source": "{network}",
    "utm_medium": "social",
    "utm_campaign": "{project}",
    "utm_content": "{post}",
    "utm_term": "",
}
PLACEHOLDERS = ("network", "project", "project_id", "channel", "post", "date")
_PLACEHOLDER = re.compile(r"\{(\w*)\}")
_SLUG_DROP = re.compile(r"[^\w-]+")


def slug(value: str) -> str:
    """A readable UTM value: lower case, spaces to dashes (Cyrillic letters stay as they are)."""
    return _SLUG_DROP.sub("", "-".join(value.lower().split())).strip("-")


def unknown_placeholders(field_value: str) -> list[str]:
    return [name for name in _PLACEHOLDER.findall(field_value) if name not in PLACEHOLDERS]


def render_utm(template: Mapping[str, str], context: Mapping[str, str | None]) -> dict[str, str]:
    """Fill each template field from ``context``; a field that renders empty is left out.

    >>> render_utm({"utm_source": "{network}", "utm_medium": "social"}, {"network": "vk"})
    {'utm_source': 'vk', 'utm_medium': 'social'}
    """
    rendered = {}
    for field in UTM_FIELDS:
        pattern = template.get(field) or ""
        value = _PLACEHOLDER.sub(lambda m: str(context.get(m.group(1)) or ""), pattern).strip()
        if value:
            rendered[field] = value
    return rendered


def _quote_value(value: str) -> str:
    return quote(value, safe="-._~")


def apply_utm(url: str, params: Mapping[str, str | None], *, overwrite: bool = False) -> str:
    """``url`` with ``params`` added to its query; everything else is kept byte for byte.

    Existing query parameters keep their order and encoding, the fragment stays last. A
    parameter the URL already has wins (its author chose it) unless ``overwrite``; empty values
    are skipped. Only the query string changes, so a URL that worked keeps working.
    """
    parts = urlsplit(url)
    wanted = {k: v for k, v in params.items() if v}
    pieces = [p for p in parts.query.split("&") if p] if parts.query else []
    present = {key for key, _value in parse_qsl(parts.query, keep_blank_values=True)}
    if overwrite:
        pieces = [p for p in pieces if _key_of(p) not in wanted]
    else:
        wanted = {k: v for k, v in wanted.items() if k not in present}
    pieces += [f"{_quote_value(k)}={_quote_value(str(v))}" for k, v in wanted.items()]
    return urlunsplit(parts._replace(query="&".join(pieces)))


def _key_of(piece: str) -> str:
    pairs = parse_qsl(piece, keep_blank_values=True)
    return pairs[0][0] if pairs else piece


def replace_urls(text: str, replace: Callable[[str], str | None]) -> str:
    """``text`` with each http(s) URL swapped for ``replace(url)`` (``None`` keeps it).

    URL detection is the one the length counters use (``hearth.kit.richtext``), so a link the
    network will show is exactly a link that gets replaced; bare domains are left alone since
    the network may not link them either.
    """
    out, last = [], 0
    for span in find_urls(text, require_scheme=True):
        replacement = replace(span.value)
        if replacement is None:
            continue
        out += [text[last : span.start], replacement]
        last = span.end
    out.append(text[last:])
    return "".join(out)
