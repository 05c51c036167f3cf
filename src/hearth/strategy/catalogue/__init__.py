"""The network catalogue: audience statistics per network, each figure with its source.

`load_catalogue()` reads the YAML shipped next to this file; `apply_overrides()` layers a
workspace's own figures on top. See docs/network-catalogue.md.
"""

from hearth.strategy.catalogue.loader import CatalogueError, load_catalogue, parse_catalogue
from hearth.strategy.catalogue.model import (
    OVERRIDE_SOURCE,
    Block,
    Catalogue,
    Figure,
    Network,
    Source,
    parse_age_bucket,
)
from hearth.strategy.catalogue.overrides import apply_overrides

__all__ = [
    "OVERRIDE_SOURCE",
    "Block",
    "Catalogue",
    "CatalogueError",
    "Figure",
    "Network",
    "Source",
    "apply_overrides",
    "load_catalogue",
    "parse_age_bucket",
    "parse_catalogue",
]
