"""``python -m hearth.sandbox [--host H] [--port P] [--db FILE]``: serve the sandbox."""

from __future__ import annotations

import argparse

from hearth.sandbox.server import run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m hearth.sandbox", description="Serve Hearth's fake sandbox network."
    )
    parser.add_argument("--host", default="127.0.0.1", help="listen address (keep it loopback)")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--db", default=":memory:", help="SQLite file (default: in memory)")
    args = parser.parse_args(argv)
    run(args.host, args.port, args.db)


if __name__ == "__main__":
    main()
