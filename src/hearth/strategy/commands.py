"""`hearth strategy fit|check-goal` — thin wrappers over the pure strategy functions."""

from __future__ import annotations

import json
import sys

from rich.console import Console
from rich.table import Table


def register(sub) -> None:
    strategy = sub.add_parser("strategy", help="network fit and SMART checks from files")
    actions = strategy.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = actions.add_parser("fit", help="rank networks for a portrait file (YAML or JSON)")
    p.add_argument("--portrait", required=True, metavar="FILE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=fit_command)
    p = actions.add_parser(
        "check-goal", help="judge a goal file letter by letter (exit 0 if SMART)"
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=check_goal_command)


def fit_command(args) -> int:
    from hearth.strategy.catalogue.loader import load_catalogue
    from hearth.strategy.files import FileError, load_portrait
    from hearth.strategy.fit import score_networks

    catalogue = load_catalogue()
    try:
        portrait = load_portrait(args.portrait, catalogue)
    except FileError as exc:
        print(f"hearth: {exc}", file=sys.stderr)
        return 2
    result = score_networks(portrait, catalogue)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2, default=str))
        return 0
    table = Table(title=f"Network fit for {portrait.name or args.portrait}")
    for column in ("#", "network", "score", "why"):
        table.add_column(column)
    for n, row in enumerate(result.ranking, start=1):
        why = row.excluded or ", ".join(
            f"{k} {v['contribution']:+.3f}"
            for k, v in row.factors.items()
            if isinstance(v, dict) and v.get("contribution") is not None
        )
        table.add_row(str(n), row.name, "—" if row.excluded else f"{row.score:.3f}", why)
    Console().print(table)
    print(f"test first: {result.test_first}")
    return 0


def check_goal_command(args) -> int:
    from django.utils import timezone

    from hearth.strategy.files import FileError, load_goal
    from hearth.strategy.smart import check_goal, verdicts_to_json

    try:
        goal = load_goal(args.file)
    except FileError as exc:
        print(f"hearth: {exc}", file=sys.stderr)
        return 2
    verdicts = check_goal(goal, timezone.now())
    if args.json:
        print(json.dumps(verdicts_to_json(verdicts), ensure_ascii=False, indent=2))
    else:
        for letter, verdict in verdicts.items():
            mark = {True: "✓", False: "✗", None: "?"}[verdict.ok]
            print(f"{letter} {mark} " + "; ".join(verdict.reasons))
    return 0 if all(v.ok is True for v in verdicts.values()) else 1
