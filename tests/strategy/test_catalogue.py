"""The shipped catalogue: every figure sourced and dated, METHOD's figures intact, overrides."""

import pytest

from hearth.strategy.catalogue import (
    OVERRIDE_SOURCE,
    CatalogueError,
    apply_overrides,
    load_catalogue,
    parse_catalogue,
)

BRIEF_NETWORKS = {
    "vk", "odnoklassniki", "telegram", "instagram", "facebook", "x", "youtube", "pinterest",
    "linkedin", "mastodon", "bluesky", "weibo", "google_plus",
}  # fmt: skip


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_lists_every_network_and_google_plus_as_closed(catalogue):
    assert set(catalogue.networks) == BRIEF_NETWORKS
    assert catalogue.networks["google_plus"].status == "closed"
    assert catalogue.networks["google_plus"].closed_on == "2019-04-02"
    assert {n.sphere for n in catalogue.networks.values()} == {
        "american", "russian", "chinese", "open"
    }  # fmt: skip


def test_every_figure_has_a_known_source_a_date_and_a_kind(catalogue):
    for network in catalogue.networks.values():
        for name, figure in network.figures.items():
            where = f"{network.key}.{name}"
            assert figure.source in catalogue.sources, where
            assert figure.as_of, where
            assert figure.kind in ("article", "published", "estimate"), where
            assert figure.confidence in ("high", "medium", "low"), where
        for block in network.blocked_in:
            assert block.source in catalogue.sources, network.key
            assert block.since


def test_article_figures_match_method_m7(catalogue):
    vk, ig, fb = (catalogue.networks[k] for k in ("vk", "instagram", "facebook"))
    assert dict(vk.figure("gender").value) == {"female": 0.56, "male": 0.44}
    assert dict(vk.figure("age").value) == {
        "14-17": 0.24, "18-24": 0.32, "25-34": 0.32, "35-64": 0.12
    }  # fmt: skip
    assert vk.figure("session_minutes").value == 25
    assert dict(ig.figure("gender").value) == {"female": 0.77, "male": 0.23}
    assert dict(ig.figure("age").value) == {
        "13-17": 0.12, "18-24": 0.30, "25-34": 0.37, "35-44": 0.14, "45-54": 0.04
    }  # fmt: skip
    # 300 of 2 000 active on Instagram; 20-30 of 2 000 on Facebook.
    assert ig.figure("active_share").value == pytest.approx(300 / 2000)
    assert 20 / 2000 <= fb.figure("active_share").value <= 30 / 2000
    assert fb.figure("session_minutes").value == 10
    for figure in (vk.figure("gender"), ig.figure("age"), fb.figure("active_share")):
        assert figure.source == "article" and figure.kind == "article"


def test_blocks_state_what_is_blocked_where(catalogue):
    def blocked(network, country):
        return catalogue.networks[network].active_block(country)

    for network in ("facebook", "instagram", "youtube", "x", "pinterest", "telegram"):
        block = blocked(network, "CN")
        assert block is not None and block.vpn_use == "rare", network
    assert blocked("weibo", "CN") is None
    assert blocked("instagram", "RU").since == "2022-03-14"
    assert blocked("facebook", "RU").since == "2022-03-04"
    assert blocked("x", "RU").since == "2022-03-04"
    assert blocked("linkedin", "RU").since == "2016-11-17"
    assert blocked("vk", "RU") is None
    # A lifted block is history, not a current block.
    assert blocked("telegram", "RU") is None
    assert any(b.until == "2020-06-18" for b in catalogue.networks["telegram"].blocked_in)


def test_override_returns_a_new_flagged_catalogue_and_keeps_the_original(catalogue):
    changed = apply_overrides(
        catalogue,
        {("instagram", "gender.female"): 0.5, ("telegram", "age"): {"18-24": 0.4}},
        as_of="2025-06",
    )
    gender = changed.networks["instagram"].figure("gender")
    assert gender.value["female"] == 0.5 and gender.value["male"] == 0.23
    assert gender.source == OVERRIDE_SOURCE and gender.overridden and gender.as_of == "2025-06"
    assert gender.original.value["female"] == 0.77 and gender.original.source == "article"
    assert changed.networks["telegram"].figure("age").value["18-24"] == 0.4
    assert changed.networks["telegram"].figure("age").original is None
    # The shared, cached catalogue is untouched.
    assert catalogue.networks["instagram"].figure("gender").value["female"] == 0.77
    assert load_catalogue().networks["telegram"].figure("age") is None


def test_overriding_twice_keeps_the_catalogue_figure_as_original(catalogue):
    once = apply_overrides(catalogue, {("vk", "active_share"): 0.1})
    twice = apply_overrides(once, {("vk", "active_share"): 0.2})
    assert twice.networks["vk"].figure("active_share").value == 0.2
    assert twice.networks["vk"].figure("active_share").original is None  # none in the file
    fem = apply_overrides(apply_overrides(catalogue, {("vk", "gender.female"): 0.5}),
                          {("vk", "gender.female"): 0.4})  # fmt: skip
    assert fem.networks["vk"].figure("gender").original.source == "article"


def test_override_can_lift_or_add_a_block(catalogue):
    lifted = apply_overrides(catalogue, {("instagram", "blocked_in.RU"): None})
    assert lifted.networks["instagram"].active_block("RU") is None
    assert lifted.networks["instagram"].active_block("CN") is not None
    added = apply_overrides(
        catalogue, {("vk", "blocked_in.DE"): {"since": "2025-01-01", "vpn_use": "common"}}
    )
    block = added.networks["vk"].active_block("DE")
    assert block.overridden and block.source == OVERRIDE_SOURCE
    assert "workspace override" in block.describe()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({("myspace", "gender"): {}}, "myspace: unknown network"),
        ({("vk", "gender.female"): 1.5}, "vk.gender.female: must be a share"),
        ({("vk", "gender.female"): 0.9}, "vk.gender: shares add up to 1.340"),
        ({("vk", "colour"): 3}, "unknown figure 'colour'"),
        ({("vk", "formats_work"): ["holograms"]}, "unknown value 'holograms'"),
        ({("vk", "age"): {"30-20": 0.1}}, "age bucket is 'lo-hi'"),
        ({("vk", "blocked_in.ru"): {"since": "2020"}}, "not an ISO 3166"),
    ],
)
def test_invalid_override_is_refused_naming_the_path(catalogue, overrides, message):
    with pytest.raises(ValueError, match=message.replace(".", r"\.").replace("(", r"\(")):
        apply_overrides(catalogue, overrides)


def test_a_figure_without_source_is_refused():
    raw = {
        "sources": {"s": {"title": "t"}},
        "formats": {"image": "photos"},
        "country_spheres": {"default": "american"},
        "sphere_affinity": {
            "value": {s: dict.fromkeys(("american", "russian", "chinese", "open"), 1.0)
                      for s in ("american", "russian", "chinese")},
            "source": "s", "as_of": "2025", "kind": "estimate", "confidence": "low",
        },
        "networks": {"n": {"sphere": "open", "figures": {"active_share": {"value": 0.1}}}},
    }  # fmt: skip
    with pytest.raises(CatalogueError, match=r"networks\.n\.figures\.active_share\.source"):
        parse_catalogue(raw)
    raw["networks"]["n"]["figures"]["active_share"] |= {
        "source": "s", "as_of": "2025", "kind": "estimate", "confidence": "low"
    }  # fmt: skip
    assert parse_catalogue(raw).networks["n"].figure("active_share").value == 0.1
