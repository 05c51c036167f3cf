"""`hearth leads import|fit|predict` — thin wrappers over the services and the analytics."""

from __future__ import annotations

import datetime as dt
import json
import sys

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

# A fit on more customers than this shows a progress bar (small ones finish instantly).
PROGRESS_FROM_CUSTOMERS = 50_000


def register(sub) -> None:
    leads = sub.add_parser("leads", help="leads data: import, fit and predict repeat events")
    actions = leads.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = actions.add_parser("import", help="import subscribers, events or purchases (CSV/Parquet)")
    p.add_argument("--project", type=int, required=True, metavar="ID")
    p.add_argument("--kind", required=True, choices=["subscribers", "events", "purchases"])
    p.add_argument("file", metavar="FILE")
    p.set_defaults(handler=import_command)
    for name, helptext in (
        ("fit", "fit BG/NBD or Pareto/NBD to an events file"),
        ("predict", "per-customer P(alive) and expected events from a fit"),
    ):
        p = actions.add_parser(name, help=helptext)
        p.add_argument("--events", required=True, metavar="FILE")
        p.add_argument("--customer-col", required=True, metavar="C")
        p.add_argument("--time-col", required=True, metavar="T")
        p.add_argument("--calibration-end", type=dt.date.fromisoformat, metavar="DATE")
        p.add_argument("--time-unit", choices=["day", "week"], default="week")
        p.add_argument("--model", choices=["bgnbd", "paretonbd"], default="bgnbd")
        p.add_argument("--json", action="store_true")
        if name == "predict":
            p.add_argument("--horizon", type=float, required=True, metavar="N")
            p.add_argument("--out", required=True, metavar="FILE.csv")
        p.set_defaults(handler=fit_command if name == "fit" else predict_command)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def import_command(args) -> int:
    from django.db import transaction

    from hearth.leads import services
    from hearth.leads.importing import ImportProblem
    from hearth.strategy.models import Project

    project = Project.objects.filter(pk=args.project).first()
    if project is None:
        print(f"hearth: no project {args.project}", file=sys.stderr)
        return 2
    try:
        with _progress() as bar:
            task = bar.add_task(f"importing {args.kind}", total=None)

            def advance(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            with transaction.atomic():
                result = services.import_file(project, args.kind, args.file, progress=advance)
    except ImportProblem as exc:
        print(f"hearth: nothing imported. {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:
        print(f"hearth: nothing imported: {exc}", file=sys.stderr)
        return 2
    print(
        f"{result.rows} rows read, {result.created} new {args.kind}, {result.unchanged} already there"
    )
    return 0


def _load_summary(args):
    import polars as pl

    from hearth.leads.analytics import summarize_transactions
    from hearth.leads.importing import read_file

    frame, _unit = read_file(args.events)
    for column in (args.customer_col, args.time_col):
        if column not in frame.columns:
            raise ValueError(f"no column {column!r} in {args.events}; it has {frame.columns}")
    times = frame[args.time_col]
    if times.dtype == pl.String:
        parsed = times.str.to_datetime(time_zone="UTC", strict=False)
        if parsed.null_count() > times.null_count():
            parsed = times.str.to_date(strict=False)
        if parsed.null_count() > times.null_count():
            raise ValueError(f"column {args.time_col!r} holds values that are not dates or times")
        frame = frame.with_columns(parsed.alias(args.time_col))
    return summarize_transactions(
        frame,
        customer=args.customer_col,
        at=args.time_col,
        unit=args.time_unit,
        calibration_end=args.calibration_end,
    )


def _fit(args):
    from hearth.leads.analytics import fit_bgnbd, fit_paretonbd

    summary = _load_summary(args)
    fitter = fit_bgnbd if args.model == "bgnbd" else fit_paretonbd
    if len(summary) < PROGRESS_FROM_CUSTOMERS:
        return summary, fitter(summary.frequency, summary.recency, summary.T, unit=args.time_unit)
    with _progress() as bar:
        task = bar.add_task(f"fitting {args.model} on {len(summary):,} customers", total=None)

        def step(iteration: int, log_likelihood: float) -> None:
            bar.update(task, completed=iteration, description=f"LL {log_likelihood:,.2f}")

        fit = fitter(
            summary.frequency, summary.recency, summary.T, unit=args.time_unit, progress=step
        )
    return summary, fit


def _fit_json(args, fit) -> dict:
    return {
        "model": args.model,
        "unit": args.time_unit,
        "customers": fit.n,
        "params": fit.params,
        "std_errors": fit.std_errors,
        "log_likelihood": fit.log_likelihood,
        "converged": fit.converged,
    }


def _run(args, body) -> int:
    try:
        return body()
    except (OSError, ValueError) as exc:
        print(f"hearth: {exc}", file=sys.stderr)
        return 2


def fit_command(args) -> int:
    def body() -> int:
        _summary, fit = _fit(args)
        report = _fit_json(args, fit)
        if args.json:
            print(json.dumps(report, indent=2))
            return 0
        print(f"{args.model} on {fit.n} customers (time unit: {args.time_unit})")
        for name, value in fit.params.items():
            print(f"  {name:6} {value:10.4f}  ± {fit.std_errors[name]:.4f}")
        print(
            f"  log-likelihood {fit.log_likelihood:.2f} (sum over customers, in {args.time_unit}s)"
        )
        if not fit.converged:
            print("  warning: the optimiser did not report convergence", file=sys.stderr)
        return 0

    return _run(args, body)


def predict_command(args) -> int:
    def body() -> int:
        import polars as pl

        summary, fit = _fit(args)
        x, t_x, T = summary.frequency, summary.recency, summary.T
        table = pl.DataFrame(
            {
                args.customer_col: summary.customers,
                "frequency": x,
                "recency": t_x,
                "age": T,
                "p_alive": fit.probability_alive(x, t_x, T),
                f"expected_events_{args.horizon:g}_{args.time_unit}s": fit.expected_events(
                    args.horizon, x, t_x, T
                ),
            }
        )
        table.write_csv(args.out)
        report = _fit_json(args, fit) | {"out": args.out, "horizon": args.horizon}
        print(
            json.dumps(report, indent=2)
            if args.json
            else f"wrote {table.height} customers to {args.out}"
        )
        return 0

    return _run(args, body)
