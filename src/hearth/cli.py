"""The ``hearth`` command. Thin on purpose: it parses arguments and calls services.

Domain commands (strategy, kpi, leads, …) register in COMMAND_MODULES explicitly.
"""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys

from hearth.kit.config import ConfigError

# Each module has ``register(subparsers)``; listed explicitly (no discovery by file name).
COMMAND_MODULES = [
    "hearth.system.commands",
    "hearth.strategy.commands",
    "hearth.channels.commands",
    "hearth.leads.commands",
    "hearth.metrics.commands",
]


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
    import django

    django.setup()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hearth", description="Hearth SMM platform")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _setup_django()
    except ConfigError as exc:
        print(f"hearth: configuration error: {exc}", file=sys.stderr)
        return 2
    from django.db import DatabaseError

    try:
        return int(args.handler(args) or 0)
    except ConfigError as exc:
        print(f"hearth: configuration error: {exc}", file=sys.stderr)
        return 2
    except DatabaseError as exc:
        print(
            f"hearth: database error: {exc} (is the database reachable and `hearth migrate` run?)",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        return 130


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM when its parent dies, however the parent ends.

    uvicorn re-raises SIGTERM after its graceful shutdown, so the server process ends
    without running ``finally`` blocks; without this its embedded worker would outlive it.
    """
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except OSError:
        pass


def spawn(*args: str, module: str = "hearth") -> subprocess.Popen:
    """Start another Python process (default: ``hearth``) that dies with this one."""
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", module, *args], preexec_fn=_die_with_parent
    )


if __name__ == "__main__":
    raise SystemExit(main())
