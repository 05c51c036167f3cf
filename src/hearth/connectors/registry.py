"""Network slug → provider, written out by hand: no discovery by file name or entry point.

A network is available when it is listed here; the architecture test checks that each
listed network has a docs page and contract tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from hearth.connectors.base import Provider
from hearth.connectors.bluesky import BLUESKY
from hearth.connectors.mastodon import MASTODON
from hearth.connectors.telegram import TELEGRAM
from hearth.connectors.vk import VK
from hearth.sandbox.connector import SANDBOX

PROVIDERS: Mapping[str, Provider] = MappingProxyType(
    {provider.slug: provider for provider in (TELEGRAM, VK, MASTODON, BLUESKY, SANDBOX)}
)


def get_provider(slug: str) -> Provider:
    """The provider for ``slug``; KeyError names the known networks."""
    try:
        return PROVIDERS[slug]
    except KeyError:
        known = ", ".join(sorted(PROVIDERS))
        raise KeyError(f"unknown network {slug!r}; known: {known}") from None
