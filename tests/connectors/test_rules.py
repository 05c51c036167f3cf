"""Golden tests: every network's rules, counted in its own unit, on hand-computed texts."""

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.connectors.rules import (
    NETWORK_RULES,
    NETWORKS,
    MediaItem,
    PostDraft,
    escape_linkedin_little_text,
    has_errors,
    measure,
    outgoing_text,
    rules_for,
    telegram_split,
    validate,
)
from hearth.kit.text_units import grapheme_count, utf16_length

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # 1 grapheme, 25 UTF-8 bytes
FLAG = "🇫🇷"  # 1 grapheme, 8 bytes
THUMB = "👍"  # 1 grapheme, 4 bytes
URL_100 = "https://example.com/" + "x" * 80
JPEG = MediaItem("image", "image/jpeg", 1080, 1080, 500_000)
VIDEO = MediaItem("video", "video/mp4", 1920, 1080, 50_000_000)


def codes(problems, severity="error"):
    return [p.code for p in problems if p.severity == severity]


# "Привет 👍 日本 é(e+U+0301) " + a 100-char URL:
# 115 code points · 116 UTF-16 units · 114 graphemes · 129 UTF-8 bytes ·
# X: 6+1+2+1+4+1+1+1+23 = 40 · Mastodon graphemes with URL = 23: 37
MIXED = "Привет 👍 日本 e\u0301 " + URL_100


@pytest.mark.parametrize(
    ("network", "used", "unit"),
    [
        ("telegram", 116, "utf16"),
        ("vk", 116, "utf16"),
        ("odnoklassniki", 116, "utf16"),
        ("facebook", 116, "utf16"),
        ("instagram", 116, "utf16"),
        ("x", 40, "weighted"),
        ("mastodon", 37, "mastodon"),
        ("bluesky", 114, "graphemes"),
        ("pinterest", 116, "utf16"),
        ("youtube", 129, "utf8_bytes"),
        ("linkedin", 116, "utf16"),
    ],
)
def test_every_counter_on_emoji_cyrillic_cjk_combining_and_url(network, used, unit):
    reading = measure(network, MIXED)
    assert (reading.used, reading.unit) == (used, unit)
    assert reading.limit == NETWORK_RULES[network].text_limit
    assert reading.over is False


def test_every_network_has_rules_and_a_unit_label():
    assert set(NETWORKS) == {
        "telegram", "vk", "odnoklassniki", "facebook", "instagram", "x", "mastodon",
        "bluesky", "pinterest", "youtube", "linkedin", "sandbox",
    }  # fmt: skip
    for network in NETWORKS:
        rules = rules_for(network)
        assert rules.network == network
        assert rules.unit_label
        assert rules.name


# --- Bluesky: 300 graphemes AND 3000 bytes ---------------------------------------------------


def test_bluesky_300_emoji_graphemes_is_valid_even_with_zwj_families_and_flags():
    # 300 graphemes of 25-, 8- and 4-byte emoji, kept under the 3000-byte limit
    text = (FAMILY * 40) + (FLAG * 100) + (THUMB * 160)  # 1000 + 800 + 640 = 2440 bytes
    assert grapheme_count(text) == 300
    assert validate("bluesky", PostDraft(text=text)) == []
    reading = measure("bluesky", text)
    assert (reading.used, reading.limit, reading.over) == (300, 300, False)
    assert (reading.also[0].used, reading.also[0].limit) == (2440, 3000)


def test_bluesky_301_graphemes_is_invalid():
    problems = validate("bluesky", PostDraft(text=THUMB * 301))
    (problem,) = problems
    assert (problem.code, problem.used, problem.limit, problem.unit) == (
        "text_too_long",
        301,
        300,
        "graphemes",
    )
    assert problem.text == "Text is 301 graphemes long; the limit is 300."
    assert measure("bluesky", THUMB * 301).over


def test_bluesky_under_300_graphemes_but_over_3000_bytes_is_invalid():
    text = FAMILY * 121  # 121 graphemes, 3025 bytes
    (problem,) = validate("bluesky", PostDraft(text=text))
    assert (problem.code, problem.used, problem.limit, problem.unit) == (
        "text_too_long",
        3025,
        3000,
        "utf8_bytes",
    )
    reading = measure("bluesky", text)
    assert reading.used == 121 and reading.over is True and reading.also[0].over is True
    assert validate("bluesky", PostDraft(text=FAMILY * 120)) == []  # exactly 3000 bytes


def test_bluesky_media_rules():
    five = PostDraft(text="hi", media=[JPEG] * 5)
    assert codes(validate("bluesky", five)) == ["too_many_media", "too_many_images"]
    big = dataclasses.replace(JPEG, size_bytes=2_000_001)
    assert codes(validate("bluesky", PostDraft(media=[big]))) == ["image_too_large"]
    assert codes(validate("bluesky", PostDraft(media=[VIDEO, JPEG]))) == ["video_not_alone"]


# --- Telegram: UTF-16 units, 4096 / 1024, caption split ----------------------------------------


def test_telegram_message_limit_counts_utf16_units():
    assert validate("telegram", PostDraft(text="a" * 4096)) == []
    assert validate("telegram", PostDraft(text="Ж" * 4096)) == []
    assert validate("telegram", PostDraft(text=THUMB * 2048)) == []  # 4096 units
    (problem,) = validate("telegram", PostDraft(text=THUMB * 2049))
    assert (problem.used, problem.limit, problem.unit) == (4098, 4096, "utf16")


def test_telegram_long_caption_is_split_not_refused():
    text = ("word " * 300).strip()  # 1499 units
    problems = validate("telegram", PostDraft(text=text, media=[JPEG]))
    assert codes(problems) == [] and codes(problems, "warning") == ["caption_will_split"]
    assert problems[0].params["caption_used"] == 1024  # 205 words end exactly at unit 1024
    reading = measure("telegram", text, has_media=True)
    assert (reading.used, reading.limit, reading.over, reading.splits) == (1499, 1024, True, True)
    assert validate("telegram", PostDraft(text="a" * 1024, media=[JPEG])) == []


def test_telegram_caption_too_long_even_after_splitting_is_an_error():
    text = "a " * 3000  # 1024-unit caption leaves a 4976-unit message
    problems = validate("telegram", PostDraft(text=text, media=[JPEG]))
    assert codes(problems) == ["text_too_long"]
    assert problems[0].limit == 4096
    assert measure("telegram", text, has_media=True).splits is False


def test_telegram_split_on_whitespace():
    caption, rest = telegram_split("aaaa bbbb cccc", caption_limit=10)
    assert (caption, rest) == ("aaaa bbbb", "cccc")
    assert telegram_split("short", caption_limit=10) == ("short", "")
    # a word longer than the limit is cut on a grapheme boundary, never inside an emoji
    caption, rest = telegram_split(THUMB * 6, caption_limit=5)
    assert (caption, rest) == (THUMB * 2, THUMB * 4)


@given(
    st.lists(st.sampled_from(["word", "слово", THUMB, FAMILY, " ", "\n", "日本語"]), max_size=400),
    st.integers(min_value=8, max_value=300),
)
def test_telegram_split_property(pieces, limit):
    text = "".join(pieces)
    caption, rest = telegram_split(text, caption_limit=limit)
    assert utf16_length(caption) <= limit
    assert text.startswith(caption)
    assert text.endswith(rest)
    assert text[len(caption) : len(text) - len(rest)].strip() == ""
    assert caption or not text.strip()
    if utf16_length(text.rstrip()) > limit:
        assert rest


def test_telegram_image_shape():
    tall = MediaItem("image", "image/png", 400, 9000)
    problems = validate("telegram", PostDraft(media=[tall]))
    assert codes(problems) == ["aspect_ratio_unsupported"]
    huge = MediaItem("image", "image/png", 6000, 5000)
    assert codes(validate("telegram", PostDraft(media=[huge]))) == ["image_dimensions_too_large"]


# --- X: weighted characters --------------------------------------------------------------------


def test_x_latin_cjk_emoji_and_urls():
    assert validate("x", PostDraft(text="a" * 280)) == []
    (problem,) = validate("x", PostDraft(text="中" * 141))
    assert (problem.used, problem.limit, problem.unit) == (282, 280, "weighted")
    assert validate("x", PostDraft(text="中" * 140)) == []
    assert validate("x", PostDraft(text=FAMILY * 140)) == []
    assert codes(validate("x", PostDraft(text=FAMILY * 141))) == ["text_too_long"]
    assert validate("x", PostDraft(text="e\u0301" * 280)) == []  # NFC: 280, not 560


def test_x_long_url_counts_23():
    long_url = "https://example.com/" + "a" * 280
    assert measure("x", "a" * 256 + " " + long_url).used == 280
    assert validate("x", PostDraft(text="a" * 256 + " " + long_url)) == []
    assert codes(validate("x", PostDraft(text="a" * 257 + " " + long_url))) == ["text_too_long"]


def test_x_link_in_draft_is_appended_and_counted():
    draft = PostDraft(text="a" * 255, link="https://example.com/" + "z" * 100)
    assert outgoing_text("x", draft) == "a" * 255 + "\n\n" + draft.link
    assert measure("x", outgoing_text("x", draft)).used == 255 + 2 + 23
    assert validate("x", draft) == []


def test_x_media_cashtags_and_premium_option():
    assert codes(validate("x", PostDraft(text="x", media=[JPEG] * 5))) == [
        "too_many_media",
        "too_many_images",
    ]
    assert codes(validate("x", PostDraft(text="x", media=[VIDEO, JPEG]))) == ["video_not_alone"]
    assert codes(validate("x", PostDraft(text="$AAPL and $TSLA"))) == ["too_many_cashtags"]
    assert validate("x", PostDraft(text="$AAPL up"), options=None) == []
    assert validate("x", PostDraft(text="a" * 4000), options={"max_characters": 4000}) == []


# --- Instagram ---------------------------------------------------------------------------------


def test_instagram_needs_media():
    assert codes(validate("instagram", PostDraft(text="hello"))) == ["media_required"]
    assert codes(validate("instagram", PostDraft())) == ["empty_post"]
    assert validate("instagram", PostDraft(text="hello", media=[JPEG])) == []


def test_instagram_hashtag_and_mention_limits():
    thirty = " ".join(f"#tag{i}" for i in range(30))
    assert validate("instagram", PostDraft(text=thirty, media=[JPEG])) == []
    (problem,) = validate("instagram", PostDraft(text=thirty + " #one_more", media=[JPEG]))
    assert (problem.code, problem.used, problem.limit) == ("too_many_hashtags", 31, 30)
    # hashtags kept apart from the text are appended, so they count too
    draft = PostDraft(text=thirty, media=[JPEG], hashtags=["extra"])
    assert codes(validate("instagram", draft)) == ["too_many_hashtags"]
    mentions = " ".join(f"@user{i}" for i in range(21))
    assert codes(validate("instagram", PostDraft(text=mentions, media=[JPEG]))) == [
        "too_many_mentions"
    ]


def test_instagram_caption_images_and_links():
    assert codes(validate("instagram", PostDraft(text="a" * 2201, media=[JPEG]))) == [
        "text_too_long"
    ]
    png = dataclasses.replace(JPEG, mime="image/png")
    assert codes(validate("instagram", PostDraft(media=[png]))) == ["image_format_unsupported"]
    portrait = dataclasses.replace(JPEG, width=1000, height=2000)
    assert codes(validate("instagram", PostDraft(media=[portrait]))) == ["aspect_ratio_unsupported"]
    four_five = dataclasses.replace(JPEG, width=1080, height=1350)
    assert validate("instagram", PostDraft(media=[four_five])) == []
    problems = validate("instagram", PostDraft(media=[JPEG], link="https://example.com"))
    assert codes(problems) == [] and codes(problems, "warning") == ["link_not_clickable"]


# --- Pinterest, YouTube ------------------------------------------------------------------------


def test_pinterest_needs_media_and_limits_title_description_link():
    assert codes(validate("pinterest", PostDraft(text="pin me"))) == ["media_required"]
    ok = PostDraft(text="d" * 800, title="t" * 100, media=[JPEG], link="https://ex.com/")
    assert validate("pinterest", ok) == []
    bad = dataclasses.replace(
        ok, text="d" * 801, title="t" * 101, link="https://e.co/" + "l" * 2040
    )
    assert codes(validate("pinterest", bad)) == ["text_too_long", "title_too_long", "link_too_long"]
    assert rules_for("pinterest").description_limit == 800


def test_youtube_is_video_only_with_byte_counted_description():
    ok = PostDraft(text="я" * 2500, title="Title", media=[VIDEO])  # 5000 bytes
    assert validate("youtube", ok) == []
    (problem,) = validate("youtube", dataclasses.replace(ok, text="я" * 2501))
    assert (problem.used, problem.limit, problem.unit) == (5002, 5000, "utf8_bytes")
    assert codes(validate("youtube", PostDraft(title="T", media=[JPEG]))) == [
        "media_kind_unsupported"
    ]
    assert codes(validate("youtube", PostDraft(media=[VIDEO]))) == ["title_required"]
    assert codes(validate("youtube", PostDraft(title="a<b>", media=[VIDEO]))) == [
        "forbidden_character"
    ]
    assert codes(validate("youtube", PostDraft(title="x" * 101, media=[VIDEO]))) == [
        "title_too_long"
    ]


# --- Mastodon ----------------------------------------------------------------------------------


def test_mastodon_instance_limit_and_urls_count_23():
    options = {"max_characters": 500}
    text = "a" * 476 + " " + URL_100  # 476 + 1 + 23 = 500
    assert measure("mastodon", text, options=options).used == 500
    assert validate("mastodon", PostDraft(text=text), options=options) == []
    (problem,) = validate("mastodon", PostDraft(text="a" + text), options=options)
    assert (problem.used, problem.limit) == (501, 500)
    assert validate("mastodon", PostDraft(text="a" * 4000), options={"max_characters": 5000}) == []
    assert rules_for("mastodon").text_limit == 500  # the default without options


def test_mastodon_remote_mentions_count_only_the_username():
    text = "a" * 490 + " @bob@mastodon.social"  # 490 + 1 + len("@bob") = 495
    assert measure("mastodon", text).used == 495
    assert validate("mastodon", PostDraft(text=text)) == []


def test_mastodon_instance_media_options():
    options = {"max_media_attachments": 2, "image_size_limit": 1_000_000}
    problems = validate("mastodon", PostDraft(text="x", media=[JPEG] * 3), options=options)
    assert codes(problems) == ["too_many_media"]
    big = dataclasses.replace(JPEG, size_bytes=1_000_001)
    assert codes(validate("mastodon", PostDraft(media=[big]), options=options)) == [
        "image_too_large"
    ]


def test_options_are_refused_where_the_network_has_none():
    with pytest.raises(ValueError, match="telegram takes no option"):
        rules_for("telegram", {"max_characters": 10})
    with pytest.raises(ValueError, match="unknown rule option"):
        rules_for("mastodon", {"max_chars": 10})
    with pytest.raises(ValueError, match="unknown network"):
        rules_for("myspace")


# --- LinkedIn, VK, Facebook, OK ----------------------------------------------------------------


def test_linkedin_little_text_escaping():
    assert escape_linkedin_little_text("C# (beta) @home") == r"C\# \(beta\) \@home"
    reserved = "\\|{}@[]()<>#*_~"
    assert escape_linkedin_little_text(reserved) == "".join("\\" + ch for ch in reserved)
    assert escape_linkedin_little_text("Привет, мир!") == "Привет, мир!"


def test_linkedin_counts_the_escaped_commentary():
    assert validate("linkedin", PostDraft(text="a" * 3000)) == []
    (problem,) = validate("linkedin", PostDraft(text="a" * 2999 + "#"))
    assert (problem.used, problem.limit) == (3001, 3000)
    assert problem.text == "Commentary is 3001 UTF-16 code units long; the limit is 3000."


def test_vk_facebook_ok_limits():
    assert validate("vk", PostDraft(text="a" * 16_384)) == []
    assert codes(validate("vk", PostDraft(text="a" * 16_385))) == ["text_too_long"]
    wide = MediaItem("image", "image/jpeg", 10_000, 5_000, 1_000)
    assert codes(validate("vk", PostDraft(media=[wide]))) == ["image_dimensions_too_large"]
    assert validate("facebook", PostDraft(text="a" * 63_206)) == []
    assert codes(validate("facebook", PostDraft(text="a" * 63_207))) == ["text_too_long"]
    assert validate("odnoklassniki", PostDraft(text="a" * 100_000)) == []
    assert measure("odnoklassniki", "abc").limit is None
    assert codes(validate("odnoklassniki", PostDraft(text="x", first_comment="c"))) == [
        "first_comment_unsupported"
    ]


# --- drafts, links, first comments ---------------------------------------------------------------


def test_outgoing_text_appends_missing_hashtags_and_in_text_links_only():
    draft = PostDraft(
        text="Hello #Python", hashtags=["python", "#django", "django"], link="https://h.dev"
    )
    assert outgoing_text("telegram", draft) == "Hello #Python\n\nhttps://h.dev\n\n#django"
    assert outgoing_text("facebook", draft) == "Hello #Python\n\n#django"  # link goes in `link`


def test_first_comment_is_measured_in_the_network_unit():
    assert validate("bluesky", PostDraft(text="hi", first_comment=THUMB * 300)) == []
    assert codes(validate("bluesky", PostDraft(text="hi", first_comment=THUMB * 301))) == [
        "first_comment_too_long"
    ]
    assert codes(validate("pinterest", PostDraft(media=[JPEG], first_comment="c"))) == [
        "first_comment_unsupported"
    ]


def test_invalid_link_and_empty_posts():
    assert codes(validate("facebook", PostDraft(text="x", link="javascript:alert(1)"))) == [
        "link_invalid"
    ]
    assert codes(validate("telegram", PostDraft(text="   "))) == ["empty_post"]
    assert has_errors(validate("x", PostDraft()))
    assert not has_errors(validate("telegram", PostDraft(text="x" * 1500, media=[JPEG])))


@given(st.text(max_size=400), st.sampled_from(NETWORKS), st.booleans())
def test_validate_and_measure_never_crash_and_agree(text, network, with_media):
    draft = PostDraft(
        text=text, media=[VIDEO if network == "youtube" else JPEG] if with_media else []
    )
    problems = validate(network, draft)
    reading = measure(network, outgoing_text(network, draft), has_media=with_media)
    too_long = [p for p in problems if p.code == "text_too_long"]
    if reading.over and not reading.splits:
        assert too_long
    if not reading.over:
        assert not too_long
