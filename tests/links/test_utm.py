"""UTM templates and URL rewriting: pure functions, compared with hand-written results."""

from urllib.parse import parse_qsl, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from hearth.links.utm import DEFAULT_TEMPLATE, apply_utm, render_utm, replace_urls, slug


def test_apply_utm_keeps_existing_query_and_fragment():
    url = "https://shop.example/p/1?color=red&size=M#reviews"
    result = apply_utm(url, {"utm_source": "vk", "utm_medium": "social"})
    assert result == (
        "https://shop.example/p/1?color=red&size=M&utm_source=vk&utm_medium=social#reviews"
    )


def test_apply_utm_keeps_odd_encodings_byte_for_byte():
    url = "https://x.example/s?q=a%20b+c&flag&empty=#top"
    assert apply_utm(url, {"utm_source": "tg"}) == (
        "https://x.example/s?q=a%20b+c&flag&empty=&utm_source=tg#top"
    )


def test_existing_utm_parameter_wins_unless_overwrite():
    url = "https://x.example/?utm_source=newsletter&a=1"
    params = {"utm_source": "vk", "utm_medium": "social"}
    assert (
        apply_utm(url, params) == "https://x.example/?utm_source=newsletter&a=1&utm_medium=social"
    )
    assert apply_utm(url, params, overwrite=True) == (
        "https://x.example/?a=1&utm_source=vk&utm_medium=social"
    )


def test_values_are_percent_encoded_and_empty_ones_skipped():
    result = apply_utm("https://x.example", {"utm_campaign": "весна 2025 & co", "utm_term": ""})
    assert result == (
        "https://x.example?utm_campaign=%D0%B2%D0%B5%D1%81%D0%BD%D0%B0%202025%20%26%20co"
    )
    assert dict(parse_qsl(urlsplit(result).query)) == {"utm_campaign": "весна 2025 & co"}


def test_render_default_template():
    context = {"network": "vk", "project": "fitness-coach", "post": "42", "channel": "c1"}
    assert render_utm(DEFAULT_TEMPLATE, context) == {
        "utm_source": "vk",
        "utm_medium": "social",
        "utm_campaign": "fitness-coach",
        "utm_content": "42",
    }


def test_render_leaves_out_fields_that_render_empty():
    template = {"utm_source": "{network}", "utm_content": "post-{post}", "utm_term": "{post}"}
    assert render_utm(template, {"network": "", "post": None}) == {"utm_content": "post-"}


def test_slug():
    assert slug("Fitness Coach SPb!") == "fitness-coach-spb"
    assert slug("  Фитнес  тренер ") == "фитнес-тренер"


def test_replace_urls_only_touches_http_links():
    text = "Read https://a.example/x?y=1. Also (https://b.example/p) and example.com, ok?"
    seen = []

    def shorten(url):
        seen.append(url)
        return f"<{len(seen)}>"

    assert replace_urls(text, shorten) == "Read <1>. Also (<2>) and example.com, ok?"
    assert seen == ["https://a.example/x?y=1", "https://b.example/p"]


def test_replace_urls_keeps_a_url_when_told():
    assert replace_urls("go https://a.example now", lambda url: None) == "go https://a.example now"


_params = st.dictionaries(
    st.sampled_from(["utm_source", "utm_medium", "utm_campaign"]),
    st.text(min_size=1, max_size=12),
)


@given(params=_params, query=st.sampled_from(["", "a=1", "a=1&b=%20", "x"]))
def test_apply_utm_round_trips_every_value(params, query):
    url = "https://h.example/p" + (f"?{query}" if query else "") + "#frag"
    result = apply_utm(url, params)
    parts = urlsplit(result)
    assert parts.fragment == "frag"
    assert parts.query.startswith(query)
    decoded = dict(parse_qsl(parts.query, keep_blank_values=True))
    for key, value in params.items():
        assert decoded[key] == value
