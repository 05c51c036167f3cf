"""Link, tag and mention detection, and the Telegram / Bluesky payloads built from it."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.kit.richtext import (
    bluesky_facets,
    find_entities,
    find_hashtags,
    find_mentions,
    find_urls,
    telegram_entities,
)


def _texts(spans):
    return [s.text for s in spans]


def test_telegram_tag_after_an_emoji_starts_at_utf16_offset_3():
    (tag,) = find_hashtags("👍 #tag")
    assert (tag.start, tag.utf16_start, tag.utf16_length, tag.byte_start) == (2, 3, 4, 5)
    assert telegram_entities("👍 #tag") == [{"type": "hashtag", "offset": 3, "length": 4}]


def test_bluesky_link_after_cyrillic_starts_at_byte_13():
    # networks.md §9.4: "Привет https://x.y" → byteStart 13
    (facet,) = bluesky_facets("Привет https://x.y")
    assert facet == {
        "index": {"byteStart": 13, "byteEnd": 24},
        "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://x.y"}],
    }


def test_bluesky_facets_for_tag_and_mention_use_byte_offsets():
    text = "Привет 👍 #тег @alice.bsky.social"
    facets = bluesky_facets(text, resolve_handle={"alice.bsky.social": "did:plc:alice"}.get)
    assert facets == [
        {
            "index": {"byteStart": 18, "byteEnd": 25},  # "Привет 👍 " is 12+1+4+1 bytes
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "тег"}],
        },
        {
            "index": {"byteStart": 26, "byteEnd": 44},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:alice"}],
        },
    ]
    assert text.encode()[26:44].decode() == "@alice.bsky.social"


def test_unresolved_or_unresolvable_mentions_stay_plain_text():
    assert bluesky_facets("hi @alice.bsky.social") == []
    assert bluesky_facets("hi @nobody.example", resolve_handle=lambda handle: None) == []
    # a Mastodon-style address is not a Bluesky handle
    assert bluesky_facets("hi @bob@mastodon.social", resolve_handle=lambda h: "did:x") == []


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("see https://example.com/a.", ["https://example.com/a"]),
        ("really? https://example.com/?q=1!", ["https://example.com/?q=1"]),
        ("(https://en.wikipedia.org/wiki/A_(b))", ["https://en.wikipedia.org/wiki/A_(b)"]),
        ("(see https://example.com)", ["https://example.com"]),
        ("go to example.com/page, now", ["https://example.com/page"]),
        ("sites: hearth.dev and vk.ru", ["https://hearth.dev", "https://vk.ru"]),
        ("file.txt and e.g. this", []),
        ("mail me@example.com", []),
        ("https:// alone", []),
    ],
)
def test_links_exclude_trailing_punctuation_and_unknown_tlds(text, links):
    assert [s.value for s in find_urls(text)] == links


def test_bare_domains_are_not_links_when_a_scheme_is_required():
    assert find_urls("example.com https://example.org", require_scheme=True)[0].text == (
        "https://example.org"
    )
    assert len(find_urls("example.com https://example.org", require_scheme=True)) == 1


@pytest.mark.parametrize(
    ("text", "tags"),
    [
        ("#python rocks", ["python"]),
        ("#123 is not a tag", []),  # digits only
        ("#1st place", ["1st"]),
        ("wow #tag!! and #end.", ["tag", "end"]),
        ("a#b is not a tag", []),
        ("full-width ＃日本語", ["日本語"]),
        ("keycap #\ufe0f\u20e3 is not a tag", []),
        ("#" + "a" * 64, ["a" * 64]),
        ("#" + "a" * 65, []),  # over 64 graphemes
        ("#café #tag's", ["café", "tag's"]),
    ],
)
def test_hashtags_follow_bluesky_rules(text, tags):
    assert [s.value for s in find_hashtags(text)] == tags


@pytest.mark.parametrize(
    ("text", "mentions"),
    [
        ("hi @alice.bsky.social!", ["alice.bsky.social"]),
        ("cc @bob@mastodon.social, thanks", ["bob@mastodon.social"]),
        ("@durov_bot said", ["durov_bot"]),
        ("(@paren.test)", ["paren.test"]),
        ("write to me@example.com", []),
    ],
)
def test_mentions(text, mentions):
    assert [s.value for s in find_mentions(text)] == mentions


def test_entities_do_not_overlap_and_links_win():
    text = "read https://example.com/#frag #real @someone"
    spans = find_entities(text)
    assert [(s.kind, s.text) for s in spans] == [
        ("link", "https://example.com/#frag"),
        ("tag", "#real"),
        ("mention", "@someone"),
    ]


def test_telegram_entities_skip_names_telegram_cannot_have():
    entities = telegram_entities("@ab and @valid_name https://t.me/x")
    assert entities == [
        {"type": "mention", "offset": 8, "length": 11},
        {"type": "url", "offset": 20, "length": 14},
    ]


richtext = st.lists(
    st.sampled_from(
        ["#tag", "#тег", "@a.b.test", "https://ex.com/p?q=1", "example.org", "👨\u200d👩\u200d👧",
         "🇫🇷", "e\u0301", "日本", " ", "\n", ".", ",", "(", ")", "x", "#1", "@"]
    ),
    max_size=25,
).map("".join)  # fmt: skip


@given(richtext)
def test_span_offsets_slice_back_to_the_span_text(text):
    utf8 = text.encode("utf-8")
    utf16 = text.encode("utf-16-le")
    previous_end = 0
    for span in find_entities(text):
        assert text[span.start : span.end] == span.text
        assert utf8[span.byte_start : span.byte_end].decode("utf-8") == span.text
        assert utf16[2 * span.utf16_start : 2 * span.utf16_end].decode("utf-16-le") == span.text
        assert span.start >= previous_end
        previous_end = span.end
