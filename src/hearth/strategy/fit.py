"""Network fit: which networks suit a customer portrait, and why (METHOD M5, M7).

score = geography × (w_demographic × demographic + w_format × format)

- demographic: the share of the network's audience inside the portrait's cells
  (gender × age × device class, assumed independent), divided by the best share in the
  catalogue so the best-matching network gets 1.
- format: preferred formats the network is good (1), neutral (0.5) or poor (0) at, and its
  fit for the portrait's market (B2C / B2B).
- geography: a multiplier in [0, 1], the mean over the portrait's countries of
  sphere affinity × reachability. A block where VPN use is rare (China) makes a network
  unreachable: it is excluded with the reason. A block where VPN use is common (Russia since
  2022) multiplies by `FitOptions.vpn_reach_factor` — 1.0 by default, the article's
  pre-2022 view; 0 excludes such networks.
Missing audience figures are imputed with the lowest value any network in the catalogue
has for the same cell: a network gets no credit for evidence it lacks (flagged "imputed").
Every factor reports its value, weight and contribution; contributions add up to the score.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hearth.strategy.catalogue import Catalogue, Figure, Network, parse_age_bucket

DEVICE_CLASS = {
    "iphone": "mobile",
    "android": "mobile",
    "mobile": "mobile",
    "tablet": "mobile",
    "windows": "desktop",
    "mac": "desktop",
    "linux": "desktop",
    "desktop": "desktop",
}
MARKET_CHOICES = ("b2c", "b2b", "both")
NOT_SCORED = ("cities", "city_size", "income", "interests", "buying_behaviour")


@dataclass(frozen=True)
class Portrait:
    """A customer portrait (METHOD M5). Flat fields, so a Django model maps onto it directly.

    gender_mix: shares of the portrait by gender, e.g. {"female": 1.0} or
    {"female": 0.7, "male": 0.3}. devices: keys of DEVICE_CLASS. countries: ISO alpha-2.
    """

    name: str = ""
    age_min: int = 18
    age_max: int = 65
    gender_mix: Mapping[str, float] = field(default_factory=lambda: {"female": 0.5, "male": 0.5})
    countries: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    city_size: str | None = None
    devices: tuple[str, ...] = ()
    income: str | None = None
    interests: tuple[str, ...] = ()
    buying_behaviour: str | None = None
    preferred_formats: tuple[str, ...] = ()
    market: str = "b2c"

    def __post_init__(self) -> None:
        if not 10 <= self.age_min <= self.age_max <= 100:
            raise ValueError("age: need 10 <= age_min <= age_max <= 100")
        if not self.gender_mix or any(share < 0 for share in self.gender_mix.values()):
            raise ValueError("gender_mix: needs at least one non-negative share")
        if max(self.gender_mix.values()) <= 0:
            raise ValueError("gender_mix: at least one share must be positive")
        unknown = [d for d in self.devices if d not in DEVICE_CLASS]
        if unknown:
            raise ValueError(f"devices: unknown {unknown}; expected {sorted(DEVICE_CLASS)}")
        if self.market not in MARKET_CHOICES:
            raise ValueError(f"market: must be one of {MARKET_CHOICES}")


@dataclass(frozen=True)
class FitOptions:
    demographic_weight: float = 0.7
    format_weight: float = 0.3
    vpn_reach_factor: float = 1.0
    test_period_days: int = 28
    test_steps: int = 3

    def __post_init__(self) -> None:
        if self.demographic_weight < 0 or self.format_weight < 0:
            raise ValueError("weights must be non-negative")
        if self.demographic_weight + self.format_weight <= 0:
            raise ValueError("at least one weight must be positive")
        if not 0.0 <= self.vpn_reach_factor <= 1.0:
            raise ValueError("vpn_reach_factor must be between 0 and 1")
        if self.test_period_days < 7 or self.test_steps < 1:
            raise ValueError("a test lasts at least 7 days and the plan has at least one step")


@dataclass(frozen=True)
class NetworkFit:
    network: str
    name: str
    score: float
    factors: Mapping[str, Any]
    excluded: str | None
    audience_share: float

    def to_json(self) -> dict[str, Any]:
        return {
            "network": self.network,
            "score": round(self.score, 4),
            "factors": self.factors,
            "excluded": self.excluded,
        }


@dataclass(frozen=True)
class TestStep:
    order: int
    network: str
    start_day: int
    period_days: int
    expected_match_share: float
    go_criterion: str
    no_go: str


@dataclass(frozen=True)
class FitResult:
    ranking: tuple[NetworkFit, ...]
    test_first: str | None
    test_plan: tuple[TestStep, ...]
    notes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"ranking": [fit.to_json() for fit in self.ranking], "test_first": self.test_first}

    def test_plan_json(self) -> list[dict[str, Any]]:
        return [
            step.__dict__ | {"expected_match_share": round(step.expected_match_share, 4)}
            for step in self.test_plan
        ]


def score_networks(
    portrait: Portrait, catalogue: Catalogue, options: FitOptions | None = None
) -> FitResult:
    """Score every catalogue network for `portrait`; pure (no I/O, no clock)."""
    options = options or FitOptions()
    active = [n for n in catalogue.networks.values() if n.status == "active"]
    audience = {n.key: _audience(portrait, n, active) for n in active}
    best_share = max((a["share"] for a in audience.values()), default=0.0)
    fits = []
    for network in catalogue.networks.values():
        if network.status != "active":
            fits.append(_closed(network))
            continue
        fits.append(
            _score(portrait, network, catalogue, options, audience[network.key], best_share)
        )
    fits.sort(key=lambda fit: (fit.excluded is not None, -fit.score, fit.network))
    eligible = [fit for fit in fits if fit.excluded is None and fit.score > 0]
    notes = tuple(
        f"{name} is not scored: the catalogue holds no sourced figures for it"
        for name in NOT_SCORED
        if getattr(portrait, name)
    )
    return FitResult(
        ranking=tuple(fits),
        test_first=eligible[0].network if eligible else None,
        test_plan=_test_plan(eligible, options),
        notes=notes,
    )


def _closed(network: Network) -> NetworkFit:
    reason = f"closed on {network.closed_on}" if network.closed_on else "closed"
    return NetworkFit(network.key, network.name, 0.0, {}, reason, 0.0)


def _score(
    portrait: Portrait,
    network: Network,
    catalogue: Catalogue,
    options: FitOptions,
    audience: dict[str, Any],
    best_share: float,
) -> NetworkFit:
    total_weight = options.demographic_weight + options.format_weight
    w_demo = options.demographic_weight / total_weight
    w_format = options.format_weight / total_weight
    demographic = audience["share"] / best_share if best_share > 0 else 0.0
    format_value, format_detail = _format_fit(portrait, network)
    presence, geo_detail, excluded = _geography(portrait, network, catalogue, options)
    base = w_demo * demographic + w_format * format_value
    score = presence * base
    factors = {
        "demographic": {
            "value": round(demographic, 4),
            "weight": round(w_demo, 4),
            "contribution": round(w_demo * demographic, 4),
            "audience_share": round(audience["share"], 4),
            "parts": audience["parts"],
            "explanation": audience["explanation"],
        },
        "format": {
            "value": round(format_value, 4),
            "weight": round(w_format, 4),
            "contribution": round(w_format * format_value, 4),
            **format_detail,
        },
        "geography": {
            "value": round(presence, 4),
            "weight": "multiplier",
            "contribution": round(score - base, 4),
            **geo_detail,
        },
    }
    return NetworkFit(network.key, network.name, score, factors, excluded, audience["share"])


# --- demographic -------------------------------------------------------------------------


def _figure_part(figure: Figure | None, share: float, imputed: bool, label: str) -> dict:
    part: dict[str, Any] = {"share": round(share, 4), "imputed": imputed, "what": label}
    if figure is not None:
        part |= {
            "source": figure.source,
            "as_of": figure.as_of,
            "kind": figure.kind,
            "confidence": figure.confidence,
            "overridden": figure.overridden,
        }
    return part


def _audience(portrait: Portrait, network: Network, active: list[Network]) -> dict[str, Any]:
    gender, gender_imputed = _gender_share(portrait, network, active)
    age, age_imputed = _age_share(portrait, network, active)
    device, device_imputed = _device_share(portrait, network, active)
    ages = f"aged {portrait.age_min}-{portrait.age_max}"
    genders = "/".join(g for g, s in portrait.gender_mix.items() if s > 0)
    classes = "/".join(sorted({DEVICE_CLASS[d] for d in portrait.devices})) or "any device"
    parts = {
        "gender": _figure_part(network.figure("gender"), gender, gender_imputed, genders),
        "age": _figure_part(network.figure("age"), age, age_imputed, ages),
        "devices": _figure_part(network.figure("devices"), device, device_imputed, classes),
    }
    share = gender * age * device

    def fmt(value: float, imputed: bool) -> str:
        return f"{value:.0%}" + (" (imputed: no data)" if imputed else "")

    explanation = (
        f"{fmt(gender, gender_imputed)} {genders} × {fmt(age, age_imputed)} {ages} × "
        f"{fmt(device, device_imputed)} on {classes} = {share:.1%} of the audience in your cells"
    )
    overridden = [name for name, part in parts.items() if part.get("overridden")]
    if overridden:
        explanation += f" (workspace override: {', '.join(overridden)})"
    return {"share": share, "parts": parts, "explanation": explanation}


def _known_values(active: list[Network], figure_name: str, key: str) -> list[float]:
    """The values the catalogue's networks have for one cell (for conservative imputation)."""
    values = []
    for network in active:
        figure = network.figure(figure_name)
        if figure is not None and key in figure.value:
            values.append(float(figure.value[key]))
    return values


def _gender_weights(portrait: Portrait) -> dict[str, float]:
    """Each gender's weight relative to the portrait's main gender (the main one counts fully)."""
    top = max(portrait.gender_mix.values())
    return {g: share / top for g, share in portrait.gender_mix.items() if share > 0}


def _gender_share(portrait: Portrait, network: Network, active: list[Network]):
    imputed = False
    total = 0.0
    figure = network.figure("gender")
    for gender, weight in _gender_weights(portrait).items():
        if figure is not None and gender in figure.value:
            value = figure.value[gender]
        else:
            imputed = True
            value = min(_known_values(active, "gender", gender), default=0.0)
        total += weight * value
    return min(total, 1.0), imputed


def _year_densities(figure: Figure | None) -> dict[int, float]:
    densities: dict[int, float] = {}
    if figure is None:
        return densities
    for bucket, share in figure.value.items():
        lo, hi = parse_age_bucket(bucket)
        for year in range(lo, hi + 1):
            densities[year] = share / (hi - lo + 1)
    return densities


def _age_share(portrait: Portrait, network: Network, active: list[Network]):
    own = _year_densities(network.figure("age"))
    others = [_year_densities(n.figure("age")) for n in active]
    min_age = network.figure("min_age")
    imputed = False
    total = 0.0
    for year in range(portrait.age_min, portrait.age_max + 1):
        if min_age is not None and year < min_age.value:
            continue  # below the network's minimum age: no audience, not missing evidence
        if year in own:
            total += own[year]
            continue
        imputed = True
        total += min((d[year] for d in others if year in d), default=0.0)
    return min(total, 1.0), imputed


def _device_share(portrait: Portrait, network: Network, active: list[Network]):
    classes = {DEVICE_CLASS[d] for d in portrait.devices}
    if not classes:
        return 1.0, False
    figure = network.figure("devices")
    imputed = False
    total = 0.0
    for device_class in classes:
        if figure is not None and device_class in figure.value:
            total += figure.value[device_class]
            continue
        imputed = True
        total += min(_known_values(active, "devices", device_class), default=0.0)
    return min(total, 1.0), imputed


# --- format --------------------------------------------------------------------------------


def _format_fit(portrait: Portrait, network: Network) -> tuple[float, dict[str, Any]]:
    works_fig, poor_fig = network.figure("formats_work"), network.figure("formats_poor")
    works = set(works_fig.value) if works_fig else set()
    poor = set(poor_fig.value) if poor_fig else set()
    per_format = {
        fmt: 1.0 if fmt in works else 0.0 if fmt in poor else 0.5
        for fmt in portrait.preferred_formats
    }
    markets_fig = network.figure("markets")
    wanted = ("b2c", "b2b") if portrait.market == "both" else (portrait.market,)
    market_values = [markets_fig.value.get(m, 0.5) if markets_fig else 0.5 for m in wanted]
    market = sum(market_values) / len(market_values)
    parts = [market]
    if per_format:
        parts.append(sum(per_format.values()) / len(per_format))
    value = sum(parts) / len(parts)
    good = [f for f, v in per_format.items() if v == 1.0]
    bad = [f for f, v in per_format.items() if v == 0.0]
    words = [
        f"{portrait.market.upper()} fit {market:.1f}"
        + ("" if markets_fig else " (no claim: neutral)")
    ]
    if per_format:
        words.append(f"works for {', '.join(good) or 'none'} of your formats")
        if bad:
            words.append(f"poor at {', '.join(bad)}")
    else:
        words.append("no preferred formats given")
    return value, {
        "formats": per_format,
        "market": round(market, 4),
        "sources": sorted({f.source for f in (works_fig, poor_fig, markets_fig) if f}),
        "explanation": "; ".join(words),
    }


# --- geography -----------------------------------------------------------------------------


def _geography(
    portrait: Portrait, network: Network, catalogue: Catalogue, options: FitOptions
) -> tuple[float, dict[str, Any], str | None]:
    if not portrait.countries:
        return 1.0, {"countries": {}, "explanation": "no country given: not assessed"}, None
    strong = network.figure("strong_in")
    strong_in = set(strong.value) if strong else set()
    per_country: dict[str, Any] = {}
    presences, hard_blocks, soft_blocks = [], [], []
    for country in (c.upper() for c in portrait.countries):
        sphere = catalogue.sphere_of(country)
        affinity = 1.0 if country in strong_in else catalogue.affinity(sphere, network.sphere)
        block = network.active_block(country)
        reach = 1.0
        if block is not None and block.vpn_use == "rare":
            reach = 0.0
            hard_blocks.append(block)
        elif block is not None:
            reach = options.vpn_reach_factor
            soft_blocks.append(block)
        presences.append(affinity * reach)
        per_country[country] = {
            "sphere": sphere,
            "affinity": affinity,
            "reach": reach,
            "block": block.describe() if block else None,
        }
    presence = sum(presences) / len(presences)
    words = [
        f"{c}: {network.sphere} network, {d['sphere']} sphere ×{d['affinity']:.2f}"
        + (f", {d['block']} ×{d['reach']:.2f}" if d["block"] else "")
        for c, d in per_country.items()
    ]
    if soft_blocks:
        words.append(
            f"VPN-reachable networks counted at {options.vpn_reach_factor:.0%} "
            "(option vpn_reach_factor; 100 % is the article's pre-2022 view)"
        )
    detail = {"countries": per_country, "explanation": "; ".join(words)}
    excluded = None
    if presence == 0.0:
        reasons = [
            b.describe() + "; VPN use is rare there, so it cannot reach that audience"
            for b in hard_blocks
        ] + [
            b.describe() + "; VPN-reachable networks are not counted (vpn_reach_factor = 0)"
            for b in soft_blocks
        ]
        excluded = "; ".join(reasons) or "no presence in the portrait's countries"
    return presence, detail, excluded


# --- sequential test plan (METHOD M7: test one network first, then the next) ---------------


def _test_plan(eligible: list[NetworkFit], options: FitOptions) -> tuple[TestStep, ...]:
    chosen = eligible[: options.test_steps]
    steps = []
    for index, fit in enumerate(chosen):
        share = fit.audience_share
        following = chosen[index + 1].name if index + 1 < len(chosen) else None
        steps.append(
            TestStep(
                order=index + 1,
                network=fit.network,
                start_day=index * options.test_period_days,
                period_days=options.test_period_days,
                expected_match_share=share,
                go_criterion=(
                    f"Go if more than {share:.0%} of the followers gained on {fit.name} during "
                    f"the test match the portrait: {share:.0%} is what an untargeted audience "
                    "of this network gives (catalogue share in your cells), so more means the "
                    "content and targeting attract your portrait."
                ),
                no_go=(
                    f"Otherwise stop {fit.name} and test {following} next."
                    if following
                    else f"Otherwise stop {fit.name} and revisit the portrait before testing more."
                ),
            )
        )
    return tuple(steps)
