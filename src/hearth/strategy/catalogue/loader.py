"""Read networks.yaml (or another catalogue file) into checked, immutable values."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from hearth.strategy.catalogue.model import (
    CONFIDENCE_LEVELS,
    FIGURE_KINDS,
    SPHERES,
    Block,
    Catalogue,
    Figure,
    Network,
    Source,
    freeze,
    validate_block,
    validate_figure_value,
)


class CatalogueError(ValueError):
    """The catalogue file is malformed; the message names the offending path."""


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load the catalogue shipped with Hearth, or the file at `path`.

    The shipped catalogue is parsed once per process and shared (it is immutable).
    """
    if path is None:
        return _shipped_catalogue()
    return parse_catalogue(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


@functools.cache
def _shipped_catalogue() -> Catalogue:
    text = resources.files(__package__).joinpath("networks.yaml").read_text(encoding="utf-8")
    return parse_catalogue(yaml.safe_load(text))


def parse_catalogue(raw: Any) -> Catalogue:
    try:
        return _parse(raw)
    except ValueError as error:
        raise CatalogueError(str(error)) from error


def _parse(raw: Any) -> Catalogue:
    if not isinstance(raw, Mapping):
        raise ValueError("catalogue: must be a mapping")
    sources = {
        key: Source(
            key=key,
            title=str(item["title"]),
            publisher=str(item.get("publisher", "")),
            year=str(item.get("year", "")),
            url=item.get("url"),
            note=str(item.get("note", "")),
        )
        for key, item in _mapping(raw, "sources").items()
    }
    formats = {str(k): str(v) for k, v in _mapping(raw, "formats").items()}
    spheres_raw = dict(_mapping(raw, "country_spheres"))
    default_sphere = spheres_raw.pop("default", "american")
    country_spheres = {}
    for sphere, countries in spheres_raw.items():
        _check_sphere(sphere, f"country_spheres.{sphere}")
        for country in countries:
            country_spheres[str(country)] = sphere
    affinity = _figure(_mapping(raw, "sphere_affinity"), "sphere_affinity", sources)
    for target in SPHERES[:3]:
        row = affinity.value.get(target)
        if row is None or set(row) != set(SPHERES):
            raise ValueError(f"sphere_affinity.{target}: needs a value for each of {SPHERES}")
    networks = {
        key: _network(key, item, sources, formats)
        for key, item in _mapping(raw, "networks").items()
    }
    return Catalogue(
        networks=freeze(networks),
        sources=freeze(sources),
        formats=freeze(formats),
        country_spheres=freeze(country_spheres),
        default_sphere=default_sphere,
        sphere_affinity=affinity,
    )


def _mapping(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if not isinstance(value, Mapping):
        raise ValueError(f"{key}: must be a mapping")
    return value


def _check_sphere(sphere: str, where: str) -> None:
    if sphere not in SPHERES:
        raise ValueError(f"{where}: unknown sphere {sphere!r}; expected one of {SPHERES}")


def _figure(raw: Mapping[str, Any], where: str, sources: Mapping[str, Source]) -> Figure:
    for required in ("value", "source", "as_of", "kind", "confidence"):
        if raw.get(required) is None:
            raise ValueError(f"{where}.{required}: required (every figure names its source)")
    if raw["source"] not in sources:
        raise ValueError(f"{where}.source: {raw['source']!r} is not listed under sources")
    if raw["kind"] not in FIGURE_KINDS[:3]:
        raise ValueError(f"{where}.kind: must be one of {FIGURE_KINDS[:3]}")
    if raw["confidence"] not in CONFIDENCE_LEVELS:
        raise ValueError(f"{where}.confidence: must be one of {CONFIDENCE_LEVELS}")
    return Figure(
        value=freeze(raw["value"]),
        source=str(raw["source"]),
        as_of=str(raw["as_of"]),
        kind=str(raw["kind"]),
        confidence=str(raw["confidence"]),
        note=str(raw.get("note", "")),
    )


def _network(
    key: str, raw: Mapping[str, Any], sources: Mapping[str, Source], formats: Mapping[str, str]
) -> Network:
    where = f"networks.{key}"
    sphere = str(raw.get("sphere", ""))
    _check_sphere(sphere, f"{where}.sphere")
    status = raw.get("status", "active")
    if status not in ("active", "closed"):
        raise ValueError(f"{where}.status: must be active or closed")
    figures = {}
    for name, item in (raw.get("figures") or {}).items():
        figure = _figure(item, f"{where}.figures.{name}", sources)
        value = validate_figure_value(name, figure.value, formats, f"{where}.figures.{name}")
        figures[name] = Figure(**{**figure.__dict__, "value": freeze(value)})
    blocks = []
    for index, item in enumerate(raw.get("blocked_in") or []):
        checked = validate_block(item, f"{where}.blocked_in[{index}]")
        source = item.get("source")
        if source not in sources:
            raise ValueError(f"{where}.blocked_in[{index}].source: {source!r} is not listed")
        blocks.append(Block(source=source, **checked))
    return Network(
        key=key,
        name=str(raw.get("name", key)),
        status=status,
        sphere=sphere,
        figures=figures,
        blocked_in=tuple(blocks),
        closed_on=str(raw["closed_on"]) if raw.get("closed_on") else None,
        notes=str(raw.get("notes", "")),
    )
