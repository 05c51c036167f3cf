"""Network fit: METHOD M7's three examples, overrides, blocks and the explanation."""

import pytest

from hearth.strategy.catalogue import apply_overrides, load_catalogue
from hearth.strategy.fit import FitOptions, Portrait, score_networks

MOSCOW_WOMEN = Portrait(
    age_min=18, age_max=39, gender_mix={"female": 1.0}, countries=("RU",),
    cities=("Moscow", "Saint Petersburg"), city_size="metro", devices=("iphone",),
)  # fmt: skip
REGIONAL_BOYS = Portrait(
    age_min=14, age_max=18, gender_mix={"male": 1.0}, countries=("RU",), city_size="small",
    devices=("windows",),
)  # fmt: skip
CHINA = Portrait(age_min=20, age_max=35, countries=("CN",), devices=("mobile",))


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def by_network(result):
    return {fit.network: fit for fit in result.ranking}


def test_moscow_women_on_iphones_rank_instagram_above_vk(catalogue):
    fits = by_network(score_networks(MOSCOW_WOMEN, catalogue))
    assert fits["instagram"].score > fits["vk"].score
    # By hand: 77 % women × (30 % + 37 % + 5/10 of 14 %) aged 18-39 × 95 % mobile.
    assert fits["instagram"].audience_share == pytest.approx(0.77 * 0.74 * 0.95)
    # VK: 56 % × (32 % + 32 % + 5/30 of 12 %) × 80 % mobile.
    assert fits["vk"].audience_share == pytest.approx(0.56 * (0.64 + 0.12 * 5 / 30) * 0.8)


def test_regional_boys_on_windows_rank_vk_first(catalogue):
    result = score_networks(REGIONAL_BOYS, catalogue)
    assert result.ranking[0].network == "vk"
    assert result.test_first == "vk"
    # 44 % men × (all of 14-17 = 24 % + 1/7 of 18-24 = 32 %) × 20 % desktop.
    vk = by_network(result)["vk"]
    assert vk.audience_share == pytest.approx(0.44 * (0.24 + 0.32 / 7) * 0.2)


def test_china_ranks_weibo_first_and_excludes_blocked_networks_with_a_reason(catalogue):
    result = score_networks(CHINA, catalogue)
    assert result.ranking[0].network == "weibo" and result.test_first == "weibo"
    fits = by_network(result)
    for network in ("facebook", "youtube", "instagram"):
        assert fits[network].score == 0.0
        assert "blocked in CN since" in fits[network].excluded
        assert "VPN use is rare" in fits[network].excluded
    assert fits["weibo"].excluded is None
    # Excluded networks come after every eligible one.
    flags = [fit.excluded is not None for fit in result.ranking]
    assert flags == sorted(flags)


def test_overriding_a_figure_changes_the_score_and_the_explanation(catalogue):
    before = by_network(score_networks(MOSCOW_WOMEN, catalogue))["instagram"]
    changed = apply_overrides(catalogue, {("instagram", "gender.female"): 0.3})
    after = by_network(score_networks(MOSCOW_WOMEN, changed))["instagram"]
    assert after.score < before.score
    assert after.audience_share == pytest.approx(0.3 * 0.74 * 0.95)
    gender = after.factors["demographic"]["parts"]["gender"]
    assert gender["overridden"] is True and gender["source"] == "workspace override"
    assert "workspace override: gender" in after.factors["demographic"]["explanation"]
    assert "workspace override" not in before.factors["demographic"]["explanation"]


def test_vpn_reach_factor_controls_networks_blocked_in_russia(catalogue):
    default = by_network(score_networks(MOSCOW_WOMEN, catalogue))["instagram"]
    geo = default.factors["geography"]
    assert default.excluded is None and geo["countries"]["RU"]["reach"] == 1.0
    assert "blocked in RU since 2022-03-14" in geo["explanation"]
    half = by_network(score_networks(MOSCOW_WOMEN, catalogue, FitOptions(vpn_reach_factor=0.5)))
    assert half["instagram"].score == pytest.approx(default.score / 2)
    strict = score_networks(MOSCOW_WOMEN, catalogue, FitOptions(vpn_reach_factor=0.0))
    fits = by_network(strict)
    assert "vpn_reach_factor = 0" in fits["instagram"].excluded
    assert fits["facebook"].excluded and fits["x"].excluded
    assert fits["vk"].excluded is None
    assert strict.test_first != "instagram"


def test_contributions_add_up_to_the_score(catalogue):
    for portrait in (MOSCOW_WOMEN, REGIONAL_BOYS, CHINA):
        for fit in score_networks(portrait, catalogue).ranking:
            if not fit.factors:
                continue
            total = sum(f["contribution"] for f in fit.factors.values())
            assert total == pytest.approx(fit.score, abs=2e-4), fit.network


def test_missing_figures_are_imputed_with_the_lowest_known_value(catalogue):
    telegram = by_network(score_networks(MOSCOW_WOMEN, catalogue))["telegram"]
    parts = telegram.factors["demographic"]["parts"]
    assert parts["gender"]["imputed"] is True
    known_female = [n.figure("gender").value["female"] for n in catalogue.networks.values()
                    if n.figure("gender") is not None]  # fmt: skip
    assert parts["gender"]["share"] == pytest.approx(min(known_female))
    assert "imputed" in telegram.factors["demographic"]["explanation"]


def test_minimum_age_means_no_audience_rather_than_missing_data(catalogue):
    teens = Portrait(age_min=14, age_max=15, countries=("FR",))
    fits = by_network(score_networks(teens, catalogue))
    assert fits["linkedin"].audience_share == 0.0  # LinkedIn accounts start at 16
    assert fits["vk"].audience_share == pytest.approx(0.24 / 4 * 2)


def test_formats_and_market_feed_the_format_factor(catalogue):
    b2b_video = Portrait(age_min=30, age_max=55, countries=("FR",), market="b2b",
                         preferred_formats=("long_video", "long_text"))  # fmt: skip
    fits = by_network(score_networks(b2b_video, catalogue))
    youtube = fits["youtube"].factors["format"]
    # B2B 1.0 (article) and long_video works, long_text unknown: mean(1.0, mean(1, 0.5)).
    assert youtube["value"] == pytest.approx((1.0 + 0.75) / 2)
    assert youtube["formats"] == {"long_video": 1.0, "long_text": 0.5}
    facebook = fits["facebook"].factors["format"]
    assert facebook["formats"] == {"long_video": 0.0, "long_text": 1.0}
    assert "poor at long_video" in facebook["explanation"]


def test_strong_in_countries_get_full_presence(catalogue):
    japan = Portrait(age_min=25, age_max=45, countries=("JP",))
    x_geo = by_network(score_networks(japan, catalogue))["x"].factors["geography"]
    assert x_geo["value"] == 1.0
    assert catalogue.affinity("american", "american") == 1.0


def test_to_json_has_exactly_the_documented_shape_sorted_by_score(catalogue):
    data = score_networks(MOSCOW_WOMEN, catalogue).to_json()
    assert set(data) == {"ranking", "test_first"}
    assert data["test_first"] == data["ranking"][0]["network"]
    for row in data["ranking"]:
        assert set(row) == {"network", "score", "factors", "excluded"}
    eligible = [row["score"] for row in data["ranking"] if row["excluded"] is None]
    assert eligible == sorted(eligible, reverse=True)
    assert data["ranking"][-1] == {
        "network": "google_plus", "score": 0.0, "factors": {}, "excluded": "closed on 2019-04-02"
    }  # fmt: skip


def test_test_plan_is_sequential_with_a_go_criterion(catalogue):
    result = score_networks(MOSCOW_WOMEN, catalogue, FitOptions(test_period_days=30, test_steps=3))
    plan = result.test_plan
    assert [step.network for step in plan] == [fit.network for fit in result.ranking[:3]]
    assert [step.start_day for step in plan] == [0, 30, 60]
    first = plan[0]
    assert first.expected_match_share == pytest.approx(0.77 * 0.74 * 0.95)
    assert "more than 54%" in first.go_criterion
    assert f"test {result.ranking[1].name} next" in plan[0].no_go
    assert "revisit the portrait" in plan[-1].no_go
    assert result.test_plan_json()[0]["network"] == "instagram"


def test_unscored_portrait_fields_are_reported(catalogue):
    notes = score_networks(MOSCOW_WOMEN, catalogue).notes
    assert any(note.startswith("cities is not scored") for note in notes)
    assert any(note.startswith("city_size is not scored") for note in notes)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"age_min": 40, "age_max": 30}, "age"),
        ({"devices": ("toaster",)}, "devices"),
        ({"market": "b2g"}, "market"),
        ({"gender_mix": {"female": 0.0}}, "gender_mix"),
    ],
)
def test_invalid_portrait_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Portrait(**kwargs)
