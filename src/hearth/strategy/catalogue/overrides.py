"""Workspace overrides: a project's own audience data replacing catalogue figures.

Keys are `(network, field_path)`:
  ("instagram", "gender.female")   one share inside a distribution figure
  ("vk", "active_share")           a whole figure
  ("telegram", "age")              a whole distribution (creates the figure if absent)
  ("instagram", "blocked_in.RU")   a block: None lifts it, a mapping adds or replaces it
Overridden figures get `source == "workspace override"`, `kind == "override"` and keep the
catalogue figure they replaced in `original`, so pages can show them as such.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from hearth.strategy.catalogue.model import (
    OVERRIDE_SOURCE,
    Block,
    Catalogue,
    Figure,
    Network,
    freeze,
    validate_block,
    validate_figure_value,
)

OverrideKey = tuple[str, str]


def apply_overrides(
    catalogue: Catalogue, overrides: Mapping[OverrideKey, Any], *, as_of: str = "workspace data"
) -> Catalogue:
    """Return a new catalogue with `overrides` applied; the input is left untouched.

    Raises ValueError naming `network.field_path` for an unknown network, an unknown figure
    or an invalid value (a share outside [0, 1], a distribution adding up to more than 1...).
    """
    networks = dict(catalogue.networks)
    for (network_key, field_path), value in overrides.items():
        network = networks.get(network_key)
        if network is None:
            raise ValueError(f"{network_key}: unknown network")
        if field_path.startswith("blocked_in."):
            networks[network_key] = _override_block(network, field_path, value)
        else:
            networks[network_key] = _override_figure(catalogue, network, field_path, value, as_of)
    return dataclasses.replace(catalogue, networks=freeze(networks))


def _override_figure(
    catalogue: Catalogue, network: Network, field_path: str, value: Any, as_of: str
) -> Network:
    name, _, key = field_path.partition(".")
    # Distribution checks append the key themselves ("vk.gender" + ".female").
    where = f"{network.key}.{name}"
    current = network.figure(name)
    if key:
        merged = dict(current.value) if current is not None else {}
        merged[key] = value
        value = merged
    checked = validate_figure_value(name, value, catalogue.formats, where)
    original = current.original if current is not None and current.overridden else current
    figure = Figure(
        value=freeze(checked),
        source=OVERRIDE_SOURCE,
        as_of=as_of,
        kind="override",
        confidence="high",
        note=f"Replaced by the workspace ({field_path}).",
        original=original,
    )
    return dataclasses.replace(network, figures=freeze({**network.figures, name: figure}))


def _override_block(network: Network, field_path: str, value: Any) -> Network:
    country = field_path.removeprefix("blocked_in.")
    kept = tuple(block for block in network.blocked_in if block.country != country)
    if value is None or value is False:
        return dataclasses.replace(network, blocked_in=kept)
    raw = dict(value) if isinstance(value, Mapping) else {}
    raw.setdefault("country", country)
    checked = validate_block(raw, f"{network.key}.{field_path}")
    block = Block(source=OVERRIDE_SOURCE, overridden=True, **checked)
    return dataclasses.replace(network, blocked_in=(*kept, block))
