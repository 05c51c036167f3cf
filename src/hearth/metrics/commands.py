"""`hearth import …`, `hearth kpi …`, `hearth metrics …`: thin wrappers over the services."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

NETWORK_OF = {"telegram-export": "telegram", "vk-stats": "vk"}


def register(sub) -> None:
    imp = sub.add_parser("import", help="import platform exports or CSV files into a project")
    kinds = imp.add_subparsers(dest="source", required=True, metavar="SOURCE")
    for name, helptext in (
        ("telegram-export", "Telegram Desktop channel export (result.json)"),
        ("vk-stats", "VK community statistics (CSV per day)"),
        ("csv", "any CSV through a saved column mapping"),
    ):
        p = kinds.add_parser(name, help=helptext)
        p.add_argument("--project", type=int, required=True, metavar="ID")
        p.add_argument("--channel", metavar="ID_OR_NAME")
        p.add_argument("--taken-at", type=_instant, metavar="ISO8601", help="snapshot time")
        if name == "telegram-export":
            p.add_argument("--export-tz", metavar="ZONE", help="zone of old exports' dates")
        if name == "csv":
            p.add_argument("--mapping", required=True, metavar="NAME")
            p.add_argument("--kind", choices=["posts", "channel_days", "conversions", "spend"])
            p.add_argument(
                "--map",
                action="append",
                default=[],
                metavar="FIELD=COLUMN",
                help="define or replace the mapping NAME (repeat per field; needs --kind)",
            )
        p.add_argument("file", metavar="FILE")
        p.set_defaults(handler=import_command)

    p = sub.add_parser("kpi", help="compute one KPI of a project for a period")
    p.add_argument("--project", type=int, required=True, metavar="ID")
    p.add_argument("--metric", required=True)
    p.add_argument("--aggregation")
    p.add_argument("--period", metavar="START..END")
    p.add_argument("--by", action="append", default=[], metavar="KEY")
    p.add_argument("--at-age-hours", type=float, metavar="H")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=kpi_command)

    metrics = sub.add_parser("metrics", help="periodic measurement jobs")
    actions = metrics.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = actions.add_parser("update-goals", help="write today's KPI measurements of goals")
    p.add_argument("--project", type=int, metavar="ID", help="default: every project")
    p.set_defaults(handler=update_goals_command)
    p = actions.add_parser("send-reports", help="e-mail the client reports that are due")
    p.set_defaults(handler=send_reports_command)


def _instant(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("give a UTC offset")
    return moment


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def _fail(message: str, code: int = 2) -> int:
    print(f"hearth: {message}", file=sys.stderr)
    return code


def find_channel(project, ref: str | None, network: str | None):
    channels = project.channels.all()
    if network:
        channels = channels.filter(network=network)
    if ref:
        found = channels.filter(pk=int(ref)) if ref.isdigit() else channels.filter(name=ref)
        return found.first()
    return channels.first() if channels.count() == 1 else None


def import_command(args) -> int:
    from django.db import transaction

    from hearth.metrics.imports.common import ImportProblem
    from hearth.strategy.models import Project

    project = Project.objects.filter(pk=args.project).first()
    if project is None:
        return _fail(f"no project {args.project}")
    path = Path(args.file)
    try:
        content = path.read_bytes()
    except OSError as exc:
        return _fail(f"cannot read {path}: {exc}")
    taken_at = args.taken_at or dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    network = NETWORK_OF.get(args.source)
    channel = find_channel(project, args.channel, network)
    if channel is None and (network or args.channel):
        what = f"{network} channel" if network else "channel"
        return _fail(f"name the {what} with --channel (id or name) in project {project.pk}")
    try:
        with _progress() as bar:
            task = bar.add_task(f"importing {path.name}", total=None)

            def advance(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            with transaction.atomic():
                result = _run_import(args, project, channel, content, taken_at, advance)
    except ImportProblem as exc:
        return _fail(f"nothing imported from {path.name}. {exc}", 1)
    print(result.summary())
    for note in result.notes:
        print(f"  note: {note}")
    return 0


def _run_import(args, project, channel, content, taken_at, advance):
    from hearth.metrics.imports import generic_csv, telegram_export, vk_stats
    from hearth.metrics.imports.common import ImportProblem
    from hearth.metrics.models import ImportMapping

    if args.source == "telegram-export":
        return telegram_export.import_export(
            channel, content, taken_at=taken_at, export_tz=args.export_tz, progress=advance
        )
    if args.source == "vk-stats":
        return vk_stats.import_stats(channel, content, taken_at=taken_at, progress=advance)
    if args.map:
        if not args.kind:
            raise ImportProblem(["--map needs --kind"])
        pairs = [m.split("=", 1) for m in args.map]
        if any(len(p) != 2 for p in pairs):
            raise ImportProblem(["--map takes FIELD=COLUMN"])
        mapping = generic_csv.save_mapping(
            project, args.mapping, args.kind, {f.strip(): c.strip() for f, c in pairs}
        )
    else:
        mapping = ImportMapping.objects.filter(project=project, name=args.mapping).first()
        if mapping is None:
            raise ImportProblem([f"no mapping {args.mapping!r}: define it with --kind and --map"])
    return generic_csv.import_csv(
        project, content, mapping, channel=channel, taken_at=taken_at, progress=advance
    )


def kpi_command(args) -> int:
    from django.utils import timezone

    from hearth.metrics import services
    from hearth.strategy.models import Project

    project = Project.objects.filter(pk=args.project).first()
    if project is None:
        return _fail(f"no project {args.project}")
    try:
        period = services.parse_period(args.period, services.today_for(project, timezone.now()))
        result = services.measure(
            project,
            args.metric,
            aggregation=args.aggregation,
            period=period,
            by=args.by,
            at_age_hours=args.at_age_hours,
        )
    except ValueError as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    print(_describe(result))
    for row in result["rows"]:
        keys = " ".join(f"{k}={row[k]}" for k in result["by"] if k in row)
        value = row.get("value")
        shown = "missing" if value is None else _fmt(value, result.get("unit"))
        extra = f"  ({row['reason']})" if value is None and row.get("reason") else ""
        used = f"  [{row['n_used']} of {row['n_posts']} posts]" if "n_used" in row else ""
        print(f"  {keys or 'all'}: {shown}{used}{extra}")
    return 0


def _describe(result: dict) -> str:
    text = f"{result['metric']} over {result['period']}"
    if result.get("aggregation"):
        text += f", {result['aggregation']} = {result['formula']} ({result['definition']})"
    if result.get("at_age_hours"):
        text += f", at {result['at_age_hours']:g} h"
    return text


def _fmt(value: float, unit: str | None) -> str:
    if unit == "fraction":
        return f"{value * 100:.2f} %"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def update_goals_command(args) -> int:
    from django.db import transaction
    from django.utils import timezone

    from hearth.metrics import services
    from hearth.strategy.models import Project

    projects = Project.objects.all()
    if args.project:
        projects = projects.filter(pk=args.project)
    for project in projects:
        with transaction.atomic():
            updates = services.update_goal_measurements(
                project, services.today_for(project, timezone.now())
            )
        for u in updates:
            shown = "missing: " + str(u.reason) if u.value is None else f"{u.value:g}"
            print(f"project {project.pk} goal {u.goal_id} ({u.metric}): {shown}")
    return 0


def send_reports_command(args) -> int:
    from django.utils import timezone

    from hearth.metrics.reports import send_due_reports

    sent = send_due_reports(timezone.now())
    print(f"{len(sent)} report(s) sent")
    return 0
