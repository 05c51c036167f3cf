"""Text length in the units social networks count in, and offset conversions between them.

Networks disagree on what a "character" is: Bluesky counts grapheme clusters and UTF-8
bytes, Telegram counts UTF-16 code units, X weights code points and counts emoji and URLs
specially, Mastodon counts graphemes after shortening URLs and remote mentions. Python's
``len()`` (code points) matches none of them, so every limit check goes through here.

Domain-free: nothing in this module knows about posts or networks beyond counting rules.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from collections.abc import Iterable

import regex

_GRAPHEME = regex.compile(r"\X")
_EXTENDED_PICTOGRAPHIC = regex.compile(r"\p{Extended_Pictographic}")
_EMOJI_PRESENTATION = regex.compile(r"\p{Emoji_Presentation}")
_REGIONAL_INDICATOR = regex.compile(r"\p{Regional_Indicator}")
_VARIATION_SELECTOR_16 = "\ufe0f"
_COMBINING_KEYCAP = "\u20e3"

# --- X / Twitter weighting (twitter-text "v3" configuration, from X's counting docs) -----------
# Code points inside these inclusive ranges weigh 100, anything else (CJK, most symbols) weighs
# the default 200; an emoji sequence weighs 200 however many code points it has; a URL weighs
# 23 * scale. The weighted length is the sum divided by the scale.
X_SCALE = 100
X_DEFAULT_WEIGHT = 200
X_EMOJI_WEIGHT = 200
X_TRANSFORMED_URL_LENGTH = 23
X_MAX_WEIGHTED_LENGTH = 280
X_LIGHT_RANGES: tuple[tuple[int, int, int], ...] = (
    (0x0000, 0x10FF, 100),  # Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic, Indic, Georgian…
    (0x2000, 0x200D, 100),  # spaces and zero-width joiners
    (0x2010, 0x201F, 100),  # dashes and quotation marks
    (0x2032, 0x2037, 100),  # primes
)

# Mastodon replaces every http(s) URL with a placeholder of this many characters before counting.
MASTODON_CHARACTERS_RESERVED_PER_URL = 23


# --- plain measures -----------------------------------------------------------------------------


def graphemes(text: str) -> list[str]:
    """Split into extended grapheme clusters (what a reader sees as one character)."""
    return _GRAPHEME.findall(text)


def grapheme_count(text: str) -> int:
    """Number of extended grapheme clusters: 👨‍👩‍👧‍👦, 🇫🇷 and e + U+0301 each count 1."""
    return sum(1 for _ in _GRAPHEME.finditer(text))


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units (what JavaScript's ``.length`` and Telegram count)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def utf8_length(text: str) -> int:
    """Length in UTF-8 bytes (Bluesky's ``maxLength``, YouTube's description limit)."""
    return len(text.encode("utf-8"))


def _utf8_width(ch: str) -> int:
    cp = ord(ch)
    if cp < 0x80:
        return 1
    if cp < 0x800:
        return 2
    if cp < 0x10000:
        return 3
    return 4


# --- offset conversions -------------------------------------------------------------------------


class OffsetMap:
    """Converts offsets in one string between code points, UTF-16 units and UTF-8 bytes.

    Built once per text (prefix sums), so converting the many spans of a rich-text post costs
    a lookup each. Converting back from a unit offset that falls inside a character (between
    the halves of a surrogate pair, inside a multi-byte sequence) raises ``ValueError``: such
    an offset cannot come from a valid entity or facet and must not be silently rounded.
    """

    __slots__ = ("_utf8", "_utf16", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        utf16 = [0]
        utf8 = [0]
        for ch in text:
            utf16.append(utf16[-1] + (2 if ord(ch) > 0xFFFF else 1))
            utf8.append(utf8[-1] + _utf8_width(ch))
        self._utf16 = utf16
        self._utf8 = utf8

    def _check_char_index(self, index: int) -> None:
        if not 0 <= index <= len(self.text):
            raise ValueError(f"char index {index} outside 0..{len(self.text)}")

    def utf16(self, index: int) -> int:
        """UTF-16 offset of code-point index ``index`` (0..len(text))."""
        self._check_char_index(index)
        return self._utf16[index]

    def utf8(self, index: int) -> int:
        """UTF-8 byte offset of code-point index ``index`` (0..len(text))."""
        self._check_char_index(index)
        return self._utf8[index]

    @staticmethod
    def _back(prefix: list[int], offset: int, unit: str) -> int:
        index = bisect_left(prefix, offset)
        if index >= len(prefix) or prefix[index] != offset:
            raise ValueError(f"{unit} offset {offset} is not on a character boundary")
        return index

    def char_from_utf16(self, offset: int) -> int:
        """Code-point index of a UTF-16 offset; ValueError inside a surrogate pair."""
        return self._back(self._utf16, offset, "UTF-16")

    def char_from_utf8(self, offset: int) -> int:
        """Code-point index of a UTF-8 byte offset; ValueError inside a multi-byte sequence."""
        return self._back(self._utf8, offset, "UTF-8")

    def utf16_to_utf8(self, offset: int) -> int:
        return self._utf8[self.char_from_utf16(offset)]

    def utf8_to_utf16(self, offset: int) -> int:
        return self._utf16[self.char_from_utf8(offset)]


def _check_index(text: str, index: int) -> None:
    if not 0 <= index <= len(text):
        raise ValueError(f"char index {index} outside 0..{len(text)}")


def char_to_utf16(text: str, index: int) -> int:
    """UTF-16 offset of code-point index ``index`` in ``text``."""
    _check_index(text, index)
    return utf16_length(text[:index])


def utf16_to_char(text: str, offset: int) -> int:
    """Code-point index of UTF-16 ``offset`` in ``text`` (ValueError inside a surrogate pair)."""
    return OffsetMap(text).char_from_utf16(offset)


def char_to_utf8(text: str, index: int) -> int:
    """UTF-8 byte offset of code-point index ``index`` in ``text``."""
    _check_index(text, index)
    return utf8_length(text[:index])


def utf8_to_char(text: str, offset: int) -> int:
    """Code-point index of UTF-8 byte ``offset`` in ``text`` (ValueError mid-sequence)."""
    return OffsetMap(text).char_from_utf8(offset)


# --- emoji ---------------------------------------------------------------------------------------


def is_emoji_grapheme(cluster: str) -> bool:
    """True if a grapheme cluster is displayed as an emoji.

    Follows Unicode's emoji presentation rules: a flag (regional-indicator pair), a keycap
    (``1️⃣``), anything holding a default-emoji-presentation code point (👍, 👨‍👩‍👧), or a
    pictograph forced to emoji style with U+FE0F (``©️``). A bare text-style pictograph such as
    ``©`` or ``™`` is not an emoji here, so X weighs it by its code point like any other char.
    """
    if _REGIONAL_INDICATOR.match(cluster) and len(cluster) >= 2:
        return True
    if _COMBINING_KEYCAP in cluster:
        return True
    if _EMOJI_PRESENTATION.search(cluster):
        return True
    return _VARIATION_SELECTOR_16 in cluster and bool(_EXTENDED_PICTOGRAPHIC.search(cluster))


# --- X / Twitter ---------------------------------------------------------------------------------


def _x_code_point_weight(cp: int) -> int:
    for start, end, weight in X_LIGHT_RANGES:
        if start <= cp <= end:
            return weight
    return X_DEFAULT_WEIGHT


def _x_plain_weight(text: str) -> int:
    total = 0
    for cluster in graphemes(text):
        if is_emoji_grapheme(cluster):
            total += X_EMOJI_WEIGHT
        else:
            total += sum(_x_code_point_weight(ord(ch)) for ch in cluster)
    return total


def _replace_spans(text: str, spans: Iterable[tuple[int, int]]) -> list[str]:
    """Pieces of ``text`` outside the given (start, end) char spans."""
    pieces = []
    cursor = 0
    for start, end in sorted(spans):
        pieces.append(text[cursor:start])
        cursor = end
    pieces.append(text[cursor:])
    return pieces


def x_weighted_length(text: str, *, url_length: int = X_TRANSFORMED_URL_LENGTH) -> int:
    """Length of a post as X counts it against its 280 limit.

    The text is NFC-normalised first (so e + U+0301 is one code point, as X sees it); each URL,
    with or without a scheme, counts ``url_length`` (t.co); each emoji counts 2; code points in
    the light ranges count 1, all others (CJK, Hangul syllables, most symbols) count 2.
    """
    # Imported here because richtext builds on this module's offset maps.
    from hearth.kit.richtext import find_urls

    normalized = unicodedata.normalize("NFC", text)
    urls = find_urls(normalized, require_scheme=False)
    weight = sum(
        _x_plain_weight(piece)
        for piece in _replace_spans(normalized, ((u.start, u.end) for u in urls))
    )
    weight += len(urls) * url_length * X_SCALE
    return weight // X_SCALE


# --- Mastodon ------------------------------------------------------------------------------------


def mastodon_length(
    text: str, *, characters_reserved_per_url: int = MASTODON_CHARACTERS_RESERVED_PER_URL
) -> int:
    """Length of a status as a Mastodon server counts it against ``max_characters``.

    Graphemes, after every http(s) URL is replaced by ``characters_reserved_per_url``
    characters and every ``@user@domain`` mention by ``@user`` (the domain is free).
    """
    from hearth.kit.richtext import find_mentions, find_urls

    urls = [(u.start, u.end) for u in find_urls(text, require_scheme=True)]
    remote_mentions = [
        m
        for m in find_mentions(text)
        if "@" in m.value and not any(m.start < end and start < m.end for start, end in urls)
    ]
    spans = urls + [(m.start, m.end) for m in remote_mentions]
    length = sum(grapheme_count(piece) for piece in _replace_spans(text, spans))
    length += len(urls) * characters_reserved_per_url
    length += sum(grapheme_count("@" + m.value.split("@", 1)[0]) for m in remote_mentions)
    return length
