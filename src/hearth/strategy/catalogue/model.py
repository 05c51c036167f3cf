"""The network catalogue as immutable values: every figure carries its source and date.

Immutability matters because `load_catalogue()` is cached and shared by every request:
a workspace override builds a new catalogue instead of editing the shared one.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

FIGURE_KINDS = ("article", "published", "estimate", "override")
CONFIDENCE_LEVELS = ("high", "medium", "low")
SPHERES = ("american", "russian", "chinese", "open")
GENDERS = ("female", "male")
DEVICE_CLASSES = ("mobile", "desktop")
MARKETS = ("b2c", "b2b")
BLOCK_KINDS = ("blocked", "throttled")
VPN_USE = ("common", "rare")
OVERRIDE_SOURCE = "workspace override"

_AGE_BUCKET = re.compile(r"^(\d{1,3})-(\d{1,3})$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    publisher: str
    year: str
    url: str | None = None
    note: str = ""

    def label(self) -> str:
        return f"{self.publisher}: {self.title} ({self.year})"


@dataclass(frozen=True)
class Figure:
    """One number (or list, or distribution) with where it comes from.

    `kind == "override"` marks a figure a workspace replaced; `original` keeps the catalogue
    figure it replaced so the UI can show both.
    """

    value: Any
    source: str
    as_of: str
    kind: str
    confidence: str
    note: str = ""
    original: Figure | None = None

    @property
    def overridden(self) -> bool:
        return self.kind == "override"


@dataclass(frozen=True)
class Block:
    """A country where the network is blocked or throttled, from `since` (until `until`)."""

    country: str
    since: str
    kind: str
    vpn_use: str
    source: str
    until: str | None = None
    note: str = ""
    overridden: bool = False

    @property
    def active(self) -> bool:
        return self.until is None

    def describe(self) -> str:
        verb = "blocked" if self.kind == "blocked" else "throttled"
        text = f"{verb} in {self.country} since {self.since}"
        return text + (" (workspace override)" if self.overridden else f" (source: {self.source})")


@dataclass(frozen=True)
class Network:
    key: str
    name: str
    status: str
    sphere: str
    figures: Mapping[str, Figure]
    blocked_in: tuple[Block, ...] = ()
    closed_on: str | None = None
    notes: str = ""

    def figure(self, name: str) -> Figure | None:
        return self.figures.get(name)

    def active_block(self, country: str) -> Block | None:
        for block in self.blocked_in:
            if block.country == country and block.active:
                return block
        return None


@dataclass(frozen=True)
class Catalogue:
    networks: Mapping[str, Network]
    sources: Mapping[str, Source]
    formats: Mapping[str, str]
    country_spheres: Mapping[str, str]
    default_sphere: str
    sphere_affinity: Figure

    def sphere_of(self, country: str) -> str:
        return self.country_spheres.get(country.upper(), self.default_sphere)

    def affinity(self, target_sphere: str, network_sphere: str) -> float:
        return float(self.sphere_affinity.value[target_sphere][network_sphere])

    def source_label(self, key: str) -> str:
        source = self.sources.get(key)
        return source.label() if source else key


def freeze(value: Any) -> Any:
    """Deep-freeze YAML values: dicts become read-only mappings, lists become tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


def _share(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: must be a share between 0 and 1, got {value!r}")
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{where}: must be a share between 0 and 1, got {value!r}")
    return float(value)


def _distribution(value: Any, where: str, keys: tuple[str, ...] | None) -> dict[str, float]:
    if not isinstance(value, Mapping) or not value:
        raise ValueError(f"{where}: must be a mapping of shares")
    shares = {}
    for key, share in value.items():
        if keys is not None and key not in keys:
            raise ValueError(f"{where}.{key}: unknown key; expected one of {', '.join(keys)}")
        shares[str(key)] = _share(share, f"{where}.{key}")
    if sum(shares.values()) > 1.0 + 1e-6:
        raise ValueError(f"{where}: shares add up to {sum(shares.values()):.3f}, more than 1")
    return shares


def parse_age_bucket(bucket: str, where: str = "age") -> tuple[int, int]:
    match = _AGE_BUCKET.match(bucket)
    if not match or int(match[1]) > int(match[2]):
        raise ValueError(f"{where}.{bucket}: an age bucket is 'lo-hi' in years, lo <= hi")
    return int(match[1]), int(match[2])


def _age(value: Any, where: str) -> dict[str, float]:
    shares = _distribution(value, where, None)
    spans = sorted(parse_age_bucket(bucket, where) for bucket in shares)
    for (_, hi), (lo, _) in itertools.pairwise(spans):
        if lo <= hi:
            raise ValueError(f"{where}: age buckets overlap")
    return shares


def _string_list(value: Any, where: str, allowed: Any = None) -> list[str]:
    if not isinstance(value, list | tuple):
        raise ValueError(f"{where}: must be a list")
    items = [str(v) for v in value]
    for item in items:
        if allowed is not None and item not in allowed:
            raise ValueError(f"{where}: unknown value {item!r}")
    return items


def validate_figure_value(name: str, value: Any, formats: Mapping[str, str], where: str) -> Any:
    """Check a figure's value by its name; raise ValueError naming `where` when it is wrong."""
    if name == "gender":
        return _distribution(value, where, GENDERS)
    if name == "age":
        return _age(value, where)
    if name == "devices":
        return _distribution(value, where, DEVICE_CLASSES)
    if name == "markets":
        return _distribution_each(value, where, MARKETS)
    if name == "active_share":
        return _share(value, where)
    if name == "min_age":
        if isinstance(value, bool) or not isinstance(value, int) or not 10 <= value <= 21:
            raise ValueError(f"{where}: must be a whole number of years between 10 and 21")
        return value
    if name == "session_minutes":
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ValueError(f"{where}: must be a positive number of minutes")
        return float(value)
    if name in ("formats_work", "formats_poor"):
        return _string_list(value, where, formats)
    if name == "strong_in":
        items = _string_list(value, where)
        for item in items:
            if not _COUNTRY.match(item):
                raise ValueError(f"{where}: {item!r} is not an ISO 3166 alpha-2 country code")
        return items
    if name == "text_limit":
        if not isinstance(value, Mapping) or not isinstance(value.get("limit"), int):
            raise ValueError(f"{where}: must be {{limit: <int>, unit: <text>}}")
        return {"limit": int(value["limit"]), "unit": str(value.get("unit", "characters"))}
    raise ValueError(f"{where}: unknown figure {name!r}")


def _distribution_each(value: Any, where: str, keys: tuple[str, ...]) -> dict[str, float]:
    """Markets are independent fit scores (b2c and b2b), not parts of one whole."""
    if not isinstance(value, Mapping) or not value:
        raise ValueError(f"{where}: must be a mapping")
    out = {}
    for key, share in value.items():
        if key not in keys:
            raise ValueError(f"{where}.{key}: unknown key; expected one of {', '.join(keys)}")
        out[str(key)] = _share(share, f"{where}.{key}")
    return out


def validate_block(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: must be a mapping")
    country = str(raw.get("country", ""))
    if not _COUNTRY.match(country):
        raise ValueError(f"{where}.country: {country!r} is not an ISO 3166 alpha-2 country code")
    kind = raw.get("kind", "blocked")
    if kind not in BLOCK_KINDS:
        raise ValueError(f"{where}.kind: must be one of {', '.join(BLOCK_KINDS)}")
    vpn_use = raw.get("vpn_use", "rare")
    if vpn_use not in VPN_USE:
        raise ValueError(f"{where}.vpn_use: must be one of {', '.join(VPN_USE)}")
    if not raw.get("since"):
        raise ValueError(f"{where}.since: required (the date the block started)")
    until = raw.get("until")
    return {
        "country": country,
        "since": str(raw["since"]),
        "kind": kind,
        "vpn_use": vpn_use,
        "until": str(until) if until else None,
        "note": str(raw.get("note", "")),
    }
