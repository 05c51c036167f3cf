"""Counting units and offset conversions, checked against hand-counted values."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.kit import text_units as tu

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # 4 emoji + 3 ZWJ: 1 grapheme, 11 UTF-16 units, 25 bytes
FLAG_FR = "🇫🇷"
E_COMBINING = "e\u0301"  # e + combining acute

# Mixed alphabet for property tests: ASCII, Latin-1, Cyrillic, CJK, astral emoji, ZWJ,
# combining marks, regional indicators, whitespace.
unicode_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("ab #@.:/é日本Пр\n\t\u0301\u200d\ufe0f👍🇫🇷😀")),
        st.characters(codec="utf-8"),
    ),
    max_size=60,
)


@pytest.mark.parametrize(
    ("text", "graphemes", "utf16", "utf8"),
    [
        ("", 0, 0, 0),
        ("abc", 3, 3, 3),
        ("Привет", 6, 6, 12),
        ("日本語", 3, 3, 9),
        ("👍", 1, 2, 4),
        (FAMILY, 1, 11, 25),
        (FLAG_FR, 1, 4, 8),
        (FLAG_FR + "🇩🇪", 2, 8, 16),
        (E_COMBINING, 1, 2, 3),
        ("é", 1, 1, 2),
        ("1\ufe0f\u20e3", 1, 3, 7),  # keycap 1️⃣
    ],
)
def test_plain_measures(text, graphemes, utf16, utf8):
    assert tu.grapheme_count(text) == graphemes
    assert tu.utf16_length(text) == utf16
    assert tu.utf8_length(text) == utf8


def test_offsets_of_the_telegram_reference_example():
    text = "👍 #tag"
    assert tu.char_to_utf16(text, 2) == 3
    assert tu.char_to_utf8(text, 2) == 5
    assert tu.utf16_to_char(text, 3) == 2
    assert tu.utf8_to_char(text, 5) == 2


def test_offsets_inside_a_character_are_refused():
    with pytest.raises(ValueError, match="UTF-16"):
        tu.utf16_to_char("👍x", 1)  # between the two surrogates
    with pytest.raises(ValueError, match="UTF-8"):
        tu.utf8_to_char("Привет", 1)  # inside the two bytes of П
    with pytest.raises(ValueError):
        tu.char_to_utf16("abc", 4)


def test_offset_map_converts_between_units():
    offsets = tu.OffsetMap("Привет 👍 x")
    assert offsets.utf8(7) == 13  # after "Привет "
    assert offsets.utf16(9) == 10  # after the emoji and the space
    assert offsets.utf16_to_utf8(10) == 18
    assert offsets.utf8_to_utf16(18) == 10


@pytest.mark.parametrize(
    ("cluster", "is_emoji"),
    [
        ("👍", True),
        (FAMILY, True),
        (FLAG_FR, True),
        ("1\ufe0f\u20e3", True),
        ("©\ufe0f", True),
        ("©", False),
        ("™", False),
        ("a", False),
        ("日", False),
    ],
)
def test_emoji_graphemes(cluster, is_emoji):
    assert tu.is_emoji_grapheme(cluster) is is_emoji


@pytest.mark.parametrize(
    ("text", "weighted"),
    [
        ("a" * 280, 280),
        ("Привет", 6),
        ("中" * 141, 282),
        ("한국어", 6),
        ("👍", 2),
        (FAMILY, 2),
        (FLAG_FR, 2),
        ("©", 1),
        ("©\ufe0f", 2),
        ("—", 1),  # U+2014 in the 0x2010–0x201F light range
        ("…", 2),  # U+2026 is outside every light range
        (E_COMBINING * 10, 10),  # NFC composes e + U+0301 into é first
        ("https://example.com/" + "a" * 200, 23),
        ("see example.com", 4 + 23),  # scheme-less links count too
        ("a https://x.org/1 b https://x.org/2", 2 + 23 + 3 + 23),
    ],
)
def test_x_weighted_length(text, weighted):
    assert tu.x_weighted_length(text) == weighted


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("a" * 500, 500),
        ("https://example.com/" + "x" * 80, 23),
        ("hi @bob@mastodon.social", 3 + 4),
        ("hi @bob", 7),
        (FAMILY + FLAG_FR, 2),
        (E_COMBINING, 1),
        ("example.com", 11),  # Mastodon only shortens http(s) URLs
    ],
)
def test_mastodon_length(text, length):
    assert tu.mastodon_length(text) == length


def test_mastodon_length_uses_the_instance_url_width():
    assert tu.mastodon_length("https://example.com/abc", characters_reserved_per_url=30) == 30


@given(unicode_text)
def test_unit_lengths_match_python_codecs(text):
    assert tu.utf16_length(text) == len(text.encode("utf-16-le")) // 2
    assert tu.utf8_length(text) == len(text.encode("utf-8"))
    assert "".join(tu.graphemes(text)) == text
    assert tu.grapheme_count(text) <= len(text)


@given(unicode_text, st.data())
def test_offsets_round_trip_and_slice_back(text, data):
    offsets = tu.OffsetMap(text)
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(i, len(text)))
    assert offsets.char_from_utf16(offsets.utf16(i)) == i
    assert offsets.char_from_utf8(offsets.utf8(i)) == i
    assert text.encode("utf-8")[offsets.utf8(i) : offsets.utf8(j)].decode("utf-8") == text[i:j]
    utf16 = text.encode("utf-16-le")
    assert utf16[2 * offsets.utf16(i) : 2 * offsets.utf16(j)].decode("utf-16-le") == text[i:j]
    assert tu.char_to_utf16(text, i) == offsets.utf16(i)
    assert tu.char_to_utf8(text, i) == offsets.utf8(i)


@given(st.text(alphabet=st.sampled_from(list("ab Пр")), max_size=80))
def test_x_length_of_light_text_is_its_code_point_count(text):
    assert tu.x_weighted_length(text) == len(text)
