"""The one place network HTTP clients are made, so timeouts and identity are uniform."""

from __future__ import annotations

import httpx

from hearth import __version__

# Connect fast, read patiently: a slow answer to a mutation is ambiguous, and the engine
# treats it so; a connect failure never reached the network.
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


def make_client(
    *, timeout: httpx.Timeout | float = DEFAULT_TIMEOUT, transport=None
) -> httpx.Client:
    return httpx.Client(
        timeout=timeout,
        transport=transport,
        headers={"User-Agent": f"Hearth/{__version__} (+self-hosted SMM)"},
        follow_redirects=False,
    )
